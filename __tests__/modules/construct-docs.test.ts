import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { projectRoot } from "../../config/project-root";

/**
 * The aws-ecs-patterns rule for construct props, checked on the source: every member of every `*Props` interface in
 * modules/ (the rule pack aside), and of the types props are made of, is readonly and documented, and an optional
 * member says what happens when it is left out (`@default`). Members an interface inherits are checked where they are
 * declared.
 */
const MODULES = path.join(projectRoot(), "modules");

/** Interfaces that are not named `*Props` but that props are made of. */
const PROP_TYPES = new Set([
  "ClusterTarget",
  "DagVolumes",
  "ContainerSpec",
  "HealthCheck",
  "AlarmSpec",
  "BucketLifecycle",
  "TrafficPolicyOptions",
  "OperatedService",
  "ScalablePool",
  "MonitoredDatabase",
  "MonitoredBroker",
  "MonitoredLoadBalancer",
  "MonitoredMetrics",
  "AirflowDashboardMetrics",
  "AirflowDataAccess",
  "CoreComponentDefinition",
  "SharedSecretsOptions",
]);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "rule-pack" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

interface PropMember {
  readonly where: string;
  readonly readonly: boolean;
  readonly optional: boolean;
  readonly doc: string;
}

/** Members of the props interfaces of one file, with their JSDoc text (tags included). */
function propMembers(file: string): PropMember[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const members: PropMember[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node) && (node.name.text.endsWith("Props") || PROP_TYPES.has(node.name.text))) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        const docs = ts.getJSDocCommentsAndTags(member).map((d) => d.getText(source));
        members.push({
          where: `${path.relative(projectRoot(), file)}: ${node.name.text}.${member.name.getText(source)}`,
          readonly: member.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword) ?? false,
          optional: member.questionToken !== undefined,
          doc: docs.join("\n"),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return members;
}

describe("construct props in modules/", () => {
  const members = sourceFiles(MODULES).flatMap(propMembers);

  it("are found (the check reads real interfaces)", () => {
    // GIVEN the modules' source THEN there are props to check, the services' and the listed types' among them
    const where = members.map((m) => m.where);
    expect(members.length).toBeGreaterThan(250);
    expect(where).toContain("modules/airflow/airflow-service.ts: AirflowServiceProps.desiredCount");
    const interfaces = new Set(where.map((w) => w.split(": ")[1].split(".")[0]));
    expect([...PROP_TYPES].filter((name) => !interfaces.has(name))).toEqual([]);
  });

  it("are all readonly", () => {
    expect(members.filter((m) => !m.readonly).map((m) => m.where)).toEqual([]);
  });

  it("are all documented", () => {
    expect(members.filter((m) => m.doc.replace(/[/*\s]/g, "") === "").map((m) => m.where)).toEqual([]);
  });

  it("say what an optional prop defaults to", () => {
    expect(members.filter((m) => m.optional && !m.doc.includes("@default")).map((m) => m.where)).toEqual([]);
  });
});
