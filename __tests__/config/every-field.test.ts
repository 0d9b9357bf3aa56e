import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENT_SPEC } from "../../config/environment-spec";
import type { FieldSpec } from "../../config/spec/language";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../config/load";
import { recordEntry } from "../../config/spec/check";

/**
 * Every field of the environment file has at least one rejected value with a clear message: the test walks the
 * field spec itself, so a field added to the schema is covered (or this test fails) without anyone remembering.
 */
interface Case {
  readonly path: string;
  readonly value: unknown;
  /** A valid entry placed first where the field belongs to one variant of an object (e.g. a git DAG bundle). */
  readonly base?: { readonly path: string; readonly value: unknown };
}

/** A complete, valid entry of each variant object of the spec, the base its fields' cases start from. */
const VARIANT_EXAMPLES: Readonly<Record<string, Record<string, unknown>>> = {
  efs: { name: "team", source: "efs" },
  git: { name: "platform", source: "git", repository: "https://github.com/example-org/dags.git", ref: "main" },
  s3: { name: "analytics", source: "s3" },
  fab: { kind: "fab" },
  simple: { kind: "simple" },
  oidc: {
    kind: "oidc",
    issuerUrl: "https://login.example.com/realms/data",
    clientId: "airflow-dev",
    clientSecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/oidc-client-secret-AbC123",
    roleMapping: { "airflow-admins": ["Admin"] },
  },
};

/** The kind of a variant example, whatever its discriminator is called (`source` of a DAG bundle, `kind` of sign-in). */
const kindOf = (base: NonNullable<Case["base"]>) => Object.keys(VARIANT_EXAMPLES).find((kind) => VARIANT_EXAMPLES[kind] === base.value);

/** Values each kind of field must reject: the wrong type, and a value of the right type outside what is allowed. */
function rejectedValues(spec: FieldSpec): unknown[] {
  switch (spec.kind) {
    case "string":
      return [12345, spec.oneOf ? "not-one-of-the-options" : "!!not a valid value!!"];
    case "integer":
      return ["7", 1.5, spec.max + 1];
    case "number":
      return ["7", spec.max + 1];
    case "boolean":
      return ["true"];
    case "object":
      return ["not an object"];
    case "array":
      return ["not a list", Array.from({ length: spec.maxItems + 1 }, () => structuredClone(sample(spec.items)))];
    case "union":
      return [null, ["not", "a", "scalar"]];
    case "record":
      return ["not an object", { "aws:reserved": sample(spec.values) }];
    case "variant":
      return ["not an object", { [spec.discriminator]: "not-a-variant" }];
  }
}

/** A valid-looking value of a field (for building over-long lists). */
function sample(spec: FieldSpec): unknown {
  switch (spec.kind) {
    case "string":
      return "x";
    case "integer":
    case "number":
      return spec.min;
    case "boolean":
      return true;
    case "union":
      return sample(spec.members[0]);
    case "array":
      return [];
    default:
      return {};
  }
}

type Field = [path: string, spec: FieldSpec, base?: Case["base"]];

/**
 * Every field path in the spec (list items at index 0, a record's values under its example key, each variant of a
 * variant object), with the spec that governs it.
 */
function fields(spec: FieldSpec, at = "", base?: Case["base"]): Field[] {
  const here: Field[] = at ? [[at, spec, base]] : [];
  if (spec.kind === "object") return [...here, ...Object.entries(spec.fields).flatMap(([k, f]) => fields(f, at ? `${at}.${k}` : k, base))];
  if (spec.kind === "array") return [...here, ...fields(spec.items, `${at}[0]`, base).filter(([p]) => p !== `${at}[0]`)];
  if (spec.kind === "record") return [...here, ...fields(spec.values, recordEntry(at, spec.keyExample), base)];
  if (spec.kind === "variant") {
    return [
      ...here,
      ...Object.entries(spec.variants).flatMap(([kind, variant]) =>
        Object.entries(variant.fields)
          .filter(([k]) => k !== spec.discriminator)
          .flatMap(([k, f]) => fields(f, `${at}.${k}`, { path: at, value: VARIANT_EXAMPLES[kind] })),
      ),
    ];
  }
  return here;
}

/** Path segments: `a.b[0]` -> a, b, 0; a record key holding dots is written `a["core.parallelism"]`. */
function segments(fieldPath: string): string[] {
  return [...fieldPath.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : (m[2] ?? m[3])));
}

function setAt(target: Record<string, any>, fieldPath: string, value: unknown): void {
  const keys = segments(fieldPath);
  let node: any = target;
  keys.slice(0, -1).forEach((key, i) => {
    node[key] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
    node = node[key];
  });
  node[keys[keys.length - 1]] = value;
}

const devText = fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8");
const cases: Case[] = fields(ENVIRONMENT_SPEC).flatMap(([fieldPath, spec, base]) => rejectedValues(spec).map((value) => ({ path: fieldPath, value, base })));

function problemsFor(c: Case): readonly string[] {
  const raw = JSON.parse(devText);
  if (c.base) setAt(raw, c.base.path, structuredClone(c.base.value));
  setAt(raw, c.path, c.value);
  try {
    parseEnvironment("config/environments/dev.json", JSON.stringify(raw));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe("every field of an environment file", () => {
  it("is covered by at least two rejected values", () => {
    const covered = new Set(cases.map((c) => c.path));
    expect(
      fields(ENVIRONMENT_SPEC)
        .map(([p]) => p)
        .filter((p) => !covered.has(p)),
    ).toEqual([]);
    expect(covered.size).toBeGreaterThan(60);
  });

  it("walks every variant of a variant object", () => {
    const variantFields = fields(ENVIRONMENT_SPEC)
      .filter(([, , base]) => base)
      .map(([p, , base]) => `${kindOf(base!)} ${p}`);
    expect(variantFields).toEqual(
      expect.arrayContaining([
        "git dags.bundles[0].repository",
        "s3 dags.bundles[0].prefix",
        "efs dags.bundles[0].refreshIntervalSeconds",
        "oidc airflow.auth.clientSecretArn",
        "oidc airflow.auth.roleMapping.airflow-admins",
      ]),
    );
  });

  it.each(cases.map((c) => [c.base ? `${c.path} (${kindOf(c.base)})` : c.path, JSON.stringify(c.value).slice(0, 40), c] as const))(
    "rejects %s = %s, naming the file, environment, field and what is allowed",
    (_label, _shown, c) => {
      const fieldPath = c.path;
      const problems = problemsFor(c);
      const line = problems.find((p) => p.includes(` ${fieldPath} = `) || p.includes(` ${fieldPath}.`) || p.includes(` ${fieldPath}[`));
      expect({ fieldPath, line }).toEqual({
        fieldPath,
        line: expect.stringMatching(/^config\/environments\/dev\.json: (environment "dev": )?\S.* (expected|allowed|is required)/),
      });
    },
  );
});
