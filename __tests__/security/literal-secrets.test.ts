import * as fs from "fs";
import * as path from "path";
import { sharedApp } from "../support/synth";

/**
 * Scans the synthesized JSON of every stack for literal secret values: credentials in sensitive attributes,
 * secret-looking environment variables in container definitions, key material and URLs with embedded passwords.
 * Generated values reach AWS only through references (`${...}`), write-only attributes fed by ephemeral
 * generators, or ECS `secrets` (valueFrom).
 */
const app = sharedApp();

/** Terraform attributes that hold a secret value when set. */
const SENSITIVE_ATTRIBUTES = new Set([
  "password",
  "master_password",
  "auth_token",
  "secret_string",
  "secret_binary",
  "secret_string_wo",
  "password_wo",
  "private_key",
  "secret_key",
  "access_key",
  "token",
]);
const SECRET_ENV_NAME = /(PASSWORD|SECRET|TOKEN|FERNET|PRIVATE_KEY|_KEY$|BASIC_AUTH|CONN$|BROKER_URL|RESULT_BACKEND)/i;
/** Names that match the pattern but configure where secrets live rather than hold one. */
const NOT_SECRET_ENV = new Set(["AIRFLOW__SECRETS__BACKEND", "AIRFLOW__SECRETS__BACKEND_KWARGS"]);
const LITERAL_PATTERNS: readonly [string, RegExp][] = [
  ["AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["private key material", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["URL with an embedded password", /\b[a-z+]+:\/\/[^\s:/@"]*:[^\s@"$]+@/],
];

function findings(value: unknown, where: string, out: string[]): void {
  if (typeof value === "string") {
    for (const [what, pattern] of LITERAL_PATTERNS) if (pattern.test(value)) out.push(`${where}: ${what}`);
    if (where.endsWith(".container_definitions")) containerFindings(value, where, out);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v, i) => findings(v, `${where}[${i}]`, out));
  if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (SENSITIVE_ATTRIBUTES.has(key) && typeof child === "string") {
        const generated = /^(?:[^$]*)\$\{(?:ephemeral|data|aws_|random_)[^}]+\}(?:[^$]*)$/.test(child);
        if (!generated) out.push(`${where}.${key}: literal value`);
      }
      findings(child, `${where}.${key}`, out);
    }
  }
}

function containerFindings(text: string, where: string, out: string[]): void {
  const containers = JSON.parse(text) as { name: string; environment?: { name: string; value: string }[] }[];
  for (const container of containers) {
    for (const variable of container.environment ?? []) {
      if (SECRET_ENV_NAME.test(variable.name) && !NOT_SECRET_ENV.has(variable.name))
        out.push(`${where} ${container.name}: environment ${variable.name} looks secret; inject it through "secrets"`);
    }
  }
}

describe.each(app.stacks.map((s) => [s.id, s] as const))("%s", (_id, stack) => {
  it("contains no literal secret value", () => {
    const json = JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8"));
    const out: string[] = [];
    findings(json, stack.id, out);
    expect(out).toEqual([]);
  });
});

describe("the literal-secret scanner", () => {
  it("flags a literal password, an access key, a URL with a password and a secret in a container environment", () => {
    // GIVEN a crafted stack JSON with four kinds of leaks
    const leaked = {
      resource: {
        aws_db_instance: { db: { password: "hunter2hunter2" } },
        aws_lambda_function: { fn: { environment: [{ variables: { AWS_KEY: "AKIAABCDEFGHIJKLMNOP", DB: "postgresql://airflow:pw123@db:5432/airflow" } }] } },
        aws_ecs_task_definition: {
          td: { container_definitions: JSON.stringify([{ name: "web", environment: [{ name: "AIRFLOW__CORE__FERNET_KEY", value: "x" }] }]) },
        },
      },
    };
    const out: string[] = [];
    // WHEN scanned
    findings(leaked, "crafted", out);
    // THEN each leak is reported with where it is
    expect(out).toEqual([
      "crafted.resource.aws_db_instance.db.password: literal value",
      "crafted.resource.aws_lambda_function.fn.environment[0].variables.AWS_KEY: AWS access key id",
      "crafted.resource.aws_lambda_function.fn.environment[0].variables.DB: URL with an embedded password",
      'crafted.resource.aws_ecs_task_definition.td.container_definitions web: environment AIRFLOW__CORE__FERNET_KEY looks secret; inject it through "secrets"',
    ]);
  });

  it("accepts references, write-only values fed by ephemeral generators and data-source reads", () => {
    const out: string[] = [];
    findings(
      {
        resource: {
          aws_secretsmanager_secret_version: { v: { secret_string_wo: "${ephemeral.aws_secretsmanager_random_password.x.random_password}=" } },
          aws_elasticache_replication_group: { r: { auth_token: "${data.aws_secretsmanager_secret_version.t.secret_string}" } },
        },
      },
      "crafted",
      out,
    );
    expect(out).toEqual([]);
  });
});
