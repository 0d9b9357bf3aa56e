import { QUEUE_METRICS } from "../../runtime/metrics";
import { poolDepths, type PoolDepth } from "./compute";
import { routedQueues, type PublisherConfig } from "./config";
import type { CredentialsSource } from "./credentials";
import { DatabaseUnavailableError, MetadataDatabase, type ConnectOptions } from "./db";
import type { Logger } from "./log";
import { metricData, publishMetricData, type PutMetricData } from "./publish";
import { queryQueueDepth, queryUnroutedQueues } from "./queries";
import { readDesiredCounts, type DescribeServices } from "./services";

export interface InvocationDeps extends ConnectOptions {
  readonly credentials: CredentialsSource;
  readonly putMetricData: PutMetricData;
  /** Reads the pool services' desired counts from ECS (once per sample). */
  readonly describeServices: DescribeServices;
  readonly log: Logger;
  /** Wall clock in epoch milliseconds (the sample timestamps). */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * Time a sample needs (query and ECS read, concurrently; publish; close): no sample starts with less than this
   * left. Defaults to the statement timeout plus 6 s.
   */
  readonly reserveMs?: number;
}

export interface InvocationResult {
  /** Samples taken and published. */
  readonly samples: number;
  /** True when the remaining time cut the sampling short. */
  readonly stoppedEarly: boolean;
  readonly putMetricDataCalls: number;
  /** Queued + running task instances on queues no pool consumes, by queue (first sample). */
  readonly unroutedQueues: Readonly<Record<string, number>>;
  /** The last sample. */
  readonly pools: readonly PoolDepth[];
}

/** Time a sample needs beyond its statement timeout: publish (two SDK attempts) and closing the connection. */
export const PUBLISH_RESERVE_MS = 6000;

/** Connects with the cached credentials; when PostgreSQL rejects them (rotated secret), refetches and retries once. */
async function connect(config: PublisherConfig, deps: InvocationDeps): Promise<MetadataDatabase> {
  const first = await deps.credentials.get(config.dbSecretArn);
  try {
    return await MetadataDatabase.connect(config.db, first.credentials, deps);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError && error.authentication && first.cached)) throw error;
    deps.log.info("Database rejected the cached credentials; reading the secret again (rotated?)", { secretArn: config.dbSecretArn });
    const fresh = await deps.credentials.get(config.dbSecretArn, true);
    return await MetadataDatabase.connect(config.db, fresh.credentials, deps);
  }
}

/**
 * One sample: the queue-depth query and the ECS read of the pool services' desired counts, run concurrently. Both
 * are awaited before anything is decided, so neither is left running; if either fails the sample fails (a database
 * failure is thrown first, the other failure logged).
 */
async function takeSample(
  config: PublisherConfig,
  deps: InvocationDeps,
  db: MetadataDatabase,
  queues: readonly string[],
  sampleTime: Date,
): Promise<PoolDepth[]> {
  const [rows, current] = await Promise.allSettled([
    queryQueueDepth(db, queues, sampleTime),
    readDesiredCounts(
      deps.describeServices,
      config.cluster,
      config.pools.map((p) => p.service),
    ),
  ]);
  if (rows.status === "rejected") {
    if (current.status === "rejected") deps.log.error("The ECS read of the failed sample failed too", { error: (current.reason as Error).message });
    throw rows.reason;
  }
  if (current.status === "rejected") throw current.reason;
  return poolDepths(config.pools, rows.value, current.value);
}

/**
 * One invocation: `samplesPerInvocation` samples `sampleIntervalSeconds` apart over a single connection, each
 * published as soon as it is taken (a backlog shows within one interval, not at the end of the minute). Any
 * database failure stops the invocation before that sample is published and is rethrown, so no datum built from
 * a failed read ever reaches CloudWatch and the scaling alarm sees missing data instead of a false zero. The same
 * holds for the ECS read of the current worker counts.
 */
export async function runInvocation(config: PublisherConfig, deps: InvocationDeps, remainingMs: () => number): Promise<InvocationResult> {
  const reserveMs = deps.reserveMs ?? deps.statementTimeoutMs + PUBLISH_RESERVE_MS;
  const intervalMs = config.sampleIntervalSeconds * 1000;
  const queues = routedQueues(config.pools);
  const db = await connect(config, deps);
  const start = deps.now();
  let samples = 0;
  let stoppedEarly = false;
  let putMetricDataCalls = 0;
  let unroutedQueues: Record<string, number> = {};
  let last: PoolDepth[] = [];
  try {
    for (let i = 0; i < config.samplesPerInvocation; i++) {
      if (i > 0) {
        const waitMs = Math.max(0, start + i * intervalMs - deps.now());
        const leftAtWake = remainingMs() - waitMs;
        if (leftAtWake < reserveMs) {
          stoppedEarly = true;
          deps.log.info("Stopping sampling early: too little time left for another sample", {
            samplesTaken: samples,
            samplesPlanned: config.samplesPerInvocation,
            remainingMsAtNextSample: leftAtWake,
            reserveMs,
          });
          break;
        }
        if (waitMs > 0) await deps.sleep(waitMs);
      }
      const sampleTime = new Date(deps.now());
      last = await takeSample(config, deps, db, queues, sampleTime);
      putMetricDataCalls += await publishMetricData(deps.putMetricData, QUEUE_METRICS.namespace, metricData(config.environment, last, sampleTime));
      samples++;
      if (i === 0) {
        unroutedQueues = await queryUnroutedQueues(db, queues);
        if (Object.keys(unroutedQueues).length > 0) {
          deps.log.info("Queued or running task instances on queues no worker pool consumes; ignored for scaling", {
            environment: config.environment,
            queues: unroutedQueues,
          });
        }
      }
    }
  } finally {
    await db.close();
  }
  deps.log.info("Published queue depth", {
    environment: config.environment,
    cluster: config.cluster,
    samples,
    stoppedEarly,
    putMetricDataCalls,
    pools: Object.fromEntries(last.map(({ pool, ...rest }) => [pool, rest])),
  });
  return { samples, stoppedEarly, putMetricDataCalls, unroutedQueues, pools: last };
}
