import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { QUEUE_METRICS } from "../../runtime/metrics";
import { desiredWorkers, poolDepths, poolOutcomes, workerGap } from "../../lambda/queue-depth-publisher/compute";
import {
  batchMetricData,
  cloudWatchPublisher,
  MAX_VALUES_PER_DATUM,
  metricData,
  outcomeData,
  publishMetricData,
  PUT_METRIC_DATA_LIMITS,
} from "../../lambda/queue-depth-publisher/publish";
import { currentCounts, POOLS, T0 } from "./fixtures";

/** The scaling rule, the datums built from it and their batching into PutMetricData calls. */

describe("desiredWorkers", () => {
  const pool = { concurrency: 16, minCount: 0, maxCount: 100 };

  it.each([
    [0, 0, 0],
    [1, 0, 1],
    [16, 0, 1],
    [0, 17, 2],
    [20, 12, 2],
    [20, 13, 3],
    [32, 32, 4],
  ])("needs ceil((%i queued + %i running) / 16) = %i workers", (queued, running, expected) => {
    // GIVEN a concurrency-16 pool without effective bounds
    // WHEN the desired count is computed
    // THEN it is the Helm chart's rule
    expect(desiredWorkers(queued, running, pool)).toBe(expected);
  });

  it("holds the result within minCount and maxCount", () => {
    // GIVEN a pool bounded to 2..5
    const bounded = { concurrency: 4, minCount: 2, maxCount: 5 };

    // WHEN the load needs 0, 3 and 25 workers
    // THEN the floor and the ceiling apply
    expect([desiredWorkers(0, 0, bounded), desiredWorkers(9, 0, bounded), desiredWorkers(50, 50, bounded)]).toEqual([2, 3, 5]);
  });
});

