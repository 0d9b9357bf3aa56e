import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENT_SPEC } from "../../../config/environment-spec";
import { ENVIRONMENTS_DIR } from "../../../config/load";
import type { EnvironmentConfig, EnvironmentFile } from "../../../config/schema";
import { checkShape, type FieldIssue } from "../../../config/spec/check";
import { completeConfig } from "../../../config/spec/defaults";
import type { FieldSpec, ObjectField } from "../../../config/spec/language";
import { fieldRows, renderConfigReference, type FieldRow } from "../../../config/spec/markdown";

const rows = fieldRows(ENVIRONMENT_SPEC, "").slice(1);
const rowAt = (all: readonly FieldRow[], fieldPath: string) => all.find((r) => r.path === fieldPath);

/** `spec` with the field at `fieldPath` (object keys) replaced: what editing its one declaration amounts to. */
function withField<S extends ObjectField>(spec: S, [key, ...rest]: readonly string[], replace: (field: FieldSpec) => FieldSpec): S {
  const field = spec.fields[key];
  return { ...spec, fields: { ...spec.fields, [key]: rest.length > 0 ? withField(field as ObjectField, rest, replace) : replace(field) } };
}

describe("the configuration reference", () => {
  it("documents every field of the spec", () => {
    expect(rows.filter((r) => r.doc === "").map((r) => r.path)).toEqual([]);
    expect(rows.length).toBeGreaterThan(80);
  });

  it("shows each field's type, default (static, derived, none) and what it accepts", () => {
    expect(rowAt(rows, "network.natGateways")).toMatchObject({ type: '"per-az" | "single"', default: '`"per-az"`', allowed: 'a string: "per-az" or "single"' });
    expect(rowAt(rows, "network.azCount")).toMatchObject({ type: "integer", default: "`2`", allowed: "an integer from 2 to 6" });
    expect(rowAt(rows, "state.bucket")?.default).toBe("`<namePrefix>-tfstate-<account.id>`");
    expect(rowAt(rows, "alb.certificateArn")?.default).toBe("none (optional)");
    expect(rowAt(rows, "network.vpcCidr")?.default).toBe("**required**");
    expect(rowAt(rows, "alb.allowedCidrs")?.allowed).toBe("a list of 1 to 60 entries, each a string: an IPv4 CIDR such as 10.20.0.0/16");
  });

  it("lists a variant's fields once, marking those of some variants only", () => {
    expect(rowAt(rows, "dags.bundles[].source")).toMatchObject({ type: '"efs" | "git" | "s3"', default: "**required**" });
    expect(rowAt(rows, "dags.bundles[].repository")?.doc).toMatch(/^_git only:_ Clone URL/);
    expect(rowAt(rows, "dags.bundles[].refreshIntervalSeconds")?.doc).toMatch(/^Seconds between refreshes/);
    expect(rows.filter((r) => r.path === "dags.bundles[].name")).toHaveLength(1);
  });

  it("renders a table cell safely: pipes escaped, <placeholders> visible outside code", () => {
    const text = renderConfigReference(ENVIRONMENT_SPEC, ["# Title"]);
    expect(text).toContain('| `network.natGateways` | "per-az" \\| "single" |');
    expect(text).toContain("certificate/&lt;uuid&gt;");
    expect(text).toContain("| `state.bucket` | string | `<namePrefix>-tfstate-<account.id>` |");
  });
});

describe("a field declared in one place", () => {
  const devFile = (): EnvironmentFile => JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));
  const fieldPath = ["storage", "database", "sqlAlchemyPoolSize"];

  it("changes what loading fills in, what it accepts and what the reference says when its declaration changes", () => {
    // GIVEN the spec, and the spec with the pool size declared with default 8 and at most 10
    const changed = withField(ENVIRONMENT_SPEC, fieldPath, (field) => ({ ...field, default: 8, max: 10 }));
    const file = devFile();
    // WHEN dev.json, which leaves the field out, is completed with each
    const before: EnvironmentConfig = completeConfig(ENVIRONMENT_SPEC, file);
    const after: EnvironmentConfig = completeConfig(changed, file);
    // THEN the default filled in follows the declaration
    expect([before.storage.database.sqlAlchemyPoolSize, after.storage.database.sqlAlchemyPoolSize]).toEqual([5, 8]);
    // AND so does validation (the message states the declared range)
    const issues: FieldIssue[] = [];
    checkShape(changed, { ...file, storage: { ...file.storage, database: { ...file.storage.database, sqlAlchemyPoolSize: 20 } } }, "", issues);
    expect(issues).toEqual([{ path: "storage.database.sqlAlchemyPoolSize", value: 20, problem: "is out of range; expected an integer from 1 to 10" }]);
    // AND so does the reference
    const reference = (spec: ObjectField) =>
      renderConfigReference(spec, [])
        .split("\n")
        .find((line) => line.startsWith("| `storage.database.sqlAlchemyPoolSize` |"));
    expect(reference(ENVIRONMENT_SPEC)).toBe(
      "| `storage.database.sqlAlchemyPoolSize` | integer | `5` | an integer from 1 to 50 | Ceiling for SQLAlchemy pool connections per Airflow process; see README sizing notes. |",
    );
    expect(reference(changed)).toBe(
      "| `storage.database.sqlAlchemyPoolSize` | integer | `8` | an integer from 1 to 10 | Ceiling for SQLAlchemy pool connections per Airflow process; see README sizing notes. |",
    );
  });
});
