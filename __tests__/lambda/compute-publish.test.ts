import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { QUEUE_METRICS } from "../../modules/airflow/runtime-contract";
import { desiredWorkers, poolDepths } from "../../lambda/queue-depth-publisher/compute";
import { batchMetricData, cloudWatchPublisher, metricData, publishMetricData, PUT_METRIC_DATA_LIMITS } from "../../lambda/queue-depth-publisher/publish";
import { POOLS, T0 } from "./fixtures";

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

    // WHEN they are folded into pools
    // THEN the unrouted queue changes nothing
    expect(poolDepths(POOLS, rows)).toEqual([
      { pool: "default", queued: 0, running: 0, desiredWorkers: 2, oldestQueuedSeconds: 0 },
      { pool: "heavy", queued: 0, running: 0, desiredWorkers: 0, oldestQueuedSeconds: 0 },
      { pool: "adhoc", queued: 1, running: 0, desiredWorkers: 1, oldestQueuedSeconds: 3.25 },
    ]);
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
  it("builds four high-resolution datums per pool with the contract's names and dimensions", () => {
    // GIVEN one pool's sample
    const depths = [{ pool: "heavy", queued: 5, running: 4, desiredWorkers: 3, oldestQueuedSeconds: 310 }];

    // WHEN the datums are built for prod at T0
    const data = metricData("prod", depths, new Date(T0));

    // THEN they carry the QUEUE_METRICS names, Environment and Pool dimensions, the sample time and 1-second storage
    expect(data).toEqual([
      datum("DesiredWorkers", "heavy", 3, "Count"),
      datum("QueuedTasks", "heavy", 5, "Count"),
      datum("RunningTasks", "heavy", 4, "Count"),
      datum("OldestQueuedSeconds", "heavy", 310, "Seconds"),
    ]);
    expect(data.map((d) => d.MetricName)).toEqual([QUEUE_METRICS.desiredWorkers, QUEUE_METRICS.queuedTasks, QUEUE_METRICS.runningTasks, QUEUE_METRICS.oldestQueuedSeconds]);
    expect(data[0].Dimensions!.map((d) => d.Name)).toEqual([QUEUE_METRICS.environmentDimension, QUEUE_METRICS.poolDimension]);
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
    // GIVEN 1,004 datums (251 pools) and a CloudWatch that accepts them
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const data = metricData(
      "prod",
      Array.from({ length: 251 }, (_, i) => ({ pool: `pool-${i}`, queued: i, running: 0, desiredWorkers: 1, oldestQueuedSeconds: 0 })),
      new Date(T0),
    );

    // WHEN they are published
    const calls = await publishMetricData(cloudWatchPublisher(new CloudWatchClient({ region: "eu-west-1" })), QUEUE_METRICS.namespace, data);

    // THEN two calls carry them, in order, to AirflowEcs/Queues
    expect(calls).toBe(2);
    const inputs = cloudWatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.Namespace, i.MetricData!.length])).toEqual([
      ["AirflowEcs/Queues", 1000],
      ["AirflowEcs/Queues", 4],
    ]);
    expect(inputs.flatMap((i) => i.MetricData)).toEqual(data);
  });

  it("fails with the CloudWatch error", async () => {
    // GIVEN a CloudWatch that denies the call
    cloudWatch.on(PutMetricDataCommand).rejects(Object.assign(new Error("User is not authorized to perform: cloudwatch:PutMetricData"), { name: "AccessDenied" }));

    // WHEN a datum is published
    const publishing = publishMetricData(cloudWatchPublisher(new CloudWatchClient({ region: "eu-west-1" })), QUEUE_METRICS.namespace, metricData("prod", poolDepths(POOLS, []), new Date(T0)));

    // THEN the error says which call failed and why
    await expect(publishing).rejects.toThrow("PutMetricData to AirflowEcs/Queues failed: AccessDenied: User is not authorized to perform: cloudwatch:PutMetricData");
  });
});
