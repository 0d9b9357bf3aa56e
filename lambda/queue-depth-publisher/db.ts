import * as fs from "fs";
import { Client, DatabaseError, type ClientConfig } from "pg";
import type { DatabaseEndpoint } from "./config";
import type { DatabaseCredentials } from "./credentials";

/**
 * How the client protects the connection:
 * - `verify-full`: TLS, the server certificate must chain to `ca` and name the host (the Lambda default: the
 *   Node.js 20+ Lambda runtimes ship every Amazon CA, RDS included, in /var/runtime/ca-cert.pem without loading it);
 * - `require`: TLS without verifying the server (encrypted, not authenticated; what `sslmode=require` does);
 * - `disable`: plain TCP, for tests and local servers only (RDS with `rds.force_ssl=1` refuses it).
 */
export type TlsSetting = { readonly mode: "verify-full"; readonly ca: string | Buffer } | { readonly mode: "require" } | { readonly mode: "disable" };

/** The CA bundle of the Lambda Node.js runtimes (not loaded by default since Node.js 20). */
export const LAMBDA_CA_BUNDLE = "/var/runtime/ca-cert.pem";

/** Verify against the Lambda CA bundle when present; otherwise encrypt without verifying (and say so). */
export function defaultTls(caFile: string = LAMBDA_CA_BUNDLE): { tls: TlsSetting; warning?: string } {
  try {
    return { tls: { mode: "verify-full", ca: fs.readFileSync(caFile) } };
  } catch {
    return {
      tls: { mode: "require" },
      warning: `CA bundle ${caFile} is not readable: the database connection is encrypted but the server certificate is not verified`,
    };
  }
}

export interface ConnectOptions {
  readonly tls: TlsSetting;
  readonly connectTimeoutMs: number;
  /** Server-side statement_timeout and client-side query timeout of every query. */
  readonly statementTimeoutMs: number;
}

/** A failed connect or query, with where it went and what failed; `authentication` marks a rejected password. */
export class DatabaseUnavailableError extends Error {
  constructor(
    message: string,
    readonly authentication: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

export const APPLICATION_NAME = "airflow-queue-depth-publisher";

/** SQLSTATEs of a rejected login: invalid_password, invalid_authorization_specification. */
const AUTHENTICATION_FAILURES = new Set(["28P01", "28000"]);

/** pg's message when `connectionTimeoutMillis` expires (older releases said "Connection terminated due to connection timeout"). */
const PG_CONNECT_TIMEOUT = new Set(["timeout expired", "Connection terminated due to connection timeout"]);

function describe(error: unknown, connectTimeoutMs?: number): string {
  if (error instanceof DatabaseError) return `${error.message} (SQLSTATE ${error.code})`;
  // Socket errors may come from another realm (Node core under a test sandbox): no `instanceof Error`.
  const message = typeof error === "object" && error !== null && "message" in error ? String((error as { message: unknown }).message) : String(error);
  if (connectTimeoutMs !== undefined && PG_CONNECT_TIMEOUT.has(message)) return `no answer within the ${connectTimeoutMs} ms connect timeout`;
  return message;
}

function where(endpoint: DatabaseEndpoint): string {
  return `PostgreSQL at ${endpoint.host}:${endpoint.port} (database "${endpoint.database}")`;
}

export function clientConfig(endpoint: DatabaseEndpoint, credentials: DatabaseCredentials, options: ConnectOptions): ClientConfig {
  const tls = options.tls;
  return {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: credentials.username,
    password: credentials.password,
    ssl: tls.mode === "disable" ? false : tls.mode === "require" ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ca: tls.ca },
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    application_name: APPLICATION_NAME,
    // The publisher only reads: a bug can never write to the metadata database.
    options: "-c default_transaction_read_only=on",
  };
}

/** One connection to the metadata database, held for the whole invocation. */
export class MetadataDatabase {
  private constructor(
    private readonly client: Client,
    readonly endpoint: DatabaseEndpoint,
  ) {}

  static async connect(endpoint: DatabaseEndpoint, credentials: DatabaseCredentials, options: ConnectOptions): Promise<MetadataDatabase> {
    const client = new Client(clientConfig(endpoint, credentials, options));
    // A connection lost between queries is reported by the next query; without a listener it would crash the process.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      const code = error instanceof DatabaseError ? error.code : undefined;
      throw new DatabaseUnavailableError(
        `Cannot connect to ${where(endpoint)} as "${credentials.username}" with TLS ${options.tls.mode}: ${describe(error, options.connectTimeoutMs)}`,
        code !== undefined && AUTHENTICATION_FAILURES.has(code),
        { cause: error },
      );
    }
    return new MetadataDatabase(client, endpoint);
  }

  async query<T extends object>(purpose: string, sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await this.client.query<T>(sql, params)).rows;
    } catch (error) {
      throw new DatabaseUnavailableError(`${purpose} failed on ${where(this.endpoint)}: ${describe(error)}`, false, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
