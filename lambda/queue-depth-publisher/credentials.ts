import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

export interface CredentialsSource {
  /** Credentials for `secretArn`: the cached copy unless `refresh` (after an authentication failure). */
  get(secretArn: string, refresh?: boolean): Promise<{ credentials: DatabaseCredentials; cached: boolean }>;
}

/**
 * Reads the RDS-managed master secret ({"username", "password", ...}) and keeps it for the warm container's next
 * invocations. The secret rotates: the caller asks for a refresh when PostgreSQL rejects the cached password.
 */
export class SecretsManagerCredentials implements CredentialsSource {
  private cache: { secretArn: string; credentials: DatabaseCredentials } | undefined;

  constructor(private readonly client: Pick<SecretsManagerClient, "send">) {}

  async get(secretArn: string, refresh = false): Promise<{ credentials: DatabaseCredentials; cached: boolean }> {
    if (!refresh && this.cache?.secretArn === secretArn) return { credentials: this.cache.credentials, cached: true };
    this.cache = undefined;
    const credentials = await fetchCredentials(this.client, secretArn);
    this.cache = { secretArn, credentials };
    return { credentials, cached: false };
  }
}

async function fetchCredentials(client: Pick<SecretsManagerClient, "send">, secretArn: string): Promise<DatabaseCredentials> {
  let secretString: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    secretString = out.SecretString;
  } catch (error) {
    const e = error as Error;
    throw new Error(`Cannot read the database secret ${secretArn}: ${e.name}: ${e.message}`, { cause: error });
  }
  if (secretString === undefined) throw new Error(`The database secret ${secretArn} has no SecretString; expected JSON with "username" and "password"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error(`The database secret ${secretArn} is not JSON; expected JSON with "username" and "password"`);
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== "string" || username === "" || typeof password !== "string" || password === "") {
    // Never echo the secret's content: only which keys are unusable.
    throw new Error(`The database secret ${secretArn} lacks a non-empty "username" or "password" string`);
  }
  return { username, password };
}
