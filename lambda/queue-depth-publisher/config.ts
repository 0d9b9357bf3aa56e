import { PUBLISHER_ENV } from "../../runtime/lambda";

/**
 * One worker pool as the publisher sees it: its ECS service, the queues it consumes and the bounds of its desired
 * count.
 */
export interface PoolSpec {
  readonly name: string;
  /** Name of the pool's ECS service in the cluster (its desired count is the pool's current worker count). */
  readonly service: string;
  readonly queues: readonly string[];
  /** Celery worker concurrency: task slots per worker, the divisor of the scaling rule. */
  readonly concurrency: number;
  readonly minCount: number;
  readonly maxCount: number;
}

export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

export interface PublisherConfig {
  readonly pools: readonly PoolSpec[];
  /** Name of the ECS cluster running the pools' services. */
  readonly cluster: string;
  /** Environment name: the Environment dimension of every datum. */
  readonly environment: string;
  /** ARN of the RDS-managed master secret (JSON with username and password). */
  readonly dbSecretArn: string;
  readonly db: DatabaseEndpoint;
  readonly samplesPerInvocation: number;
  readonly sampleIntervalSeconds: number;
}

/** Thrown when the Lambda's environment is missing a variable or holds a value it cannot use. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid queue-depth publisher environment:\n${problems.map((p) => `- ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Bounds of the sampling scheme: a Lambda runs at most 900 s, and one EventBridge tick is 60 s. */
export const MAX_SAMPLES_PER_INVOCATION = 60;
export const MAX_SAMPLE_INTERVAL_SECONDS = 60;
export const MAX_SAMPLING_SPAN_SECONDS = 840;

const POOL_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const ENVIRONMENT_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Any name: RDS-managed secrets are called `rds!db-<uuid>`, outside the characters a user-created secret may use.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/;
const HOST = /^[A-Za-z0-9.:-]+$/;
/** ECS cluster and service names: up to 255 letters, digits, hyphens and underscores (no ARN). */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ECS_NAME_RULE = "letters, digits, hyphens and underscores, 1 to 255 characters";
const POOL_FIELDS = "{name, service, queues, concurrency, minCount, maxCount}";
const POOLS_SHAPE = `a JSON array of ${POOL_FIELDS}`;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the publisher's environment (the names of PUBLISHER_ENV). Every problem is collected, so one
 * failed invocation lists everything an operator has to fix; each line names the variable and what it accepts.
 */
