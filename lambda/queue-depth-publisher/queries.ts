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

/** A window of task instance events: [start, end). */
export interface TaskWindow {
  readonly start: Date;
  readonly end: Date;
}

/** How many task instances of one queue waited this long (seconds, to 0.1 s) from queued to running. */
export interface QueueLatencyRow {
  readonly queue: string;
  readonly seconds: number;
  readonly taskCount: number;
}

/**
 * Queued-to-running seconds of the task instances of the pools' queues that started running in the window
 * (start_date - queued_dttm; a scheduler clock ahead of the worker's counts as 0), grouped to 0.1 s so one row per
 * distinct value and queue comes back, however many tasks started. Airflow 3.1.x does not emit `task.queued_duration`;
 * the metadata database has both timestamps of each try.
 */
export const QUEUE_LATENCY_SQL = `
SELECT queue,
       round(GREATEST(0, EXTRACT(EPOCH FROM (start_date - queued_dttm)))::numeric, 1)::float8 AS seconds,
       count(*)::int AS task_count
  FROM task_instance
 WHERE start_date >= $2::timestamptz
   AND start_date < $3::timestamptz
   AND queued_dttm IS NOT NULL
   AND queue = ANY($1::text[])
 GROUP BY queue, seconds
 ORDER BY queue, seconds`;

/** Task instances of the pools' queues that ended `failed` in the window, per queue. */
export const FAILED_TASKS_SQL = `
SELECT queue,
       count(*)::int AS task_count
  FROM task_instance
 WHERE state = 'failed'
   AND end_date >= $2::timestamptz
   AND end_date < $3::timestamptz
   AND queue = ANY($1::text[])
 GROUP BY queue`;

export async function queryQueueLatencies(db: MetadataDatabase, queues: readonly string[], window: TaskWindow): Promise<QueueLatencyRow[]> {
  const rows = await db.query<{ queue: string; seconds: number; task_count: number }>("Scheduling-latency query", QUEUE_LATENCY_SQL, [
    queues,
    window.start.toISOString(),
    window.end.toISOString(),
  ]);
  return rows.map((r) => ({ queue: r.queue, seconds: r.seconds, taskCount: r.task_count }));
}

/** Queue -> task instances that ended `failed` in the window (queues without any are absent). */
export async function queryFailedTasks(db: MetadataDatabase, queues: readonly string[], window: TaskWindow): Promise<Record<string, number>> {
  const rows = await db.query<{ queue: string; task_count: number }>("Failed-task query", FAILED_TASKS_SQL, [
    queues,
    window.start.toISOString(),
    window.end.toISOString(),
  ]);
  return Object.fromEntries(rows.map((r) => [r.queue, r.task_count]));
}
