import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum, type PutMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { QUEUE_METRICS } from "../../runtime/metrics";
import type { PoolDepth, PoolOutcomes } from "./compute";

/** PutMetricData limits: 1,000 datums and 1 MB of request per call. */
export const PUT_METRIC_DATA_LIMITS = { maxDatums: 1000, maxBytes: 1_000_000 } as const;

/** Sends one PutMetricData request (the CloudWatch client in the Lambda; a printer in the CLI's dry run). */
export type PutMetricData = (input: PutMetricDataCommandInput) => Promise<void>;

export function cloudWatchPublisher(client: Pick<CloudWatchClient, "send">): PutMetricData {
  return async (input) => {
    await client.send(new PutMetricDataCommand(input));
  };
}

/**
 * Seven high-resolution datums per pool, dimensioned by Environment and Pool, stamped with the sample time: the
 * queue figures, then the pool service's current count and its gap to the desired count (the scaling alarms' signals).
 */
export function metricData(environment: string, depths: readonly PoolDepth[], timestamp: Date): MetricDatum[] {
  return depths.flatMap((d) => {
    const Dimensions = [
      { Name: QUEUE_METRICS.environmentDimension, Value: environment },
      { Name: QUEUE_METRICS.poolDimension, Value: d.pool },
    ];
    const datum = (MetricName: string, Value: number, Unit: "Count" | "Seconds"): MetricDatum => ({
      MetricName,
      Dimensions,
      Timestamp: timestamp,
      Value,
      Unit,
      StorageResolution: 1,
    });
    return [
      datum(QUEUE_METRICS.desiredWorkers, d.desiredWorkers, "Count"),
      datum(QUEUE_METRICS.queuedTasks, d.queued, "Count"),
      datum(QUEUE_METRICS.runningTasks, d.running, "Count"),
      datum(QUEUE_METRICS.oldestQueuedSeconds, d.oldestQueuedSeconds, "Seconds"),
      datum(QUEUE_METRICS.currentWorkers, d.currentWorkers, "Count"),
      datum(QUEUE_METRICS.workerShortfall, d.shortfall, "Count"),
      datum(QUEUE_METRICS.workerSurplus, d.surplus, "Count"),
    ];
  });
}

/**
 * Splits datums into PutMetricData-sized batches, keeping their order. The size of a datum is estimated from its
 * JSON form with the timestamp as an ISO string, which is longer than the wire encoding, so the estimate errs large.
 */
export function batchMetricData(
  datums: readonly MetricDatum[],
  namespace: string,
  limits: { maxDatums: number; maxBytes: number } = PUT_METRIC_DATA_LIMITS,
): MetricDatum[][] {
  const envelope = Buffer.byteLength(JSON.stringify({ Namespace: namespace, MetricData: [] }));
  const batches: MetricDatum[][] = [];
  let current: MetricDatum[] = [];
  let bytes = envelope;
  for (const datum of datums) {
    const size = Buffer.byteLength(JSON.stringify(datum)) + 1;
    if (envelope + size > limits.maxBytes)
      throw new Error(`Metric datum ${datum.MetricName} is ${size} bytes; it cannot fit a ${limits.maxBytes}-byte PutMetricData request`);
    if (current.length > 0 && (current.length >= limits.maxDatums || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = envelope;
    }
    current.push(datum);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Publishes every datum, batch after batch; returns the number of PutMetricData calls. */
export async function publishMetricData(put: PutMetricData, namespace: string, datums: readonly MetricDatum[]): Promise<number> {
  const batches = batchMetricData(datums, namespace);
  for (const MetricData of batches) {
    try {
      await put({ Namespace: namespace, MetricData });
    } catch (error) {
      const e = error as Error;
      throw new Error(`PutMetricData to ${namespace} failed: ${e.name}: ${e.message}`, { cause: error });
    }
  }
  return batches.length;
}

/** PutMetricData accepts at most 150 distinct values in one datum's Values. */
export const MAX_VALUES_PER_DATUM = 150;

/**
 * Per pool, stamped with the window's start (one standard-resolution datum per minute): `FailedTasks` (0 included, so
 * the failure alarm always has data) and, when tasks started, `QueuedToRunningSeconds` as Values and Counts split into
 * datums of at most 150 values, from which CloudWatch computes percentiles (the alarm's p95).
 */
export function outcomeData(environment: string, outcomes: readonly PoolOutcomes[], timestamp: Date): MetricDatum[] {
  return outcomes.flatMap((o) => {
    const Dimensions = [
      { Name: QUEUE_METRICS.environmentDimension, Value: environment },
      { Name: QUEUE_METRICS.poolDimension, Value: o.pool },
    ];
    const failed: MetricDatum = {
      MetricName: QUEUE_METRICS.failedTasks,
      Dimensions,
      Timestamp: timestamp,
      Value: o.failed,
      Unit: "Count",
      StorageResolution: 60,
    };
    const latencies: MetricDatum[] = [];
    for (let i = 0; i < o.latencies.length; i += MAX_VALUES_PER_DATUM) {
      const chunk = o.latencies.slice(i, i + MAX_VALUES_PER_DATUM);
      latencies.push({
        MetricName: QUEUE_METRICS.queuedToRunningSeconds,
        Dimensions,
        Timestamp: timestamp,
        Values: chunk.map((l) => l.seconds),
        Counts: chunk.map((l) => l.count),
        Unit: "Seconds",
        StorageResolution: 60,
      });
    }
    return [failed, ...latencies];
  });
}
