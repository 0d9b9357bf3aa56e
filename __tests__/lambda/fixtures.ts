import { Client } from "pg";
import { PUBLISHER_ENV } from "../../runtime/lambda";
import type { PoolSpec } from "../../lambda/queue-depth-publisher/config";
import type { PostgresServer } from "../support/postgres";

/** The sample time every test clock starts at; queued_dttm values are written relative to it. */
export const T0 = Date.parse("2026-03-02T12:00:00.000Z");

export const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!db-0123abcd-4567-89ef-0123-456789abcdef-AbCdEf";

/** The ECS cluster of the worker services. */
export const CLUSTER = "airflow-prod";

/** The pools of config/environments/prod.json, plus a scale-to-zero pool with a floor of 0 and a ceiling of 1. */
export const POOLS: PoolSpec[] = [
  { name: "default", service: "airflow-prod-worker-default", queues: ["default"], concurrency: 16, minCount: 2, maxCount: 12 },
  { name: "heavy", service: "airflow-prod-worker-heavy", queues: ["heavy", "ml"], concurrency: 4, minCount: 0, maxCount: 4 },
  { name: "adhoc", service: "airflow-prod-worker-adhoc", queues: ["adhoc"], concurrency: 2, minCount: 0, maxCount: 1 },
];

export type FixturePool = "default" | "heavy" | "adhoc";

/** The fixture pools' ECS desired counts by service name: each pool at its minCount unless given. */
export function currentCounts(counts: Partial<Record<FixturePool, number>> = {}): Map<string, number> {
  return new Map(POOLS.map((p) => [p.service, counts[p.name as FixturePool] ?? p.minCount]));
}

/**
 * The columns of Airflow 3's task_instance the publisher reads, with Airflow 3's keys: a UUID primary key
 * (since 3.0) and the (dag_id, task_id, run_id, map_index) composite unique key, plus the `ti_state` index the
 * query's state filter uses.
 */
export const TASK_INSTANCE_DDL = `
CREATE TABLE task_instance (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  task_id varchar(250) NOT NULL,
  dag_id varchar(250) NOT NULL,
  run_id varchar(250) NOT NULL,
  map_index integer NOT NULL DEFAULT -1,
  start_date timestamptz,
  end_date timestamptz,
  state varchar(20),
  try_number integer DEFAULT 0,
  pool varchar(256) NOT NULL DEFAULT 'default_pool',
  pool_slots integer NOT NULL DEFAULT 1,
  queue varchar(256),
  priority_weight integer DEFAULT 1,
  queued_dttm timestamptz,
  executor varchar(1000),
  CONSTRAINT task_instance_pkey PRIMARY KEY (id),
  CONSTRAINT task_instance_composite_key UNIQUE (dag_id, task_id, run_id, map_index)
);
CREATE INDEX ti_state ON task_instance (state);
`;

export interface TaskInstanceRow {
  readonly dag: string;
  readonly task: string;
  readonly run?: string;
  readonly mapIndex?: number;
  readonly state: string | null;
  readonly queue: string | null;
  /** queued_dttm = T0 minus this many seconds (null: no queued_dttm). */
  readonly queuedSecondsAgo?: number | null;
  /** start_date = T0 minus this many seconds (absent: no start_date). */
  readonly startedSecondsAgo?: number;
  /** end_date = T0 minus this many seconds (absent: no end_date). */
  readonly endedSecondsAgo?: number;
}

/** `count` mapped task instances of one task, all in the same state and queue. */
export function mapped(
  dag: string,
  task: string,
  count: number,
  state: string | null,
  queue: string | null,
  queuedSecondsAgo: number | null = null,
): TaskInstanceRow[] {
  return Array.from({ length: count }, (_, mapIndex) => ({ dag, task, mapIndex, state, queue, queuedSecondsAgo }));
}

export async function withClient<T>(server: PostgresServer, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(server.clientConfig());
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the task_instance table in the server's database. */
export async function createTaskInstanceTable(server: PostgresServer): Promise<void> {
  await withClient(server, (c) => c.query(TASK_INSTANCE_DDL));
}

/** Empties task_instance and inserts `rows`. */
export async function resetTaskInstances(server: PostgresServer, rows: readonly TaskInstanceRow[]): Promise<void> {
  await withClient(server, async (c) => {
    await c.query("TRUNCATE task_instance");
    const at = (secondsAgo: number | null | undefined) =>
      secondsAgo === undefined || secondsAgo === null ? null : new Date(T0 - secondsAgo * 1000).toISOString();
    for (const row of rows) {
      await c.query(
        "INSERT INTO task_instance (dag_id, task_id, run_id, map_index, state, queue, queued_dttm, start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
          row.dag,
          row.task,
          row.run ?? "scheduled__2026-03-02T11:00:00+00:00",
          row.mapIndex ?? -1,
          row.state,
          row.queue,
          at(row.queuedSecondsAgo),
          at(row.startedSecondsAgo),
          at(row.endedSecondsAgo),
        ],
      );
    }
  });
}

/** The publisher's environment for `server` (any field can be replaced). */
export function publisherEnv(
  server: Pick<PostgresServer, "host" | "port" | "database">,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    [PUBLISHER_ENV.pools]: JSON.stringify(POOLS),
    [PUBLISHER_ENV.cluster]: CLUSTER,
    [PUBLISHER_ENV.environment]: "prod",
    [PUBLISHER_ENV.dbSecretArn]: SECRET_ARN,
    [PUBLISHER_ENV.dbHost]: server.host,
    [PUBLISHER_ENV.dbPort]: String(server.port),
    [PUBLISHER_ENV.dbName]: server.database,
    [PUBLISHER_ENV.samplesPerInvocation]: "6",
    [PUBLISHER_ENV.sampleIntervalSeconds]: "10",
    ...overrides,
  };
}

/** A realistic mix across pools, states and queues (T0-relative queued times). */
export const MIXED_ROWS: TaskInstanceRow[] = [
  // default pool: 20 queued (oldest 95 s), 13 running -> 33 busy -> ceil(33/16) = 3 workers. Running task
  // instances keep the queued_dttm of their attempt: older, but not a queued age.
  ...mapped("etl_daily", "extract", 20, "queued", "default", 95),
  ...mapped("etl_daily", "load", 13, "running", "default", 4000),
  // states that hold no worker slot, on the same queue
  ...mapped("etl_daily", "transform", 4, "scheduled", "default"),
  ...mapped("etl_daily", "wait_for_partner", 3, "deferred", "default"),
  ...mapped("etl_daily", "report", 5, "success", "default", 3000),
  ...mapped("etl_daily", "notify", 2, "failed", "default"),
  ...mapped("etl_daily", "flaky", 2, "up_for_retry", "default"),
  ...mapped("etl_daily", "new", 3, null, "default"),
  // heavy pool over two queues: 3 queued on heavy (oldest 40 s), 2 queued on ml (oldest 310 s), 4 running on ml
  ...mapped("train", "features", 3, "queued", "heavy", 40),
  ...mapped("train", "fit", 2, "queued", "ml", 310),
  ...mapped("train", "evaluate", 4, "running", "ml", 7000),
  ...mapped("train", "publish", 6, "success", "ml", 5000),
  // queues no pool consumes: ignored for scaling, reported once
  ...mapped("legacy", "old_queue_task", 2, "queued", "celery", 600),
  { dag: "legacy", task: "no_queue", state: "running", queue: null },
];
