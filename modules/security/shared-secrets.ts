import type { Construct } from "constructs";
import { HEARTBEAT } from "../../runtime/metrics";
import type { Naming } from "../core/naming";
import { GeneratedSecret } from "./generated-secret";

/**
 * The Airflow secrets every component shares, generated without entering Terraform state: name, length and the
 * text around the generated part. The Fernet key is 43 alphanumerics plus "=", which decodes to 32 bytes.
 */
export const SHARED_SECRETS = [
  { key: "fernet_key", name: "fernet-key", description: "[core] fernet_key: encrypts connections and variables in the metadata DB", length: 43, suffix: "=" },
  { key: "api_secret_key", name: "api-secret-key", description: "[api] secret_key: signs log-server requests between api-server and workers", length: 64 },
  { key: "jwt_secret", name: "jwt-secret", description: "[api_auth] jwt_secret: signs Execution API and UI tokens; identical on every component", length: 64 },
  { key: "admin_password", name: "admin-password", description: "Password of the first Airflow admin, created by the migrate task", length: 32 },
  { key: "flower_basic_auth", name: "flower-basic-auth", description: "Flower basic auth (user:password)", length: 32, prefix: "flower:" },
  {
    key: "heartbeat_probe",
    name: `variables/${HEARTBEAT.probeVariable}`,
    description: "Airflow Variable the heartbeat DAG reads to prove the secrets backend works",
    length: 16,
  },
] as const;
export type SharedSecretKey = (typeof SHARED_SECRETS)[number]["key"];

export interface SharedSecretsOptions {
  /** Names of the environment: each secret is `<prefix>/<env>/<name>`. */
  readonly naming: Naming;
  /** The data key the secrets are encrypted with. */
  readonly kmsKeyArn: string;
  /** Days a deleted secret can still be restored. */
  readonly recoveryWindowDays: number;
}

/**
 * Generates the shared secrets as children of `scope` itself (ids `fernet-key`, ..., `variables-<probe>`): each
 * secret's ephemeral generator is named after its construct path, so the secrets sit where they always have.
 */
export function sharedSecrets(scope: Construct, options: SharedSecretsOptions): Readonly<Record<SharedSecretKey, GeneratedSecret>> {
  const secrets = {} as Record<SharedSecretKey, GeneratedSecret>;
  for (const spec of SHARED_SECRETS) {
    secrets[spec.key] = new GeneratedSecret(scope, spec.name.replace(/\//g, "-"), {
      name: options.naming.secret(spec.name),
      description: spec.description,
      kmsKeyArn: options.kmsKeyArn,
      length: spec.length,
      prefix: "prefix" in spec ? spec.prefix : undefined,
      suffix: "suffix" in spec ? spec.suffix : undefined,
      recoveryWindowDays: options.recoveryWindowDays,
    });
  }
  return secrets;
}
