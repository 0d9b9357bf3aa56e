import { AIRFLOW_METRICS } from "../../runtime/metrics";

/**
 * The allow-list of Airflow's own metrics: the one table both ends read. Airflow exports only these names
 * (`[metrics] metrics_allow_list`, `metricsAllowList`), and the collector turns only these into CloudWatch metrics,
 * with exactly these dimensions (`awsemf` metric declarations, `airflowMetricDeclarations`). Every other name and every
 * other tag (dag_id, task_id, hostname, ...) stays out of CloudWatch: a custom metric is billed per name and
 * dimension-value combination, and per-task dimensions would make one per task. Adding a metric is adding a row.
 *
 * Names are Airflow 3.1's tagged forms (the legacy forms that encode a pool or a DAG into the name are left out by the
 * exact match). Sources: airflow-core's metrics registry (metrics_template.yaml) and OTel logger (otel_logger.py), read
 * at commits of the 3.1/3.2 development line, and the issues that date 3.1.5's gaps (on the rows).
 */
export interface AirflowMetric {
  /** Airflow's name, without the `airflow.` prefix (what `metrics_allow_list` matches). */
  readonly name: string;
  /** Counter (a per-minute count in CloudWatch), gauge (the last value), or timer (Airflow 3.1's OTel timers are gauges of the last duration, ms). */
  readonly kind: "counter" | "gauge" | "timer";
  /** The dimension sets it is published with: `[]` is the metric without dimensions, `[pool_name]` one series per Airflow pool. */
  readonly dimensions: readonly (readonly string[])[];
  /** What it tells, for the README. */
  readonly meaning: string;
  /** When Airflow 3.1.5 does not emit it yet: kept so it lights up after an upgrade. */
  readonly notIn315?: string;
}

const NONE: readonly (readonly string[])[] = [[]];
const PER_POOL: readonly (readonly string[])[] = [[AIRFLOW_METRICS.poolDimension]];
const PER_QUEUE: readonly (readonly string[])[] = [[AIRFLOW_METRICS.queueDimension]];

