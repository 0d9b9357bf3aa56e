import { poolDepths, poolOutcomes } from "../../lambda/queue-depth-publisher/compute";
import { routedQueues } from "../../lambda/queue-depth-publisher/config";
import { MetadataDatabase } from "../../lambda/queue-depth-publisher/db";
import { previousMinute } from "../../lambda/queue-depth-publisher/invocation";
import { queryFailedTasks, queryQueueDepth, queryQueueLatencies, queryUnroutedQueues } from "../../lambda/queue-depth-publisher/queries";
import { startPostgres, type PostgresServer } from "../support/postgres";
import { createTaskInstanceTable, currentCounts, mapped, MIXED_ROWS, POOLS, resetTaskInstances, T0 } from "./fixtures";

/**
 * The scaling and unrouted-queue queries against a real PostgreSQL 15 holding Airflow 3's task_instance keys, and
 * the pool figures computed from what they return.
 */
let server: PostgresServer;
let db: MetadataDatabase;
const QUEUES = routedQueues(POOLS);
const SAMPLE_TIME = new Date(T0);

beforeAll(async () => {
  server = await startPostgres();
  await createTaskInstanceTable(server);
  db = await MetadataDatabase.connect(
    { host: server.host, port: server.port, database: server.database },
    { username: server.user, password: server.password },
    { tls: { mode: "disable" }, connectTimeoutMs: 5000, statementTimeoutMs: 5000 },
  );
});

afterAll(async () => {
  await db?.close();
  await server?.stop();
});

const byQueueAndState = (a: { queue: string; state: string }, b: { queue: string; state: string }): number =>
  `${a.queue}/${a.state}`.localeCompare(`${b.queue}/${b.state}`);

