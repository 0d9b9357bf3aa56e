import type { PoolSpec } from "./config";
import type { QueueDepthRow } from "./queries";

/** What one sample says about one worker pool. */
export interface PoolDepth {
  readonly pool: string;
  readonly queued: number;
  readonly running: number;
  /** clamp(ceil((queued + running) / concurrency), minCount, maxCount). */
  readonly desiredWorkers: number;
  /** Age of the pool's oldest queued task instance; 0 when nothing is queued. */
  readonly oldestQueuedSeconds: number;
}

/** The Helm chart's rule (one worker per `concurrency` queued + running task instances), within the pool's bounds. */
export function desiredWorkers(queued: number, running: number, pool: Pick<PoolSpec, "concurrency" | "minCount" | "maxCount">): number {
  const needed = Math.ceil((queued + running) / pool.concurrency);
  return Math.min(pool.maxCount, Math.max(pool.minCount, needed));
}

/** Folds the per-queue rows into one PoolDepth per pool, in pool order; rows of queues outside every pool are ignored. */
export function poolDepths(pools: readonly PoolSpec[], rows: readonly QueueDepthRow[]): PoolDepth[] {
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
    return {
      pool: pool.name,
      queued,
      running,
      desiredWorkers: desiredWorkers(queued, running, pool),
      // Millisecond precision; a scheduler clock slightly ahead of the publisher's never yields a negative age.
      oldestQueuedSeconds: Math.max(0, Math.round(oldest * 1000) / 1000),
    };
  });
}
