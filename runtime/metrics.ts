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
  environmentDimension: "Environment",
  poolDimension: "Pool",
} as const;
