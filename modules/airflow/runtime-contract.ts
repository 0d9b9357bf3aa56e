/**
 * One source of truth for the names shared by the task definitions (TypeScript), the Airflow image and its DAGs
 * (docker/), the queue-depth publisher Lambda (lambda/) and the alarms. The image side never repeats a metric
 * name or namespace as a literal: the task definitions inject them through the variables below, and tests check
 * that docker/ and lambda/ use exactly these names.
 */

/** Airflow and Python of the image; docker/Dockerfile's ARG defaults must equal these (a test checks). */
export const AIRFLOW_VERSION = "3.1.5";
export const PYTHON_VERSION = "3.12";

/** The official image's user: uid 50000, gid 0 (other uids only work with gid 0). */
export const AIRFLOW_UID = 50000;
export const AIRFLOW_GID = 0;
export const AIRFLOW_HOME = "/opt/airflow";
export const DAGS_FOLDER = "/opt/airflow/dags";
export const PLUGINS_FOLDER = "/opt/airflow/plugins";
/** Writable scratch mounted into every read-only-root container. */
export const WRITABLE_PATHS = { logs: "/opt/airflow/logs", tmp: "/tmp" } as const;

/** What each container runs; the value of AIRFLOW_ECS_COMPONENT, read by the entrypoint. */
export const COMPONENTS = ["api-server", "scheduler", "dag-processor", "triggerer", "worker", "flower", "migrate"] as const;
export type Component = (typeof COMPONENTS)[number];

/**
 * Environment variables ECS sets on Airflow containers. Values marked (secret) come from Secrets Manager through
 * the container's `secrets` (valueFrom); everything else is plain, non-sensitive configuration. The entrypoint
 * builds the SQLAlchemy, Celery broker and result-backend URLs from these parts, so no URL with a password ever
 * sits in a task definition.
 */
export const RUNTIME_ENV = {
  /** One of COMPONENTS. */
  component: "AIRFLOW_ECS_COMPONENT",
  /** Environment name (dev, prod, ...): metric dimension and log context. */
  environment: "AIRFLOW_ECS_ENVIRONMENT",
  dbHost: "AIRFLOW_ECS_DB_HOST",
  dbPort: "AIRFLOW_ECS_DB_PORT",
  dbName: "AIRFLOW_ECS_DB_NAME",
  /** (secret) `username` key of the RDS-managed master secret. */
  dbUser: "AIRFLOW_ECS_DB_USER",
  /** (secret) `password` key of the RDS-managed master secret. */
  dbPassword: "AIRFLOW_ECS_DB_PASSWORD",
  redisHost: "AIRFLOW_ECS_REDIS_HOST",
  redisPort: "AIRFLOW_ECS_REDIS_PORT",
  /** (secret) ElastiCache auth token. */
  redisAuthToken: "AIRFLOW_ECS_REDIS_AUTH_TOKEN",
  /** Seconds the entrypoint waits for the metadata DB before giving up (0 = do not wait). */
  dbWaitSeconds: "AIRFLOW_ECS_DB_WAIT_SECONDS",
  /** First admin created by the migrate task when absent. */
  adminUsername: "AIRFLOW_ECS_ADMIN_USERNAME",
  adminEmail: "AIRFLOW_ECS_ADMIN_EMAIL",
  /** (secret) First admin's password; migrate task only. */
  adminPassword: "AIRFLOW_ECS_ADMIN_PASSWORD",
  /** S3 bucket of the remote task logs (the heartbeat probes it). */
  taskLogsBucket: "AIRFLOW_ECS_TASK_LOGS_BUCKET",
  /** CloudWatch namespace and metric the heartbeat DAG publishes on success (HEARTBEAT below). */
  heartbeatNamespace: "AIRFLOW_ECS_HEARTBEAT_NAMESPACE",
  heartbeatMetric: "AIRFLOW_ECS_HEARTBEAT_METRIC",
  /** Heartbeat DAG schedule, in seconds (the alarm is derived from it). */
  heartbeatIntervalSeconds: "AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS",
  /** Airflow Variable (held in Secrets Manager) the heartbeat reads to prove the secrets backend works. */
  heartbeatProbeVariable: "AIRFLOW_ECS_HEARTBEAT_PROBE_VARIABLE",
  /** Worker pool this container belongs to (workers only). */
  workerPool: "AIRFLOW_ECS_WORKER_POOL",
  /** Scale-in protection expiry the worker sets while busy, renewed while tasks run (workers only). */
  taskProtectionMinutes: "AIRFLOW_ECS_TASK_PROTECTION_MINUTES",
} as const;

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

/** Environment of the queue-depth publisher Lambda. */
export const PUBLISHER_ENV = {
  /** JSON array of { name, service, queues, concurrency, minCount, maxCount } (service: the pool's ECS service name). */
  pools: "AIRFLOW_ECS_POOLS",
  /** ECS cluster of the worker services. */
  cluster: "AIRFLOW_ECS_CLUSTER",
  environment: "AIRFLOW_ECS_ENVIRONMENT",
  /** ARN of the RDS-managed master secret (JSON with username and password). */
  dbSecretArn: "AIRFLOW_ECS_DB_SECRET_ARN",
  dbHost: "AIRFLOW_ECS_DB_HOST",
  dbPort: "AIRFLOW_ECS_DB_PORT",
  dbName: "AIRFLOW_ECS_DB_NAME",
  /** Samples per invocation and the seconds between them (sub-minute reaction with a 1-minute schedule). */
  samplesPerInvocation: "AIRFLOW_ECS_SAMPLES_PER_INVOCATION",
  sampleIntervalSeconds: "AIRFLOW_ECS_SAMPLE_INTERVAL_SECONDS",
} as const;

/** Environment of the service-redeployer Lambda. */
export const REDEPLOYER_ENV = {
  cluster: "AIRFLOW_ECS_CLUSTER",
  /** JSON array of the ECS services to redeploy after the database secret rotates. */
  services: "AIRFLOW_ECS_SERVICES",
} as const;

/** The secrets backend layout: Airflow connections and variables under `<prefix>/<env>/connections|variables/`. */
export function secretsBackendKwargs(secretPrefix: string): { connections_prefix: string; variables_prefix: string; config_prefix: null } {
  return { connections_prefix: `${secretPrefix}/connections`, variables_prefix: `${secretPrefix}/variables`, config_prefix: null };
}