describe("poolDepths", () => {
  it("ignores rows of queues that belong to no pool", () => {
    // GIVEN rows for a routed and an unrouted queue
    const rows = [
      { queue: "adhoc", state: "queued" as const, taskCount: 1, oldestQueuedSeconds: 3.25 },
      { queue: "celery", state: "queued" as const, taskCount: 500, oldestQueuedSeconds: 900 },
    ];

    // WHEN they are folded into pools, each service at its pool's minCount
    // THEN the unrouted queue changes nothing
    expect(poolDepths(POOLS, rows, currentCounts())).toEqual([
      { pool: "default", queued: 0, running: 0, desiredWorkers: 2, currentWorkers: 2, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
      { pool: "heavy", queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 0, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
      { pool: "adhoc", queued: 1, running: 0, desiredWorkers: 1, currentWorkers: 0, shortfall: 1, surplus: 0, oldestQueuedSeconds: 3.25 },
    ]);
  });

  it("sets each pool's current workers from its service's desired count and derives the shortfall or the surplus", () => {
    // GIVEN default needing ceil(40/16) = 3 with 1 worker, heavy needing ceil(6/4) = 2 with 5, adhoc needing 1 with 1
    const rows = [
      { queue: "default", state: "queued" as const, taskCount: 40, oldestQueuedSeconds: 12 },
      { queue: "ml", state: "running" as const, taskCount: 6, oldestQueuedSeconds: null },
      { queue: "adhoc", state: "running" as const, taskCount: 2, oldestQueuedSeconds: null },
    ];

    // WHEN they are folded into pools with those current counts
    const depths = poolDepths(POOLS, rows, currentCounts({ default: 1, heavy: 5, adhoc: 1 }));

    // THEN default is 2 short, heavy 3 over, adhoc neither
    expect(
      depths.map(({ pool, desiredWorkers, currentWorkers, shortfall, surplus }) => ({ pool, desiredWorkers, currentWorkers, shortfall, surplus })),
    ).toEqual([
      { pool: "default", desiredWorkers: 3, currentWorkers: 1, shortfall: 2, surplus: 0 },
      { pool: "heavy", desiredWorkers: 2, currentWorkers: 5, shortfall: 0, surplus: 3 },
      { pool: "adhoc", desiredWorkers: 1, currentWorkers: 1, shortfall: 0, surplus: 0 },
    ]);
  });

  it("measures the gap from the clamped desired count, so it never asks beyond maxCount or below minCount", () => {
    // GIVEN heavy needing 100 workers (ceiling 4) with 1, default needing 0 (floor 2) with 7, adhoc needing 3 (ceiling 1)
    // with 3 (a manual override above the ceiling)
    const rows = [
      { queue: "heavy", state: "queued" as const, taskCount: 400, oldestQueuedSeconds: 30 },
      { queue: "adhoc", state: "queued" as const, taskCount: 5, oldestQueuedSeconds: 8 },
    ];

    // WHEN they are folded into pools
    const depths = poolDepths(POOLS, rows, currentCounts({ default: 7, heavy: 1, adhoc: 3 }));

    // THEN heavy is 3 short (4 - 1, not 99), default 5 over (7 - 2), adhoc 2 over (3 - 1)
    expect(depths.map((d) => [d.pool, d.desiredWorkers, d.currentWorkers, d.shortfall, d.surplus])).toEqual([
      ["default", 2, 7, 0, 5],
      ["heavy", 4, 1, 3, 0],
      ["adhoc", 1, 3, 0, 2],
    ]);
  });

  it("refuses to compute a pool whose service has no current count", () => {
    // GIVEN current counts without the adhoc service
    const counts = currentCounts();
    counts.delete("airflow-prod-worker-adhoc");

    // WHEN the pools are computed
    // THEN the error names the service and the pool
    expect(() => poolDepths(POOLS, [], counts)).toThrow("No current worker count for service airflow-prod-worker-adhoc of pool adhoc");
  });
});

describe("workerGap", () => {
  it.each([
    [3, 1, 2, 0],
    [1, 3, 0, 2],
    [4, 4, 0, 0],
    [0, 0, 0, 0],
  ])("with %i desired and %i current workers is %i short and %i over", (desired, current, shortfall, surplus) => {
    // GIVEN a desired and a current count
    // WHEN the gap is computed
    // THEN at most one side is not 0, and neither is negative
    expect(workerGap(desired, current)).toEqual({ shortfall, surplus });
  });
});

const datum = (name: string, pool: string, value: number, unit: "Count" | "Seconds"): MetricDatum => ({
  MetricName: name,
  Dimensions: [
    { Name: "Environment", Value: "prod" },
    { Name: "Pool", Value: pool },
  ],
  Timestamp: new Date(T0),
  Value: value,
  Unit: unit,
  StorageResolution: 1,
});

describe("metricData", () => {
  it("builds seven high-resolution datums per pool with the contract's names and dimensions", () => {
    // GIVEN one pool's sample: 3 workers needed, 1 in the service
    const depths = [{ pool: "heavy", queued: 5, running: 4, desiredWorkers: 3, currentWorkers: 1, shortfall: 2, surplus: 0, oldestQueuedSeconds: 310 }];

    // WHEN the datums are built for prod at T0
    const data = metricData("prod", depths, new Date(T0));

    // THEN they carry the QUEUE_METRICS names, Environment and Pool dimensions, the sample time and 1-second storage
    expect(data).toEqual([
      datum("DesiredWorkers", "heavy", 3, "Count"),
      datum("QueuedTasks", "heavy", 5, "Count"),
      datum("RunningTasks", "heavy", 4, "Count"),
      datum("OldestQueuedSeconds", "heavy", 310, "Seconds"),
      datum("CurrentWorkers", "heavy", 1, "Count"),
      datum("WorkerShortfall", "heavy", 2, "Count"),
      datum("WorkerSurplus", "heavy", 0, "Count"),
    ]);
    expect(data.map((d) => d.MetricName)).toEqual([
      QUEUE_METRICS.desiredWorkers,
      QUEUE_METRICS.queuedTasks,
      QUEUE_METRICS.runningTasks,
      QUEUE_METRICS.oldestQueuedSeconds,
      QUEUE_METRICS.currentWorkers,
      QUEUE_METRICS.workerShortfall,
      QUEUE_METRICS.workerSurplus,
    ]);
    expect(data[0].Dimensions!.map((d) => d.Name)).toEqual([QUEUE_METRICS.environmentDimension, QUEUE_METRICS.poolDimension]);
  });

  it("publishes a pool with a shortfall, one with a surplus and one with neither, in pool order", () => {
    // GIVEN default short of 2 workers, heavy 3 over (desired clamped to its floor of 0), adhoc at its need
    const depths = poolDepths(
      POOLS,
      [
        { queue: "default", state: "queued", taskCount: 60, oldestQueuedSeconds: 4.5 },
        { queue: "adhoc", state: "running", taskCount: 1, oldestQueuedSeconds: null },
      ],
      currentCounts({ default: 2, heavy: 3, adhoc: 1 }),
    );

    // WHEN the datums are built
    const data = metricData("prod", depths, new Date(T0));

    // THEN each pool has its seven datums with the exact values
    expect(data).toEqual([
      ...[
        ["DesiredWorkers", 4],
        ["QueuedTasks", 60],
        ["RunningTasks", 0],
        ["OldestQueuedSeconds", 4.5],
        ["CurrentWorkers", 2],
        ["WorkerShortfall", 2],
        ["WorkerSurplus", 0],
      ].map(([name, value]) => datum(name as string, "default", value as number, name === "OldestQueuedSeconds" ? "Seconds" : "Count")),
      ...[
        ["DesiredWorkers", 0],
        ["QueuedTasks", 0],
        ["RunningTasks", 0],
        ["OldestQueuedSeconds", 0],
        ["CurrentWorkers", 3],
        ["WorkerShortfall", 0],
        ["WorkerSurplus", 3],
      ].map(([name, value]) => datum(name as string, "heavy", value as number, name === "OldestQueuedSeconds" ? "Seconds" : "Count")),
      ...[
        ["DesiredWorkers", 1],
        ["QueuedTasks", 0],
        ["RunningTasks", 1],
        ["OldestQueuedSeconds", 0],
        ["CurrentWorkers", 1],
        ["WorkerShortfall", 0],
        ["WorkerSurplus", 0],
      ].map(([name, value]) => datum(name as string, "adhoc", value as number, name === "OldestQueuedSeconds" ? "Seconds" : "Count")),
    ]);
  });
});

describe("outcomeData", () => {
  const dims = (pool: string) => [
    { Name: QUEUE_METRICS.environmentDimension, Value: "prod" },
    { Name: QUEUE_METRICS.poolDimension, Value: pool },
  ];

  it("publishes each pool's failures (zero included) and its latencies as values and counts, at one-minute resolution", () => {
    // GIVEN default started tasks after 2 s (3 of them) and 45 s, with one failure; heavy did nothing
    const outcomes = poolOutcomes(
      POOLS.slice(0, 2),
      [
        { queue: "default", seconds: 45, taskCount: 1 },
        { queue: "default", seconds: 2, taskCount: 3 },
      ],
      { default: 1 },
    );

    // WHEN the datums are built for the window starting at T0
    const data = outcomeData("prod", outcomes, new Date(T0));

    // THEN default has FailedTasks 1 and one QueuedToRunningSeconds datum with ascending values and their counts;
    // heavy has FailedTasks 0 and no latency datum (no task started: missing data, not a zero latency)
    expect(data).toEqual([
      { MetricName: QUEUE_METRICS.failedTasks, Dimensions: dims("default"), Timestamp: new Date(T0), Value: 1, Unit: "Count", StorageResolution: 60 },
      {
        MetricName: QUEUE_METRICS.queuedToRunningSeconds,
        Dimensions: dims("default"),
        Timestamp: new Date(T0),
        Values: [2, 45],
        Counts: [3, 1],
        Unit: "Seconds",
        StorageResolution: 60,
      },
      { MetricName: QUEUE_METRICS.failedTasks, Dimensions: dims("heavy"), Timestamp: new Date(T0), Value: 0, Unit: "Count", StorageResolution: 60 },
    ]);
  });

  it("splits more than 150 distinct values into several datums, keeping every value and count", () => {
    // GIVEN 320 distinct latencies on the default pool
    const rows = Array.from({ length: 320 }, (_, i) => ({ queue: "default", seconds: i / 10, taskCount: i + 1 }));

    // WHEN the datums are built
    const latencies = outcomeData("prod", poolOutcomes(POOLS.slice(0, 1), rows, {}), new Date(T0)).filter((d) => d.Values);

    // THEN they come as 150 + 150 + 20 values, together exactly the rows
    expect(latencies.map((d) => d.Values!.length)).toEqual([MAX_VALUES_PER_DATUM, MAX_VALUES_PER_DATUM, 20]);
    expect(latencies.flatMap((d) => d.Values)).toEqual(rows.map((r) => r.seconds));
    expect(latencies.flatMap((d) => d.Counts)).toEqual(rows.map((r) => r.taskCount));
  });
});

describe("batchMetricData", () => {
  const many = (n: number): MetricDatum[] => Array.from({ length: n }, (_, i) => datum("QueuedTasks", `pool-${i}`, i, "Count"));

  it("keeps up to 1,000 datums in one batch and starts another for the 1,001st", () => {
    // GIVEN 1,000 and 1,001 datums
    // WHEN they are batched with the PutMetricData limits
    const exact = batchMetricData(many(1000), QUEUE_METRICS.namespace);
    const over = batchMetricData(many(1001), QUEUE_METRICS.namespace);

    // THEN 1,000 fit one call and the next datum opens a second, order kept
    expect(exact.map((b) => b.length)).toEqual([1000]);
    expect(over.map((b) => b.length)).toEqual([1000, 1]);
    expect(over.flat()).toEqual(many(1001));
    expect(PUT_METRIC_DATA_LIMITS).toEqual({ maxDatums: 1000, maxBytes: 1_000_000 });
  });

  it("splits by request size before the datum count is reached", () => {
    // GIVEN datums of a known JSON size and a byte limit that holds exactly three of them
    const data = many(7);
    const envelope = Buffer.byteLength(JSON.stringify({ Namespace: QUEUE_METRICS.namespace, MetricData: [] }));
    const size = Buffer.byteLength(JSON.stringify(data[0])) + 1;

    // WHEN they are batched
    const batches = batchMetricData(data, QUEUE_METRICS.namespace, { maxDatums: 1000, maxBytes: envelope + 3 * size });

    // THEN each request holds three datums at most
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
  });

  it("refuses a datum that cannot fit any request", () => {
    // GIVEN a byte limit smaller than one datum
    // WHEN batching
    // THEN the error names the metric and the limit
    expect(() => batchMetricData(many(1), QUEUE_METRICS.namespace, { maxDatums: 1000, maxBytes: 100 })).toThrow(
      `Metric datum QueuedTasks is ${Buffer.byteLength(JSON.stringify(many(1)[0])) + 1} bytes; it cannot fit a 100-byte PutMetricData request`,
    );
  });
});

describe("publishMetricData", () => {
  const cloudWatch = mockClient(CloudWatchClient);
  afterEach(() => cloudWatch.reset());

  it("sends one PutMetricData call per batch to the namespace", async () => {
    // GIVEN 1,008 datums (144 pools) and a CloudWatch that accepts them
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const data = metricData(
      "prod",
      Array.from({ length: 144 }, (_, i) => ({
        pool: `pool-${i}`,
        queued: i,
        running: 0,
        desiredWorkers: 1,
        currentWorkers: 1,
        shortfall: 0,
        surplus: 0,
        oldestQueuedSeconds: 0,
      })),
      new Date(T0),
    );

    // WHEN they are published
    const calls = await publishMetricData(cloudWatchPublisher(new CloudWatchClient({ region: "eu-west-1" })), QUEUE_METRICS.namespace, data);

    // THEN two calls carry them, in order, to AirflowEcs/Queues
    expect(calls).toBe(2);
    const inputs = cloudWatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.Namespace, i.MetricData!.length])).toEqual([
      ["AirflowEcs/Queues", 1000],
      ["AirflowEcs/Queues", 8],
    ]);
    expect(inputs.flatMap((i) => i.MetricData)).toEqual(data);
  });

  it("fails with the CloudWatch error", async () => {
    // GIVEN a CloudWatch that denies the call
    cloudWatch
      .on(PutMetricDataCommand)
      .rejects(Object.assign(new Error("User is not authorized to perform: cloudwatch:PutMetricData"), { name: "AccessDenied" }));

    // WHEN a datum is published
    const publishing = publishMetricData(
      cloudWatchPublisher(new CloudWatchClient({ region: "eu-west-1" })),
      QUEUE_METRICS.namespace,
      metricData("prod", poolDepths(POOLS, [], currentCounts()), new Date(T0)),
    );

    // THEN the error says which call failed and why
    await expect(publishing).rejects.toThrow(
      "PutMetricData to AirflowEcs/Queues failed: AccessDenied: User is not authorized to perform: cloudwatch:PutMetricData",
    );
  });
});
