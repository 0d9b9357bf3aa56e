import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Context, ScheduledEvent } from "aws-lambda";
import { parseConfig } from "./config";
import { SecretsManagerCredentials } from "./credentials";
import { defaultTls, type TlsSetting } from "./db";
import { runInvocation, type InvocationDeps, type InvocationResult } from "./invocation";
import { jsonLogger } from "./log";
import { cloudWatchPublisher } from "./publish";
import { ecsServiceReader } from "./services";

export type { InvocationResult } from "./invocation";

/** Everything an invocation depends on, plus where its configuration comes from; tests and the CLI replace parts of it. */
export interface HandlerDeps extends InvocationDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Upper bound of one invocation in ms, on top of the Lambda timeout (the CLI has no Lambda timeout). */
  readonly budgetMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

/** SDK clients fail fast: a hung call must not eat the invocation's budget. */
const SDK_CLIENT_CONFIG = { maxAttempts: 2, requestHandler: { connectionTimeout: 2000, requestTimeout: 4000 } };

let clients: Pick<HandlerDeps, "credentials" | "putMetricData" | "describeServices"> | undefined;
let cachedTls: TlsSetting | undefined;

/**
 * Each dependency a caller does not replace, built on first use and kept by the warm container: the SDK clients,
 * the credential cache and the CA bundle.
 */
function resolveDeps(overrides: Partial<HandlerDeps>): HandlerDeps {
  const shared = (): NonNullable<typeof clients> =>
    (clients ??= {
      credentials: new SecretsManagerCredentials(new SecretsManagerClient(SDK_CLIENT_CONFIG)),
      putMetricData: cloudWatchPublisher(new CloudWatchClient(SDK_CLIENT_CONFIG)),
      describeServices: ecsServiceReader(new ECSClient(SDK_CLIENT_CONFIG)),
    });
  const defaultTlsSetting = (): TlsSetting => {
    if (cachedTls === undefined) {
      const chosen = defaultTls();
      if (chosen.warning !== undefined) (overrides.log ?? jsonLogger).warn(chosen.warning);
      cachedTls = chosen.tls;
    }
    return cachedTls;
  };
  return {
    env: overrides.env ?? process.env,
    credentials: overrides.credentials ?? shared().credentials,
    putMetricData: overrides.putMetricData ?? shared().putMetricData,
    describeServices: overrides.describeServices ?? shared().describeServices,
    tls: overrides.tls ?? defaultTlsSetting(),
    log: overrides.log ?? jsonLogger,
    now: overrides.now ?? Date.now,
    sleep: overrides.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    connectTimeoutMs: overrides.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: overrides.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    reserveMs: overrides.reserveMs,
    budgetMs: overrides.budgetMs,
  };
}

export type QueueDepthHandler = (
  event: ScheduledEvent | Record<string, never>,
  context: Pick<Context, "getRemainingTimeInMillis">,
) => Promise<InvocationResult>;

/**
 * The handler with some dependencies replaced. Any failure (environment, secret, database, ECS, CloudWatch) is logged
 * and rethrown: the invocation fails, which the Lambda Errors metric and the on-failure destination see.
 */
export function createHandler(overrides: Partial<HandlerDeps> = {}): QueueDepthHandler {
  return async (_event, context) => {
    const deps = resolveDeps(overrides);
    const started = deps.now();
    const remainingMs = (): number => Math.min(context.getRemainingTimeInMillis(), (deps.budgetMs ?? Infinity) - (deps.now() - started));
    try {
      const config = parseConfig(deps.env);
      return await runInvocation(config, deps, remainingMs);
    } catch (error) {
      const e = error as Error;
      deps.log.error("Queue-depth publishing failed; no datum was published for the failed sample", { error: e.message });
      throw error;
    }
  };
}

/** The Lambda entry point (`index.handler`), run every minute by EventBridge. */
export const handler = createHandler();
