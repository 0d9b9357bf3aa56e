import type { MetadataDatabase } from "./db";

/** Task instances of one queue in one slot-holding state. */
export interface QueueDepthRow {
  readonly queue: string;
  readonly state: "queued" | "running";
  readonly taskCount: number;
  /** Age of the queue's oldest queued task instance at the sample time; null for `running` rows. */
  readonly oldestQueuedSeconds: number | null;
}

/**
 * The Helm chart's KEDA rule per queue set: only `queued` and `running` task instances hold (or are about to hold)
 * a worker slot; `scheduled`, `deferred`, `up_for_retry`, ... do not. Grouped by queue and state so one query per
 * sample serves every pool; the age is measured against the sample time ($2), the timestamp of the datums.
 */
export const QUEUE_DEPTH_SQL = `
SELECT queue,
       state,
       count(*)::int AS task_count,
       EXTRACT(EPOCH FROM ($2::timestamptz - min(queued_dttm) FILTER (WHERE state = 'queued')))::float8 AS oldest_queued_seconds
  FROM task_instance
 WHERE state IN ('queued', 'running')
   AND queue = ANY($1::text[])
 GROUP BY queue, state`;

/** Slot-holding task instances on queues no pool consumes (or without a queue): work no worker will ever pick up. */
export const UNROUTED_QUEUES_SQL = `
SELECT queue,
       count(*)::int AS task_count
  FROM task_instance
 WHERE state IN ('queued', 'running')
   AND (queue IS NULL OR queue <> ALL($1::text[]))
 GROUP BY queue
 ORDER BY queue NULLS FIRST`;

/** How an unrouted NULL queue is named in logs. */
export const NULL_QUEUE = "(no queue)";

export async function queryQueueDepth(db: MetadataDatabase, queues: readonly string[], sampleTime: Date): Promise<QueueDepthRow[]> {
  const rows = await db.query<{ queue: string; state: "queued" | "running"; task_count: number; oldest_queued_seconds: number | null }>(
    "Queue-depth query",
    QUEUE_DEPTH_SQL,
    [queues, sampleTime.toISOString()],
  );
  return rows.map((r) => ({ queue: r.queue, state: r.state, taskCount: r.task_count, oldestQueuedSeconds: r.oldest_queued_seconds }));
}

/** Queue name (or NULL_QUEUE) -> queued + running task instances, for queues outside `routed`. */
export async function queryUnroutedQueues(db: MetadataDatabase, routed: readonly string[]): Promise<Record<string, number>> {
  const rows = await db.query<{ queue: string | null; task_count: number }>("Unrouted-queue query", UNROUTED_QUEUES_SQL, [routed]);
  return Object.fromEntries(rows.map((r) => [r.queue ?? NULL_QUEUE, r.task_count]));
}