export function parseConfig(env: Env): PublisherConfig {
  const problems: string[] = [];
  const required = (name: string, expected: string): string | undefined => {
    const value = env[name];
    if (value === undefined || value.trim() === "") {
      problems.push(`${name} is not set; expected ${expected}`);
      return undefined;
    }
    return value.trim();
  };
  const matching = (name: string, pattern: RegExp, expected: string): string | undefined => {
    const value = required(name, expected);
    if (value !== undefined && !pattern.test(value)) {
      problems.push(`${name} is ${JSON.stringify(value)}; expected ${expected}`);
      return undefined;
    }
    return value;
  };
  const integer = (name: string, min: number, max: number): number | undefined => {
    const expected = `an integer from ${min} to ${max}`;
    const value = required(name, expected);
    if (value === undefined) return undefined;
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} is ${JSON.stringify(value)}; expected ${expected}`);
      return undefined;
    }
    return n;
  };

  const pools = parsePools(env[PUBLISHER_ENV.pools], problems);
  const cluster = matching(PUBLISHER_ENV.cluster, ECS_NAME, `the name of the ECS cluster of the worker services (${ECS_NAME_RULE})`);
  const environment = matching(PUBLISHER_ENV.environment, ENVIRONMENT_NAME, "the environment name (lowercase letters, digits and inner hyphens)");
  const dbSecretArn = matching(
    PUBLISHER_ENV.dbSecretArn,
    SECRET_ARN,
    "the ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
  );
  const host = matching(PUBLISHER_ENV.dbHost, HOST, "the database host name or IP address");
  const port = integer(PUBLISHER_ENV.dbPort, 1, 65535);
  const database = required(PUBLISHER_ENV.dbName, "the name of the Airflow metadata database");
  const samples = integer(PUBLISHER_ENV.samplesPerInvocation, 1, MAX_SAMPLES_PER_INVOCATION);
  const interval = integer(PUBLISHER_ENV.sampleIntervalSeconds, 0, MAX_SAMPLE_INTERVAL_SECONDS);
  if (samples !== undefined && interval !== undefined && (samples - 1) * interval > MAX_SAMPLING_SPAN_SECONDS) {
    problems.push(
      `${PUBLISHER_ENV.samplesPerInvocation} (${samples}) and ${PUBLISHER_ENV.sampleIntervalSeconds} (${interval}) span ${(samples - 1) * interval} s; ` +
        `expected at most ${MAX_SAMPLING_SPAN_SECONDS} s so one invocation fits the 900 s Lambda maximum`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    pools: pools!,
    cluster: cluster!,
    environment: environment!,
    dbSecretArn: dbSecretArn!,
    db: { host: host!, port: port!, database: database! },
    samplesPerInvocation: samples!,
    sampleIntervalSeconds: interval!,
  };
}

/** Every queue some pool consumes, in pool order (the parameter of the scaling query). */
export function routedQueues(pools: readonly PoolSpec[]): string[] {
  return pools.flatMap((p) => p.queues);
}

function parsePools(raw: string | undefined, problems: string[]): PoolSpec[] | undefined {
  const name = PUBLISHER_ENV.pools;
  if (raw === undefined || raw.trim() === "") {
    problems.push(`${name} is not set; expected ${POOLS_SHAPE}`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name} is not valid JSON; expected ${POOLS_SHAPE}`);
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push(`${name} is ${JSON.stringify(parsed)}; expected ${POOLS_SHAPE} with at least one pool`);
    return undefined;
  }
  const before = problems.length;
  const names = new Set<string>();
  const services = new Set<string>();
  const owners = new Map<string, string>();
  const pools = parsed.map((item: unknown, i): PoolSpec | undefined => {
    const at = `${name}[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push(`${at} is ${JSON.stringify(item)}; expected an object ${POOL_FIELDS}`);
      return undefined;
    }
    const pool = item as Record<string, unknown>;
    const count = (key: string, min: number): number | undefined => {
      const value = pool[key];
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
        problems.push(`${at}.${key} is ${JSON.stringify(value) ?? "missing"}; expected an integer >= ${min}`);
        return undefined;
      }
      return value;
    };
    let poolName: string | undefined;
    if (typeof pool.name !== "string" || !POOL_NAME.test(pool.name)) {
      problems.push(`${at}.name is ${JSON.stringify(pool.name) ?? "missing"}; expected lowercase letters, digits and inner hyphens`);
    } else if (names.has(pool.name)) {
      problems.push(`${at}.name "${pool.name}" is used by another pool; expected unique pool names`);
    } else {
      poolName = pool.name;
      names.add(pool.name);
    }
    let service: string | undefined;
    if (typeof pool.service !== "string" || !ECS_NAME.test(pool.service)) {
      problems.push(`${at}.service is ${JSON.stringify(pool.service) ?? "missing"}; expected the name of the pool's ECS service (${ECS_NAME_RULE})`);
    } else if (services.has(pool.service)) {
      problems.push(`${at}.service "${pool.service}" is used by another pool; expected one ECS service per pool`);
    } else {
      service = pool.service;
      services.add(pool.service);
    }
    const queues = pool.queues;
    if (!Array.isArray(queues) || queues.length === 0 || queues.some((q) => typeof q !== "string" || q.trim() === "" || q !== q.trim())) {
      problems.push(`${at}.queues is ${JSON.stringify(queues) ?? "missing"}; expected a non-empty array of queue names`);
    } else {
      for (const queue of queues as string[]) {
        const owner = owners.get(queue);
        if (owner !== undefined) {
          problems.push(`${at}.queues: queue "${queue}" is already consumed by ${owner}; expected each queue in exactly one pool`);
        } else {
          owners.set(queue, poolName !== undefined ? `pool "${poolName}"` : `${at}`);
        }
      }
    }
    const concurrency = count("concurrency", 1);
    const minCount = count("minCount", 0);
    const maxCount = count("maxCount", 1);
    if (minCount !== undefined && maxCount !== undefined && minCount > maxCount) {
      problems.push(`${at}.minCount (${minCount}) is greater than maxCount (${maxCount}); expected minCount <= maxCount`);
    }
    if (poolName === undefined || service === undefined || concurrency === undefined || minCount === undefined || maxCount === undefined) return undefined;
    return { name: poolName, service, queues: [...(queues as string[])], concurrency, minCount, maxCount };
  });
  return problems.length === before ? (pools as PoolSpec[]) : undefined;
}