describe("queue-depth query", () => {
  it("counts only queued and running task instances of the pools' queues, by queue and state, with the oldest queued age", async () => {
    // GIVEN task instances in every state across the pools' queues and two queues no pool consumes
    await resetTaskInstances(server, MIXED_ROWS);

    // WHEN the scaling query runs for the pools' queues at T0
    const rows = await queryQueueDepth(db, QUEUES, SAMPLE_TIME);

    // THEN scheduled, deferred, success, failed, up_for_retry and NULL states and the unrouted queues are left out,
    // and the age of the oldest queued task instance is measured from T0 (running rows carry none)
    expect([...rows].sort(byQueueAndState)).toEqual([
      { queue: "default", state: "queued", taskCount: 20, oldestQueuedSeconds: 95 },
      { queue: "default", state: "running", taskCount: 13, oldestQueuedSeconds: null },
      { queue: "heavy", state: "queued", taskCount: 3, oldestQueuedSeconds: 40 },
      { queue: "ml", state: "queued", taskCount: 2, oldestQueuedSeconds: 310 },
      { queue: "ml", state: "running", taskCount: 4, oldestQueuedSeconds: null },
    ]);
  });

  it("gives each pool its queued, running, desired workers and oldest queued age, a multi-queue pool summing its queues", async () => {
    // GIVEN the mixed task instances, and services running 2 default, 3 heavy and 1 adhoc workers
    await resetTaskInstances(server, MIXED_ROWS);

    // WHEN the rows are folded into pools
    const depths = poolDepths(POOLS, await queryQueueDepth(db, QUEUES, SAMPLE_TIME), currentCounts({ default: 2, heavy: 3, adhoc: 1 }));

    // THEN default needs ceil(33/16) = 3 (1 short), heavy (heavy + ml) ceil(9/4) = 3 with ml's older queued task (even),
    // adhoc sits at 0 (1 over)
    expect(depths).toEqual([
      { pool: "default", queued: 20, running: 13, desiredWorkers: 3, currentWorkers: 2, shortfall: 1, surplus: 0, oldestQueuedSeconds: 95 },
      { pool: "heavy", queued: 5, running: 4, desiredWorkers: 3, currentWorkers: 3, shortfall: 0, surplus: 0, oldestQueuedSeconds: 310 },
      { pool: "adhoc", queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 1, shortfall: 0, surplus: 1, oldestQueuedSeconds: 0 },
    ]);
  });

  it("gives every pool its minCount and a zero age when no task instance exists", async () => {
    // GIVEN an empty task_instance table
    await resetTaskInstances(server, []);

    // WHEN the query runs
    const rows = await queryQueueDepth(db, QUEUES, SAMPLE_TIME);

    // THEN it returns nothing and every pool falls to its floor
    expect(rows).toEqual([]);
    expect(poolDepths(POOLS, rows, currentCounts())).toEqual([
      { pool: "default", queued: 0, running: 0, desiredWorkers: 2, currentWorkers: 2, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
      { pool: "heavy", queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 0, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
      { pool: "adhoc", queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 0, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
    ]);
  });

  it.each([
    [32, 2],
    [33, 3],
    [48, 3],
    [49, 4],
  ])("asks for ceil(busy / concurrency) workers: %i busy task instances on a concurrency-16 pool need %i", async (busy, expected) => {
    // GIVEN `busy` task instances of the default pool, half queued and half running
    const queued = Math.floor(busy / 2);
    await resetTaskInstances(server, [
      ...mapped("fanout", "queued_part", queued, "queued", "default", 5),
      ...mapped("fanout", "running_part", busy - queued, "running", "default"),
    ]);

    // WHEN the pool figures are computed from the database
    const [defaultPool] = poolDepths(POOLS, await queryQueueDepth(db, QUEUES, SAMPLE_TIME), currentCounts({ default: 2 }));

    // THEN exact multiples of 16 do not round up, and the shortfall is what the 2 current workers lack
    expect(defaultPool).toEqual({
      pool: "default",
      queued,
      running: busy - queued,
      desiredWorkers: expected,
      currentWorkers: 2,
      shortfall: expected - 2,
      surplus: 0,
      oldestQueuedSeconds: 5,
    });
  });

  it("clamps the desired count to each pool's minCount and maxCount", async () => {
    // GIVEN 1 running task on default (needs 1, floor 2), 400 queued on heavy (needs 100, ceiling 4), 5 on adhoc (needs 3, ceiling 1)
    await resetTaskInstances(server, [
      { dag: "tiny", task: "one", state: "running", queue: "default" },
      ...mapped("burst", "many", 400, "queued", "heavy", 12),
      ...mapped("burst", "few", 5, "queued", "adhoc", 7),
    ]);

    // AND services at 3 default, 1 heavy and 1 adhoc workers
    // WHEN the pool figures are computed
    const depths = poolDepths(POOLS, await queryQueueDepth(db, QUEUES, SAMPLE_TIME), currentCounts({ default: 3, heavy: 1, adhoc: 1 }));

    // THEN each desired count is held within its pool's bounds while the counts stay exact, and the gaps are measured
    // from the clamped counts: default 1 over its floor of 2, heavy 3 short (not 99), adhoc even (not 2 short)
    expect(depths.map((d) => [d.pool, d.queued + d.running, d.desiredWorkers, d.currentWorkers, d.shortfall, d.surplus])).toEqual([
      ["default", 1, 2, 3, 0, 1],
      ["heavy", 400, 4, 1, 3, 0],
      ["adhoc", 5, 1, 1, 0, 0],
    ]);
  });

  it("counts a queued task instance without queued_dttm but gives it no age", async () => {
    // GIVEN one queued task instance whose queued_dttm is NULL
    await resetTaskInstances(server, [{ dag: "odd", task: "no_dttm", state: "queued", queue: "adhoc", queuedSecondsAgo: null }]);

    // WHEN the pool figures are computed
    const adhoc = poolDepths(POOLS, await queryQueueDepth(db, QUEUES, SAMPLE_TIME), currentCounts())[2];

    // THEN it counts towards the desired count (1 worker short of the scaled-to-zero service) and the age stays 0
    expect(adhoc).toEqual({ pool: "adhoc", queued: 1, running: 0, desiredWorkers: 1, currentWorkers: 0, shortfall: 1, surplus: 0, oldestQueuedSeconds: 0 });
  });

  it("reports a task queued after the sample time (scheduler clock ahead) with a zero age, never a negative one", async () => {
    // GIVEN a queued task instance stamped 2.5 s after T0
    await resetTaskInstances(server, [{ dag: "skew", task: "ahead", state: "queued", queue: "default", queuedSecondsAgo: -2.5 }]);

    // WHEN the pool figures are computed at T0
    const [defaultPool] = poolDepths(POOLS, await queryQueueDepth(db, QUEUES, SAMPLE_TIME), currentCounts());

    // THEN the age is 0
    expect(defaultPool.oldestQueuedSeconds).toBe(0);
  });
});

describe("the publisher's session", () => {
  it("is read-only: a write through it fails", async () => {
    // GIVEN the publisher's connection
    // WHEN something tries to write through it
    const writing = db.query("Cleanup", "DELETE FROM task_instance", []);

    // THEN PostgreSQL refuses, and the error names the endpoint
    await expect(writing).rejects.toThrow(
      `Cleanup failed on PostgreSQL at 127.0.0.1:${server.port} (database "postgres"): cannot execute DELETE in a read-only transaction (SQLSTATE 25006)`,
    );
  });
});

describe("unrouted-queue query", () => {
  it("lists queued and running task instances on queues no pool consumes, including a NULL queue", async () => {
    // GIVEN the mixed task instances (2 queued on "celery", 1 running without a queue) and a finished one on "archive"
    await resetTaskInstances(server, [...MIXED_ROWS, { dag: "legacy", task: "done", state: "success", queue: "archive" }]);

    // WHEN the unrouted queues are queried
    const unrouted = await queryUnroutedQueues(db, QUEUES);

    // THEN only slot-holding task instances outside the pools' queues appear
    expect(unrouted).toEqual({ "(no queue)": 1, celery: 2 });
  });

  it("finds nothing when every busy task instance is on a pool's queue", async () => {
    // GIVEN work only on routed queues
    await resetTaskInstances(server, mapped("etl", "x", 3, "queued", "ml", 1));

    // WHEN the unrouted queues are queried
    // THEN the result is empty
    expect(await queryUnroutedQueues(db, QUEUES)).toEqual({});
  });
});

describe("scheduling-latency and failed-task queries", () => {
  // The minute before T0, as an invocation at T0 + 7 s reports it.
  const WINDOW = previousMinute(T0 + 7_000);

  it("reports the previous whole minute, whenever in the current minute the invocation starts", () => {
    // GIVEN invocations at T0 + 0 ms, + 7 s and + 59.999 s WHEN their windows are computed THEN all cover [T0 - 60 s, T0)
    for (const now of [T0, T0 + 7_000, T0 + 59_999]) expect(previousMinute(now)).toEqual({ start: new Date(T0 - 60_000), end: new Date(T0) });
  });

  it("gives the queued-to-running seconds of the task instances that started in the window, per queue, grouped to 0.1 s", async () => {
    // GIVEN task instances of the pools' queues that started in the window after waiting 2.04 s, 2.06 s, 2.06 s and
    // 45 s (one still running, others finished or failed since), one that started just before the window, one at
    // its end (the next window's), one without queued_dttm, one on a queue no pool consumes, and one whose worker
    // clock is 0.3 s behind the scheduler's
    await resetTaskInstances(server, [
      { dag: "etl", task: "a", state: "success", queue: "default", queuedSecondsAgo: 32.04, startedSecondsAgo: 30, endedSecondsAgo: 10 },
      { dag: "etl", task: "b", state: "running", queue: "default", queuedSecondsAgo: 22.06, startedSecondsAgo: 20 },
      { dag: "etl", task: "c", state: "failed", queue: "default", queuedSecondsAgo: 12.06, startedSecondsAgo: 10, endedSecondsAgo: 5 },
      { dag: "train", task: "fit", state: "running", queue: "ml", queuedSecondsAgo: 105, startedSecondsAgo: 60 },
      { dag: "etl", task: "before", state: "success", queue: "default", queuedSecondsAgo: 70, startedSecondsAgo: 60.001 },
      { dag: "etl", task: "next", state: "running", queue: "default", queuedSecondsAgo: 1, startedSecondsAgo: 0 },
      { dag: "odd", task: "no_dttm", state: "running", queue: "adhoc", queuedSecondsAgo: null, startedSecondsAgo: 30 },
      { dag: "legacy", task: "x", state: "running", queue: "celery", queuedSecondsAgo: 40, startedSecondsAgo: 30 },
      { dag: "skew", task: "ahead", state: "running", queue: "adhoc", queuedSecondsAgo: 29.7, startedSecondsAgo: 30 },
    ]);

    // WHEN the latency query runs for the pools' queues over the window
    const rows = await queryQueueLatencies(db, QUEUES, WINDOW);

    // THEN each distinct value (to 0.1 s) per queue comes back once with its count; the skewed start counts as 0 s
    expect(rows).toEqual([
      { queue: "adhoc", seconds: 0, taskCount: 1 },
      { queue: "default", seconds: 2, taskCount: 1 },
      { queue: "default", seconds: 2.1, taskCount: 2 },
      { queue: "ml", seconds: 45, taskCount: 1 },
    ]);
  });

  it("counts the task instances that ended failed in the window, per queue", async () => {
    // GIVEN failures in the window on default (2) and heavy (1), one before it, one up for retry, one on an unrouted queue
    await resetTaskInstances(server, [
      ...mapped("etl", "load", 2, "failed", "default").map((r) => ({ ...r, endedSecondsAgo: 15 })),
      { dag: "train", task: "fit", state: "failed", queue: "heavy", endedSecondsAgo: 59 },
      { dag: "etl", task: "old", state: "failed", queue: "default", endedSecondsAgo: 61 },
      { dag: "etl", task: "flaky", state: "up_for_retry", queue: "default", endedSecondsAgo: 15 },
      { dag: "legacy", task: "x", state: "failed", queue: "celery", endedSecondsAgo: 15 },
    ]);

    // WHEN the failed-task query runs
    // THEN only the window's final failures on the pools' queues are counted
    expect(await queryFailedTasks(db, QUEUES, WINDOW)).toEqual({ default: 2, heavy: 1 });
  });

  it("folds both into per-pool outcomes, a multi-queue pool merging its queues' values", async () => {
    // GIVEN the heavy pool's two queues each started a task that waited 3 s, and ml one that failed
    await resetTaskInstances(server, [
      { dag: "train", task: "features", state: "running", queue: "heavy", queuedSecondsAgo: 33, startedSecondsAgo: 30 },
      { dag: "train", task: "fit", state: "failed", queue: "ml", queuedSecondsAgo: 23, startedSecondsAgo: 20, endedSecondsAgo: 10 },
    ]);

    // WHEN the outcomes are computed from the database
    const outcomes = poolOutcomes(POOLS, await queryQueueLatencies(db, QUEUES, WINDOW), await queryFailedTasks(db, QUEUES, WINDOW));

    // THEN heavy has one value 3 s counted twice and one failure; the others have nothing
    expect(outcomes).toEqual([
      { pool: "default", latencies: [], failed: 0 },
      { pool: "heavy", latencies: [{ seconds: 3, count: 2 }], failed: 1 },
      { pool: "adhoc", latencies: [], failed: 0 },
    ]);
  });
});
