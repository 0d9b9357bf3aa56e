import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../config/load";
import type { EnvironmentConfig } from "../../config/schema";

/** `airflow.auth` and `workerPools[].taskRole`: defaults, and every rule of config/validate-access.ts with its message. */

const SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/oidc-client-secret-AbC123";
const CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
const where = 'config/environments/dev.json: environment "dev": ';

/** dev.json with HTTPS on a hostname (what OIDC needs), then `mutate`. */
function dev(mutate: (raw: Record<string, any>) => void = () => undefined): Record<string, any> {
  const raw = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));
  raw.alb = { ...raw.alb, certificateArn: CERTIFICATE, hostname: "airflow-dev.example.com" };
  mutate(raw);
  return raw;
}

const oidc = (extra: Record<string, unknown> = {}) => ({
  kind: "oidc",
  issuerUrl: "https://login.example.com/realms/data",
  clientId: "airflow-dev",
  clientSecretArn: SECRET,
  roleMapping: { "airflow-admins": ["Admin"], analysts: ["Viewer"] },
  ...extra,
});

function parse(raw: Record<string, any>): EnvironmentConfig {
  return parseEnvironment(`config/environments/${raw.name}.json`, JSON.stringify(raw));
}

function problems(raw: Record<string, any>): string[] {
  try {
    parse(raw);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

describe("airflow.auth", () => {
  it("is FAB passwords when absent", () => {
    expect(parse(dev()).airflow.auth).toEqual({ kind: "fab" });
  });

  it("fills in the OIDC defaults: openid email profile, the groups claim, the Public role, provider oidc", () => {
    // GIVEN an OIDC setting with only the required fields WHEN loaded THEN the defaults are the secure ones
    expect(parse(dev((raw) => (raw.airflow.auth = oidc()))).airflow.auth).toEqual({
      ...oidc(),
      scopes: ["openid", "email", "profile"],
      roleClaim: "groups",
      defaultRole: "Public",
      providerName: "oidc",
    });
  });

  it("tells a file still using authManager what replaced it", () => {
    expect(problems(dev((raw) => (raw.airflow.authManager = "fab"))).join("\n")).toContain(
      `${where}airflow.authManager = "fab" was replaced by airflow.auth; expected "auth": {"kind": "fab"} (or "simple", or "oidc" with its settings) instead`,
    );
  });

  it("refuses OIDC without HTTPS and a hostname, naming the callback URL", () => {
    // GIVEN an environment serving plain HTTP on the ALB's own DNS name
    const found = problems(
      dev((raw) => {
        raw.alb = { internetFacing: false, allowedCidrs: ["10.0.0.0/8"] };
        raw.airflow.auth = oidc({ providerName: "corp" });
      }),
    );
    // THEN both are required, each message saying why
    expect(found).toEqual([
      `${where}alb.certificateArn = (missing) is required with airflow.auth.kind "oidc"; expected an ACM certificate ARN (the identity provider sends the authorization code to the https callback https://<alb.hostname>/auth/oauth-authorized/corp)`,
      `${where}alb.hostname = (missing) is required with airflow.auth.kind "oidc"; expected the DNS name users reach Airflow at, which the certificate covers (the callback https://<alb.hostname>/auth/oauth-authorized/corp is registered at the identity provider)`,
    ]);
  });

  it.each([
    ["another account", "arn:aws:secretsmanager:eu-west-1:999999999999:secret:airflow/dev/oidc-AbC123", 'secret "airflow/dev/oidc" in 999999999999/eu-west-1'],
    ["another region", "arn:aws:secretsmanager:us-east-1:111111111111:secret:airflow/dev/oidc-AbC123", 'secret "airflow/dev/oidc" in 111111111111/us-east-1'],
    [
      "outside the environment's prefix",
      "arn:aws:secretsmanager:eu-west-1:111111111111:secret:shared/oidc-AbC123",
      'secret "shared/oidc" in 111111111111/eu-west-1',
    ],
  ])("refuses a client secret in %s", (_case, arn, found) => {
    expect(problems(dev((raw) => (raw.airflow.auth = oidc({ clientSecretArn: arn }))))).toEqual([
      `${where}airflow.auth.clientSecretArn = "${arn}" is ${found}; expected a secret of account 111111111111 in eu-west-1 named under airflow/dev/ (the execution role reads only the environment's own secrets)`,
    ]);
  });

  it("requires the openid scope and a group mapped to Admin", () => {
    const found = problems(dev((raw) => (raw.airflow.auth = oidc({ scopes: ["email", "profile"], roleMapping: { analysts: ["Viewer", "User"] } }))));
    expect(found).toEqual([
      `${where}airflow.auth.scopes = ["email","profile"] lacks "openid"; expected "openid" among the scopes (the verified ID token carries the claims)`,
      `${where}airflow.auth.roleMapping = {"analysts":["Viewer","User"]} grants "Admin" to no group; expected at least one group mapped to "Admin" (with OIDC nobody signs in with a password, so only a mapped group can administer Airflow)`,
    ]);
  });

  it("accepts only Airflow's roles and https issuers", () => {
    const found = problems(
      dev((raw) => (raw.airflow.auth = oidc({ issuerUrl: "http://login.example.com", roleMapping: { admins: ["Superuser"] }, defaultRole: "Guest" }))),
    );
    expect(found).toEqual([
      `${where}airflow.auth.issuerUrl = "http://login.example.com" is not allowed; expected an https URL without query or credentials, e.g. https://login.example.com/realms/data or https://example.okta.com/oauth2/default`,
      `${where}airflow.auth.roleMapping.admins[0] = "Superuser" is not allowed; expected "Admin", "Op", "User", "Viewer" or "Public"`,
      `${where}airflow.auth.defaultRole = "Guest" is not allowed; expected "Admin", "Op", "User", "Viewer" or "Public"`,
    ]);
  });

  it("refuses fields of another sign-in kind", () => {
    expect(problems(dev((raw) => (raw.airflow.auth = { kind: "fab", clientId: "x" })))).toEqual([
      `${where}airflow.auth.clientId = "x" is not a known field; allowed fields here: kind`,
    ]);
  });

  it("refuses the simple auth manager in production but accepts FAB and OIDC there", () => {
    const prod = () => JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "prod.json"), "utf8"));
    const simple = prod();
    simple.airflow.auth = { kind: "simple" };
    expect(problems(simple)).toEqual([
      'config/environments/prod.json: environment "prod": airflow.auth.kind = "simple" is not allowed in a production environment; expected "fab" or "oidc" (the simple auth manager is for development)',
    ]);
    const fab = prod();
    fab.airflow.auth = { kind: "fab" };
    expect(problems(fab)).toEqual([]);
    expect(parse(prod()).airflow.auth.kind).toBe("oidc");
  });
});

