import { AIRFLOW_METRICS, CONTAINER_METRICS, QUEUE_METRICS } from "../../runtime/metrics";
import { airflowMetricName } from "../metrics/airflow-metric-catalogue";

/** Where the dashboard's Airflow rows read from. */
export interface AirflowDashboardMetrics {
  /** Namespace of Airflow's own metrics (`AirflowEcs/<env>/Airflow`). */
  readonly airflowNamespace: string;
  /** Namespace of the per-container metrics from cAdvisor (`AirflowEcs/<env>/Containers`). */
  readonly containerNamespace: string;
  /**
   * The worker pools whose containers cAdvisor sees (EC2 capacity; it does not run on Fargate), each with its
   * task-definition family (the `TaskFamily` of its containers), in config order.
   */
  readonly poolFamilies: readonly { readonly pool: string; readonly family: string }[];
}

type Metric = (string | Record<string, unknown>)[];

/**
 * The dashboard rows on Airflow's own signals: scheduler, executor slots, Airflow pools, DAG processing, triggerer,
 * task failures and zombies, scheduling latency per worker pool, and per worker pool on EC2 the containers' CPU,
 * memory and CPU throttling from cAdvisor. Statistics are chosen so that two collectors scraping the same container (production)
 * change nothing: averages, maxima, percentiles, and ratios of sums.
 */
export function airflowSignalWidgets(region: string, environment: string, pools: readonly string[], m: AirflowDashboardMetrics): Record<string, unknown>[] {
  const airflow = (name: string, options: Record<string, unknown> = {}): Metric => [m.airflowNamespace, airflowMetricName(name), options];
  const queue = (metric: string, pool: string, options: Record<string, unknown>): Metric => [
    QUEUE_METRICS.namespace,
    metric,
    QUEUE_METRICS.environmentDimension,
    environment,
    QUEUE_METRICS.poolDimension,
    pool,
    options,
  ];
  // One line per Airflow pool (pools are created in Airflow, not in config): a search over the pool_name dimension.
  const perAirflowPool = (name: string, label: string) => [
    {
      expression: `SEARCH('{${m.airflowNamespace},${AIRFLOW_METRICS.poolDimension}} MetricName="${airflowMetricName(name)}"', 'Maximum', 60)`,
      label,
      id: name.replace(/\W/g, "_"),
    },
  ];
  const widget = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region, view: "timeSeries", stat: "Maximum", period: 60, metrics, ...extra },
  });
  return [
    {
      type: "text",
      width: 24,
      height: 1,
      properties: { markdown: "## Airflow's own metrics (OpenTelemetry through the metrics collector) and per-container figures (cAdvisor)" },
    },
    widget("Scheduler: heartbeats and loop duration", [
      airflow("scheduler_heartbeat", { stat: "Sum", label: "heartbeats / min" }),
      airflow("scheduler.scheduler_loop_duration", { label: "loop duration (ms, max)", yAxis: "right" }),
    ]),
    widget("Executor slots: open, queued, running", [
      airflow("executor.open_slots", { label: "open" }),
      airflow("executor.queued_tasks", { label: "queued" }),
      airflow("executor.running_tasks", { label: "running" }),
    ]),
    widget("Airflow pools: open slots and starving tasks", [
      perAirflowPool("pool.open_slots", "open slots"),
      perAirflowPool("pool.starving_tasks", "starving tasks"),
      airflow("scheduler.tasks.starving", { label: "starving, all pools" }),
    ]),
    widget("DAG processing: parse time and import errors", [
      airflow("dag_processing.total_parse_time", { label: "parse time, all files (s)" }),
      airflow("dag_processing.import_errors", { label: "import errors", yAxis: "right" }),
    ]),
    widget("Triggerer: running triggers and capacity left", [
      airflow("triggers.running", { label: "running triggers" }),
      airflow("triggerer.capacity_left", { stat: "Minimum", label: "capacity left (lowest triggerer)" }),
    ]),
    widget(
      "Task failures, zombies, externally killed, orphans",
      [
        ...pools.map((pool) => queue(QUEUE_METRICS.failedTasks, pool, { label: `${pool} failed` })),
        airflow("task_instances_without_heartbeats_killed", { label: "zombies failed" }),
        airflow("scheduler.tasks.killed_externally", { label: "killed externally" }),
        airflow("scheduler.orphaned_tasks.cleared", { label: "orphans cleared" }),
        airflow("scheduler.orphaned_tasks.adopted", { label: "orphans adopted" }),
      ],
      { stat: "Sum", period: 300 },
    ),
    widget(
      "Scheduling latency: queued to running (s)",
      pools.flatMap((pool) => [
        queue(QUEUE_METRICS.queuedToRunningSeconds, pool, { stat: "p50", label: `${pool} p50` }),
        queue(QUEUE_METRICS.queuedToRunningSeconds, pool, { stat: "p95", label: `${pool} p95` }),
      ]),
      { period: 300 },
    ),
    widget("Containers on EC2: memory working set, largest per family and container (cAdvisor)", [
      [
        {
          expression: `SEARCH('{${m.containerNamespace},${CONTAINER_METRICS.taskFamilyDimension},${CONTAINER_METRICS.containerDimension}} MetricName="container_memory_working_set_bytes"', 'Maximum', 60)`,
          label: "",
          id: "memory",
        },
      ],
    ]),
    ...m.poolFamilies.map(({ pool, family }) => poolContainerWidget(widget, m.containerNamespace, pool, family)),
  ];
}

/** One worker pool's containers: CPU in vCPU (average and busiest container), memory working set, CPU throttling (%). */
function poolContainerWidget(
  widget: (title: string, metrics: unknown[], extra?: Record<string, unknown>) => Record<string, unknown>,
  namespace: string,
  pool: string,
  family: string,
): Record<string, unknown> {
  const series = (name: string, options: Record<string, unknown>): Metric => [
    namespace,
    name,
    CONTAINER_METRICS.taskFamilyDimension,
    family,
    CONTAINER_METRICS.containerDimension,
    "worker",
    options,
  ];
  return widget(`Pool ${pool}: worker CPU, memory and throttling (cAdvisor)`, [
    series("container_cpu_usage_seconds_total", { stat: "Average", id: "cpuavg", visible: false }),
    series("container_cpu_usage_seconds_total", { stat: "Maximum", id: "cpumax", visible: false }),
    series("container_cpu_cfs_throttled_periods_total", { stat: "Sum", id: "throttled", visible: false }),
    series("container_cpu_cfs_periods_total", { stat: "Sum", id: "periods", visible: false }),
    // CPU seconds per one-minute scrape / 60 = vCPUs in use.
    [{ expression: "cpuavg / 60", label: "vCPU, average worker", id: "vcpuavg" }],
    [{ expression: "cpumax / 60", label: "vCPU, busiest worker", id: "vcpumax" }],
    [{ expression: "100 * throttled / periods", label: "throttled CPU periods (%)", id: "throttling" }],
    series("container_memory_working_set_bytes", { stat: "Maximum", label: "memory working set, largest worker (bytes)", yAxis: "right" }),
  ]);
}
