/**
 * Cross-field rules on who may do what: the sign-in settings (`airflow.auth`) and the worker pools' own task roles
 * (`workerPools[].taskRole`). Called by `validateEnvironment`; each issue names the field, the value and what is allowed.
 */
import { oidcCallbackUrl } from "../runtime/sign-in";
import type { EnvironmentConfig, OidcAuthConfig, WorkerTaskRoleConfig } from "./schema";
import type { Report } from "./validate";

/** `<namePrefix>/<name>/`: the environment's own secrets (the secrets backend and the platform's secrets live below it). */
function environmentSecretPrefix(config: EnvironmentConfig): string {
  return `${config.namePrefix}/${config.name}/`;
}

/** Account, region and name of a Secrets Manager secret ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>`). */
function secretArnParts(arn: string): { region: string; account: string; name: string } {
  const [, , , region, account] = arn.split(":");
  return { region, account, name: arn.slice(arn.indexOf(":secret:") + ":secret:".length).replace(/-[A-Za-z0-9]{6}$/, "") };
}

/** OIDC: HTTPS on a stable hostname (the callback URL), the client secret among the environment's secrets, `openid`, an admin group. */
export function checkAuth(config: EnvironmentConfig, report: Report): void {
  const auth = config.airflow.auth;
  if (auth.kind !== "oidc") return;
  const { alb, account } = config;
  const callback = oidcCallbackUrl(`https://${alb.hostname ?? "<alb.hostname>"}`, auth.providerName);
  if (!alb.certificateArn) {
    report(
      "alb.certificateArn",
      undefined,
      `is required with airflow.auth.kind "oidc"; expected an ACM certificate ARN (the identity provider sends the authorization code to the https callback ${callback})`,
    );
  }
  if (!alb.hostname) {
    report(
      "alb.hostname",
      undefined,
      `is required with airflow.auth.kind "oidc"; expected the DNS name users reach Airflow at, which the certificate covers (the callback ${callback} is registered at the identity provider)`,
    );
  }
  const secret = secretArnParts(auth.clientSecretArn);
  const prefix = environmentSecretPrefix(config);
  if (secret.account !== account.id || secret.region !== account.region || !secret.name.startsWith(prefix)) {
    report(
      "airflow.auth.clientSecretArn",
      auth.clientSecretArn,
      `is secret "${secret.name}" in ${secret.account}/${secret.region}; expected a secret of account ${account.id} in ${account.region} named under ${prefix} (the execution role reads only the environment's own secrets)`,
    );
  }
  if (!auth.scopes.includes("openid")) {
    report("airflow.auth.scopes", auth.scopes, 'lacks "openid"; expected "openid" among the scopes (the verified ID token carries the claims)');
  }
  if (!Object.values(auth.roleMapping).some((roles) => roles.includes("Admin"))) {
    report(
      "airflow.auth.roleMapping",
      auth.roleMapping,
      'grants "Admin" to no group; expected at least one group mapped to "Admin" (with OIDC nobody signs in with a password, so only a mapped group can administer Airflow)',
    );
  }
}

/** Names of the secrets the environment file itself points at (Git bundle credentials, the OIDC client secret). */
function configuredSecretNames(config: EnvironmentConfig, auth: OidcAuthConfig | undefined): string[] {
  const arns = config.dags.bundles.flatMap((b) => (b.source === "git" && b.credentialsSecretArn ? [b.credentialsSecretArn] : []));
  if (auth) arns.push(auth.clientSecretArn);
  return arns.map((arn) => secretArnParts(arn).name);
}

/**
 * A pool's own grants stay away from the platform: no bucket of the environment or its state, secrets only below
 * the environment's prefix but outside the secrets backend and the secrets other settings name, and only customer
 * managed policies of the environment's account (AWS managed ones are broad and change without review).
 */
export function checkWorkerTaskRoles(config: EnvironmentConfig, report: Report): void {
  const auth = config.airflow.auth.kind === "oidc" ? config.airflow.auth : undefined;
  config.workerPools.forEach((pool, i) => {
    if (!pool.taskRole) return;
    checkTaskRole(config, `workerPools[${i}].taskRole`, pool.taskRole, configuredSecretNames(config, auth), report);
  });
}

function checkTaskRole(config: EnvironmentConfig, path: string, role: WorkerTaskRoleConfig, platformSecrets: readonly string[], report: Report): void {
  const { s3Prefixes, s3ReadPrefixes, secretsPrefixes, kmsKeyArns, managedPolicyArns } = role;
  if ([s3Prefixes, s3ReadPrefixes, secretsPrefixes, kmsKeyArns, managedPolicyArns].every((grants) => grants.length === 0)) {
    report(path, role, "grants nothing; expected at least one grant, or no taskRole (the pool then runs with the shared worker role)");
  }
  const platformBuckets = `${config.namePrefix}-${config.name}-`;
  for (const [field, prefixes] of [
    ["s3Prefixes", s3Prefixes],
    ["s3ReadPrefixes", s3ReadPrefixes],
  ] as const) {
    prefixes.forEach((uri, j) => {
      const bucket = uri.slice("s3://".length).split("/")[0];
      if (bucket === config.state.bucket || bucket.startsWith(platformBuckets)) {
        report(
          `${path}.${field}[${j}]`,
          uri,
          `is in the environment's own bucket ${bucket}; expected a team bucket (not the state bucket nor a ${platformBuckets}* bucket: writing DAGs or logs would reach every team)`,
        );
      }
    });
  }
  const envPrefix = environmentSecretPrefix(config);
  const backend = ["connections/", "variables/"].map((kind) => `${envPrefix}${kind}`);
  secretsPrefixes.forEach((prefix, j) => {
    const covered = platformSecrets.find((name) => name.startsWith(prefix));
    const problem = !prefix.startsWith(envPrefix)
      ? `is outside the environment's secrets; expected a prefix under ${envPrefix}`
      : prefix === envPrefix || backend.some((b) => prefix.startsWith(b))
        ? `covers the environment's own or its secrets backend's secrets; expected a folder of its own under ${envPrefix}, not ${backend.join(" or ")}`
        : covered
          ? `covers the secret ${covered} another setting of this file names; expected a folder holding only the pool's secrets`
          : undefined;
    if (problem) report(`${path}.secretsPrefixes[${j}]`, prefix, problem);
  });
  managedPolicyArns.forEach((arn, j) => {
    const owner = arn.split(":")[4];
    if (owner === "aws") {
      report(
        `${path}.managedPolicyArns[${j}]`,
        arn,
        "is an AWS managed policy; expected a customer managed policy of the environment's account (AWS managed policies are broad and change without review)",
      );
    } else if (owner !== config.account.id) {
      report(`${path}.managedPolicyArns[${j}]`, arn, `belongs to account ${owner}; expected a policy of account ${config.account.id}`);
    }
  });
}