describe("workerPools[].taskRole", () => {
  const withRole = (taskRole: unknown) => dev((raw) => (raw.workerPools[0].taskRole = taskRole));
  const at = `${where}workerPools[0].taskRole`;

  it("is absent unless declared, and its lists default to empty", () => {
    expect(parse(dev()).workerPools[0].taskRole).toBeUndefined();
    expect(parse(withRole({ s3ReadPrefixes: ["s3://team-data/raw/"] })).workerPools[0].taskRole).toEqual({
      s3Prefixes: [],
      s3ReadPrefixes: ["s3://team-data/raw/"],
      secretsPrefixes: [],
      kmsKeyArns: [],
      managedPolicyArns: [],
    });
  });

  it("refuses a declaration that grants nothing", () => {
    expect(problems(withRole({}))).toEqual([
      expect.stringMatching(
        /^config\/environments\/dev\.json: environment "dev": workerPools\[0\]\.taskRole = \{"s3Prefixes":\[\],.* grants nothing; expected at least one grant, or no taskRole \(the pool then runs with the shared worker role\)$/,
      ),
    ]);
  });

  it.each(["s3://team-data", "s3://team-data/", "s3://team-data/*", "s3://team-data/raw", "s3://team-data/raw/*/", "s3://team-data/${aws:username}/"])(
    "refuses the S3 location %s (whole buckets, wildcards, variables, no trailing slash)",
    (uri) => {
      expect(problems(withRole({ s3Prefixes: [uri] }))).toEqual([
        `${at}.s3Prefixes[0] = "${uri}" is not allowed; expected an S3 folder s3://<bucket>/<prefix>/ with a non-empty prefix ending in / (letters, digits and ! _ . ' ( ) = + -; no * ? $ or whole buckets)`,
      ]);
    },
  );

  it("refuses the environment's own buckets and the state bucket", () => {
    const found = problems(withRole({ s3Prefixes: ["s3://airflow-dev-dags-111111111111/dags/"], s3ReadPrefixes: ["s3://airflow-tfstate-111111111111/dev/"] }));
    expect(found).toEqual([
      `${at}.s3Prefixes[0] = "s3://airflow-dev-dags-111111111111/dags/" is in the environment's own bucket airflow-dev-dags-111111111111; expected a team bucket (not the state bucket nor a airflow-dev-* bucket: writing DAGs or logs would reach every team)`,
      `${at}.s3ReadPrefixes[0] = "s3://airflow-tfstate-111111111111/dev/" is in the environment's own bucket airflow-tfstate-111111111111; expected a team bucket (not the state bucket nor a airflow-dev-* bucket: writing DAGs or logs would reach every team)`,
    ]);
  });

  it("accepts secrets only in a folder of their own under the environment's prefix", () => {
    // GIVEN a Git bundle whose credentials live under airflow/dev/dags/
    const raw = withRole({ secretsPrefixes: ["teams/ml/", "airflow/dev/", "airflow/dev/connections/", "airflow/dev/dags/", "airflow/dev/teams/ml/"] });
    raw.dags = {
      bundles: [
        {
          name: "platform",
          source: "git",
          repository: "git@github.com:o/r.git",
          ref: "main",
          credentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/dags/deploy-key-AbC123",
        },
      ],
    };
    // THEN everything but the team's own folder is refused
    expect(problems(raw)).toEqual([
      `${at}.secretsPrefixes[0] = "teams/ml/" is outside the environment's secrets; expected a prefix under airflow/dev/`,
      `${at}.secretsPrefixes[1] = "airflow/dev/" covers the environment's own or its secrets backend's secrets; expected a folder of its own under airflow/dev/, not airflow/dev/connections/ or airflow/dev/variables/`,
      `${at}.secretsPrefixes[2] = "airflow/dev/connections/" covers the environment's own or its secrets backend's secrets; expected a folder of its own under airflow/dev/, not airflow/dev/connections/ or airflow/dev/variables/`,
      `${at}.secretsPrefixes[3] = "airflow/dev/dags/" covers the secret airflow/dev/dags/deploy-key another setting of this file names; expected a folder holding only the pool's secrets`,
    ]);
  });

  it("refuses a prefix covering the OIDC client secret", () => {
    const raw = withRole({ secretsPrefixes: ["airflow/dev/oidc/"] });
    raw.airflow.auth = oidc({ clientSecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/oidc/client-AbC123" });
    expect(problems(raw)).toEqual([
      `${at}.secretsPrefixes[0] = "airflow/dev/oidc/" covers the secret airflow/dev/oidc/client another setting of this file names; expected a folder holding only the pool's secrets`,
    ]);
  });

  it("accepts customer managed policies of the environment's account only", () => {
    const found = problems(
      withRole({
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/AmazonS3FullAccess",
          "arn:aws:iam::999999999999:policy/team",
          "arn:aws:iam::111111111111:policy/teams/ml-read",
          "arn:aws:iam::111111111111:role/not-a-policy",
        ],
      }),
    );
    expect(found).toEqual([
      `${at}.managedPolicyArns[3] = "arn:aws:iam::111111111111:role/not-a-policy" is not allowed; expected an IAM customer managed policy ARN of the environment's account, e.g. arn:aws:iam::123456789012:policy/ml-feature-store-read`,
    ]);
    expect(problems(withRole({ managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::999999999999:policy/team"] }))).toEqual([
      `${at}.managedPolicyArns[0] = "arn:aws:iam::aws:policy/AmazonS3FullAccess" is an AWS managed policy; expected a customer managed policy of the environment's account (AWS managed policies are broad and change without review)`,
      `${at}.managedPolicyArns[1] = "arn:aws:iam::999999999999:policy/team" belongs to account 999999999999; expected a policy of account 111111111111`,
    ]);
  });

  it("accepts KMS key ARNs, not aliases", () => {
    expect(problems(withRole({ kmsKeyArns: ["arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"] }))).toEqual([]);
    expect(problems(withRole({ kmsKeyArns: ["arn:aws:kms:eu-west-1:111111111111:alias/team"] }))[0]).toContain(
      `${at}.kmsKeyArns[0] = "arn:aws:kms:eu-west-1:111111111111:alias/team" is not allowed; expected a KMS key ARN`,
    );
  });
});
