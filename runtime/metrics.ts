/** CloudWatch metrics the image and the Lambdas publish, and the alarms read: namespaces, names, dimensions. */

/** The heartbeat DAG and its alarm. */
export const HEARTBEAT = {
  dagId: "airflow_ecs_heartbeat",
  namespace: "AirflowEcs/Heartbeat",
  metricName: "HeartbeatSucceeded",
  /** Dimension carrying the environment name. */
  environmentDimension: "Environment",
  /** The DAG runs every 5 minutes. */
  intervalSeconds: 300,
  /** Airflow Variable `heartbeat_probe`, stored as secret `<prefix>/<env>/variables/heartbeat_probe`. */
  probeVariable: "heartbeat_probe",
} as const;

/** Queue-depth metrics published per worker pool by the publisher Lambda. */
export const QUEUE_METRICS = {
  namespace: "AirflowEcs/Queues",
  /** ceil((queued + running) / concurrency), clamped to the pool's min/max: the scaling signal. */
  desiredWorkers: "DesiredWorkers",
  queuedTasks: "QueuedTasks",
  runningTasks: "RunningTasks",
  /** Age in seconds of the oldest queued task instance of the pool (backlog alarm). */
  oldestQueuedSeconds: "OldestQueuedSeconds",
  /** The pool service's current desired count (read from ECS at the sample). */
  currentWorkers: "CurrentWorkers",
  /** max(0, DesiredWorkers - CurrentWorkers): the scale-out alarm's signal (changes state as soon as work arrives). */
  workerShortfall: "WorkerShortfall",
  /** max(0, CurrentWorkers - DesiredWorkers): the scale-in alarm's signal. */
  workerSurplus: "WorkerSurplus",
  /**
   * Seconds from queued to running of the task instances that started in the previous whole minute, as values and
   * counts (CloudWatch computes percentiles from them). Stands in for Airflow's `task.queued_duration`, which 3.1.x
   * does not emit.
   */
  queuedToRunningSeconds: "QueuedToRunningSeconds",
  /** Task instances that ended `failed` in the previous whole minute (Airflow 3.1.5 emits no `ti_failures`). */
  failedTasks: "FailedTasks",
  environmentDimension: "Environment",
  poolDimension: "Pool",
} as const;

/**
 * Airflow's own metrics, exported by every component over OpenTelemetry to the metrics collector, which publishes the
 * allowed ones (modules/metrics/airflow-metric-catalogue.ts) as CloudWatch metrics through embedded metric format.
 */
export const AIRFLOW_METRICS = {
  /** `[metrics] otel_prefix`: CloudWatch metric names are `airflow.<Airflow's name>`. */
  prefix: "airflow",
  /** `[metrics] otel_interval_milliseconds` / 1000: one datapoint per series and minute. */
  exportIntervalSeconds: 60,
  /** The tag Airflow puts on pool metrics. */
  poolDimension: "pool_name",
  /** The tag Airflow puts on queue metrics. */
  queueDimension: "queue",
} as const;

/** Per-container CPU, memory and throttling that the collector scrapes from cAdvisor on every container instance. */
export const CONTAINER_METRICS = {
  /** The ECS task-definition family of the container (`airflow-prod-worker-default`): one per service. */
  taskFamilyDimension: "TaskFamily",
  /** The container's name in its task definition (`worker`, `scheduler`, ...). */
  containerDimension: "Container",
} as const;

/** The CloudWatch namespace of Airflow's own metrics in one environment. */
export function airflowMetricsNamespace(environment: string): string {
  return `AirflowEcs/${environment}/Airflow`;
}

/** The CloudWatch namespace of the per-container metrics (cAdvisor) in one environment. */
export function containerMetricsNamespace(environment: string): string {
  return `AirflowEcs/${environment}/Containers`;
}
