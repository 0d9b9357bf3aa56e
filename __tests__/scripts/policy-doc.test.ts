import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../modules/core/project-root";
import { AIRFLOW_ECS_PACK } from "../../modules/policy/packs";
import { SUPPRESSIONS } from "../../modules/policy/suppressions";
import { main, POLICY_DOC, renderPolicyDocument } from "../../scripts/policy-doc";
import { temporaryDirectory } from "../support/temp";
import { runTool } from "../support/cli";

const run = (argv: string[], root: string) => runTool((a, out) => main(a, out, root), argv);

describe("docs/security-policy.md", () => {
  it("is up to date with modules/policy", () => {
    // GIVEN the committed document WHEN checked against the rules and suppressions THEN it is current
    const result = run(["--check"], projectRoot());
    expect([result.code, result.stderr]).toEqual([0, ""]);
  });

  it("lists every rule and every accepted finding with its reason", () => {
    // GIVEN the generated document
    const text = renderPolicyDocument();
    // THEN each rule id appears in a table row, and each suppression's reason is printed
    for (const rule of AIRFLOW_ECS_PACK.rules) expect(text).toContain(`| \`${rule.id}\` |`);
    for (const suppression of SUPPRESSIONS) expect(text).toContain(suppression.reason);
    expect(text).toContain(`### Synth-time policy rules (${AIRFLOW_ECS_PACK.rules.length})`);
    expect(text).toContain(`### Accepted findings (${SUPPRESSIONS.length})`);
  });
});

describe("npm run policy-doc", () => {
  it("writes the document, then --check passes", () => {
    // GIVEN an empty checkout WHEN generated THEN the file holds the rendering and --check agrees
    const root = temporaryDirectory("policy-doc-");
    expect(run([], root)).toEqual({ code: 0, stdout: `wrote ${POLICY_DOC}\n`, stderr: "" });
    expect(fs.readFileSync(path.join(root, POLICY_DOC), "utf8")).toBe(renderPolicyDocument());
    expect(run(["--check"], root).code).toBe(0);
  });

  it("--check fails on a stale or missing file, naming the line and the command", () => {
    // GIVEN a document edited by hand
    const root = temporaryDirectory("policy-doc-");
    run([], root);
    const file = path.join(root, POLICY_DOC);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("# Security policy", "# Security rules"));
    // THEN --check exits 1 with the first difference and how to fix it
    const stale = run(["--check"], root);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      [
        `${POLICY_DOC} is stale: it differs from what \`npm run policy-doc\` generates (first difference at line 1).`,
        "  generated: # Security policy of the synthesized stacks",
        "  committed: # Security rules of the synthesized stacks",
        `Run \`npm run policy-doc\` and commit ${POLICY_DOC}.`,
        "",
      ].join("\n"),
    );
    // AND a missing file says to generate it
    fs.rmSync(file);
    expect(run(["--check"], root).stderr).toBe(`${POLICY_DOC} does not exist; run \`npm run policy-doc\` to generate it and commit the result\n`);
  });

  it("rejects unknown arguments with the usage", () => {
    expect(() => run(["--nope"], projectRoot())).toThrow(/Unknown option '--nope'[\s\S]*usage: npm run policy-doc -- \[--check\]/);
  });
});
