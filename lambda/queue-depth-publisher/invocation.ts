import { QUEUE_METRICS } from "../../runtime/metrics";
import { poolDepths, poolOutcomes, type PoolDepth, type PoolOutcomes } from "./compute";
import { routedQueues, type PublisherConfig } from "./config";
import type { CredentialsSource } from "./credentials";
import { DatabaseUnavailableError, MetadataDatabase, type ConnectOptions } from "./db";
import type { Logger } from "./log";
import { metricData, outcomeData, publishMetricData, type PutMetricData } from "./publish";
import { queryFailedTasks, queryQueueDepth, queryQueueLatencies, queryUnroutedQueues, type TaskWindow } from "./queries";
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
  /** The window whose scheduling latency and failures were published (the previous whole minute). */
  readonly outcomeWindow: TaskWindow;
  /** Per pool, what its task instances did in that window; empty when that step failed (the invocation then fails too). */
  readonly outcomes: readonly PoolOutcomes[];
}

/**
 * The task history one invocation reports: the previous whole clock minute. The function runs once a minute
 * (EventBridge rate(1 minute), reserved concurrency 1), so consecutive invocations cover consecutive minutes, without
 * gaps or overlaps, however late each one starts within its minute.
 */
export function previousMinute(nowMs: number): TaskWindow {
  const end = Math.floor(nowMs / 60_000) * 60_000;
  return { start: new Date(end - 60_000), end: new Date(end) };
}

/** Queries the window's scheduling latencies and failures, and publishes them per pool stamped with the window's start. */
async function publishOutcomes(
  config: PublisherConfig,
  deps: InvocationDeps,
  db: MetadataDatabase,
  queues: readonly string[],
  window: TaskWindow,
): Promise<{ outcomes: PoolOutcomes[]; calls: number }> {
  const latencies = await queryQueueLatencies(db, queues, window);
  const failed = await queryFailedTasks(db, queues, window);
  const outcomes = poolOutcomes(config.pools, latencies, failed);
  const calls = await publishMetricData(deps.putMetricData, QUEUE_METRICS.namespace, outcomeData(config.environment, outcomes, window.start));
  return { outcomes, calls };
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
 * What the first sample of an invocation adds: the queues no pool consumes (logged), and the previous minute's
 * scheduling latency and failed tasks. A failure of the latter is returned, not thrown: queue-depth sampling goes on,
 * and the invocation fails at its end, so the Errors alarm sees it.
 */
async function firstSampleReports(
  config: PublisherConfig,
  deps: InvocationDeps,
  db: MetadataDatabase,
  queues: readonly string[],
  window: TaskWindow,
): Promise<{ unroutedQueues: Record<string, number>; outcomes: PoolOutcomes[]; calls: number; outcomeError?: unknown }> {
  const unroutedQueues = await queryUnroutedQueues(db, queues);
  if (Object.keys(unroutedQueues).length > 0) {
    deps.log.info("Queued or running task instances on queues no worker pool consumes; ignored for scaling", {
      environment: config.environment,
      queues: unroutedQueues,
    });
  }
  try {
    const published = await publishOutcomes(config, deps, db, queues, window);
    return { unroutedQueues, outcomes: published.outcomes, calls: published.calls };
  } catch (error) {
    deps.log.error("Publishing scheduling latency and failed tasks failed; queue-depth sampling goes on", { error: (error as Error).message });
    return { unroutedQueues, outcomes: [], calls: 0, outcomeError: error };
  }
}

/**
 * One invocation: `samplesPerInvocation` samples `sampleIntervalSeconds` apart over a single connection, each
 * published as soon as it is taken (a backlog shows within one interval, not at the end of the minute); after the
 * first, the previous minute's scheduling latency and failed tasks per pool (`firstSampleReports`). Any database
 * failure of a sample stops the invocation before that sample is published and is rethrown, so no datum built from a
 * failed read ever reaches CloudWatch and the scaling alarm sees missing data instead of a false zero. The same holds
 * for the ECS read of the current worker counts.
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
  const outcomeWindow = previousMinute(start);
  let outcomes: PoolOutcomes[] = [];
  let outcomeError: unknown;
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
        const reports = await firstSampleReports(config, deps, db, queues, outcomeWindow);
        ({ unroutedQueues, outcomes, outcomeError } = reports);
        putMetricDataCalls += reports.calls;
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
  if (outcomeError !== undefined) throw outcomeError;
  return { samples, stoppedEarly, putMetricDataCalls, unroutedQueues, pools: last, outcomeWindow, outcomes };
}