export const AIRFLOW_METRIC_CATALOGUE: readonly AirflowMetric[] = [
  { name: "scheduler_heartbeat", kind: "counter", dimensions: NONE, meaning: "scheduler loops (a live scheduler beats every few seconds)" },
  { name: "dag_processor_heartbeat", kind: "counter", dimensions: NONE, meaning: "dag-processor loops" },
  { name: "triggerer_heartbeat", kind: "counter", dimensions: NONE, meaning: "triggerer loops" },
  { name: "scheduler.scheduler_loop_duration", kind: "timer", dimensions: NONE, meaning: "duration of one scheduler loop (ms)" },
  { name: "scheduler.critical_section_duration", kind: "timer", dimensions: NONE, meaning: "time spent holding the pool lock (ms)" },
  { name: "scheduler.tasks.starving", kind: "gauge", dimensions: NONE, meaning: "tasks that cannot be scheduled because their pool is full" },
  { name: "scheduler.tasks.executable", kind: "gauge", dimensions: NONE, meaning: "tasks ready to be queued" },
  { name: "scheduler.tasks.killed_externally", kind: "counter", dimensions: NONE, meaning: "task instances killed outside Airflow (OOM, lost worker)" },
  { name: "scheduler.orphaned_tasks.cleared", kind: "counter", dimensions: NONE, meaning: "orphaned task instances reset by the scheduler" },
  { name: "scheduler.orphaned_tasks.adopted", kind: "counter", dimensions: NONE, meaning: "orphaned task instances adopted by a scheduler" },
  { name: "task_instances_without_heartbeats_killed", kind: "counter", dimensions: NONE, meaning: "zombies: running task instances without heartbeat, failed" },
  { name: "executor.open_slots", kind: "gauge", dimensions: NONE, meaning: "executor slots free (parallelism minus queued and running)" },
  { name: "executor.queued_tasks", kind: "gauge", dimensions: NONE, meaning: "task instances the executor has queued to Celery" },
  { name: "executor.running_tasks", kind: "gauge", dimensions: NONE, meaning: "task instances the executor sees running" },
  { name: "pool.open_slots", kind: "gauge", dimensions: PER_POOL, meaning: "free slots of each Airflow pool" },
  { name: "pool.queued_slots", kind: "gauge", dimensions: PER_POOL, meaning: "slots of each Airflow pool held by queued task instances" },
  { name: "pool.running_slots", kind: "gauge", dimensions: PER_POOL, meaning: "slots of each Airflow pool held by running task instances" },
  { name: "pool.starving_tasks", kind: "gauge", dimensions: PER_POOL, meaning: "task instances waiting for a slot of each Airflow pool" },
  { name: "dag_processing.import_errors", kind: "gauge", dimensions: NONE, meaning: "DAG files that fail to import" },
  { name: "dag_processing.total_parse_time", kind: "gauge", dimensions: NONE, meaning: "seconds to parse every DAG file once" },
  { name: "triggers.running", kind: "gauge", dimensions: NONE, meaning: "triggers running in a triggerer" },
  { name: "triggerer.capacity_left", kind: "gauge", dimensions: NONE, meaning: "triggers a triggerer can still take" },
  { name: "celery.task_timeout_error", kind: "counter", dimensions: NONE, meaning: "tasks Celery did not accept in time" },
  {
    name: "task.queued_duration",
    kind: "timer",
    dimensions: PER_QUEUE,
    meaning: "queued to running per queue (ms)",
    notIn315: "not emitted by any Airflow 3 release so far (apache/airflow#66067); the queue-depth publisher's QueuedToRunningSeconds stands in",
  },
  {
    name: "ti_failures",
    kind: "counter",
    dimensions: NONE,
    meaning: "failed task instances",
    notIn315: "restored in 3.1.6 (apache/airflow#59731); FailedTasks stands in",
  },
];

/** The CloudWatch metric name of an Airflow metric: `airflow.<name>`. */
export function airflowMetricName(name: string): string {
  return `${AIRFLOW_METRICS.prefix}.${name}`;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A regular expression matching exactly `name` (Airflow and the collector match anywhere in the name). */
export function exactPattern(name: string): string {
  return `^${escapeRegex(name)}$`;
}

/**
 * `[metrics] metrics_allow_list`: comma-separated regular expressions Airflow matches anywhere in each stat name
 * (without the prefix), so each is anchored at both ends; legacy names such as `pool.open_slots.default_pool` do not match.
 */
export function metricsAllowList(catalogue: readonly AirflowMetric[] = AIRFLOW_METRIC_CATALOGUE): string {
  return catalogue.map((m) => exactPattern(m.name)).join(",");
}

/** An `awsemf` metric declaration: the dimension sets, and the metric names (regexes) published with them. */
export interface MetricDeclaration {
  readonly dimensions: readonly (readonly string[])[];
  readonly metric_name_selectors: readonly string[];
}

/** One declaration per distinct dimension-set list, in catalogue order, each selecting its metrics by exact name. */
export function airflowMetricDeclarations(catalogue: readonly AirflowMetric[] = AIRFLOW_METRIC_CATALOGUE): MetricDeclaration[] {
  const byDimensions = new Map<string, { dimensions: readonly (readonly string[])[]; selectors: string[] }>();
  for (const metric of catalogue) {
    const key = JSON.stringify(metric.dimensions);
    const entry = byDimensions.get(key) ?? { dimensions: metric.dimensions, selectors: [] };
    entry.selectors.push(exactPattern(airflowMetricName(metric.name)));
    byDimensions.set(key, entry);
  }
  return [...byDimensions.values()].map(({ dimensions, selectors }) => ({
    dimensions: dimensions.map((set) => [...set]),
    metric_name_selectors: selectors,
  }));
}
