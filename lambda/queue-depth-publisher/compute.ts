import type { PoolSpec } from "./config";
import type { QueueDepthRow, QueueLatencyRow } from "./queries";

/** What one sample says about one worker pool. */
export interface PoolDepth {
  readonly pool: string;
  readonly queued: number;
  readonly running: number;
  /** clamp(ceil((queued + running) / concurrency), minCount, maxCount). */
  readonly desiredWorkers: number;
  /** The pool service's desired count in ECS at the sample: the workers it has (or is starting). */
  readonly currentWorkers: number;
  /** max(0, desiredWorkers - currentWorkers): workers to add. */
  readonly shortfall: number;
  /** max(0, currentWorkers - desiredWorkers): workers to remove. */
  readonly surplus: number;
  /** Age of the pool's oldest queued task instance; 0 when nothing is queued. */
  readonly oldestQueuedSeconds: number;
}

/** The Helm chart's rule (one worker per `concurrency` queued + running task instances), within the pool's bounds. */
export function desiredWorkers(queued: number, running: number, pool: Pick<PoolSpec, "concurrency" | "minCount" | "maxCount">): number {
  const needed = Math.ceil((queued + running) / pool.concurrency);
  return Math.min(pool.maxCount, Math.max(pool.minCount, needed));
}

/** The gap between the desired and the current worker count, as two non-negative figures (at most one is not 0). */
export function workerGap(desired: number, current: number): { shortfall: number; surplus: number } {
  return { shortfall: Math.max(0, desired - current), surplus: Math.max(0, current - desired) };
}

/**
 * Folds the per-queue rows into one PoolDepth per pool, in pool order; rows of queues outside every pool are ignored.
 * `currentWorkers` holds each pool service's desired count in ECS, by service name.
 */
export function poolDepths(pools: readonly PoolSpec[], rows: readonly QueueDepthRow[], currentWorkers: ReadonlyMap<string, number>): PoolDepth[] {
  const poolOf = new Map<string, string>(pools.flatMap((p) => p.queues.map((q) => [q, p.name] as const)));
  const totals = new Map<string, { queued: number; running: number; oldest: number }>(pools.map((p) => [p.name, { queued: 0, running: 0, oldest: 0 }]));
  for (const row of rows) {
    const pool = poolOf.get(row.queue);
    if (pool === undefined) continue;
    const total = totals.get(pool)!;
    if (row.state === "queued") {
      total.queued += row.taskCount;
      total.oldest = Math.max(total.oldest, row.oldestQueuedSeconds ?? 0);
    } else {
      total.running += row.taskCount;
    }
  }
  return pools.map((pool) => {
    const { queued, running, oldest } = totals.get(pool.name)!;
    const current = currentWorkers.get(pool.service);
    if (current === undefined) throw new Error(`No current worker count for service ${pool.service} of pool ${pool.name}`);
    const desired = desiredWorkers(queued, running, pool);
    return {
      pool: pool.name,
      queued,
      running,
      desiredWorkers: desired,
      currentWorkers: current,
      ...workerGap(desired, current),
      // Millisecond precision; a scheduler clock slightly ahead of the publisher's never yields a negative age.
      oldestQueuedSeconds: Math.max(0, Math.round(oldest * 1000) / 1000),
    };
  });
}

/** What the task instances of one pool did in one window: their queued-to-running seconds and failures. */
export interface PoolOutcomes {
  readonly pool: string;
  /** Distinct queued-to-running seconds (ascending) and how many task instances had each; empty when none started. */
  readonly latencies: readonly { readonly seconds: number; readonly count: number }[];
  /** Task instances that ended `failed`. */
  readonly failed: number;
}

/** Folds per-queue latency rows and failure counts into one PoolOutcomes per pool, in pool order (other queues ignored). */
export function poolOutcomes(
  pools: readonly PoolSpec[],
  latencyRows: readonly QueueLatencyRow[],
  failedByQueue: Readonly<Record<string, number>>,
): PoolOutcomes[] {
  return pools.map((pool) => {
    const counts = new Map<number, number>();
    for (const row of latencyRows) {
      if (pool.queues.includes(row.queue)) counts.set(row.seconds, (counts.get(row.seconds) ?? 0) + row.taskCount);
    }
    return {
      pool: pool.name,
      latencies: [...counts.entries()].sort(([a], [b]) => a - b).map(([seconds, count]) => ({ seconds, count })),
      failed: pool.queues.reduce((total, queue) => total + (failedByQueue[queue] ?? 0), 0),
    };
  });
}
