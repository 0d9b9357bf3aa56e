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
/** The platform DAGs baked into the image (docker/dags/), always a DAG bundle of their own. */
export const IMAGE_DAGS_FOLDER = "/opt/airflow/image-dags";
export const IMAGE_DAG_BUNDLE_NAME = "airflow-ecs-image";

/**
 * The environment's DAG bucket: S3 bundles under `dags/<prefix>/`, EFS releases uploaded by `deploy-dags` under
 * `releases/<bundle>/<version>.tar.gz` (object metadata `sha256`: hex SHA-256 of the archive).
 */
export const DAG_BUCKET_LAYOUT = { bundles: "dags", releases: "releases", sha256Metadata: "sha256" } as const;

/**
 * An EFS bundle on the DAG file system (mounted at DAGS_FOLDER): `<bundle>/releases/<version>/` holds complete
 * releases, `<bundle>/current` is a relative symlink to one of them, switched atomically by the sync task.
 */
export const EFS_BUNDLE_LAYOUT = { current: "current", releases: "releases" } as const;

/** A release version: what deploy-dags uploads and the sync task accepts (docker/config/airflow_ecs/dag_sync.py mirrors it). */
export const DAG_RELEASE_VERSION_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

/** The sync task's command: the image's Python module, run by the official entrypoint's `python` pass-through. */
export const DAG_SYNC_COMMAND = ["python", "-m", "airflow_ecs.dag_sync"] as const;

/** The folder Airflow reads an EFS bundle from. */
export function efsBundlePath(bundle: string): string {
  return `${DAGS_FOLDER}/${bundle}/${EFS_BUNDLE_LAYOUT.current}`;
}
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
  /** DAG sync task: the DAG bucket and the prefix of uploaded EFS releases (DAG_BUCKET_LAYOUT). */
  dagBucket: "AIRFLOW_ECS_DAG_BUCKET",
  dagReleasesPrefix: "AIRFLOW_ECS_DAG_RELEASES_PREFIX",
  /** DAG sync task: where the DAG file system is mounted (read-write). */
  dagSyncRoot: "AIRFLOW_ECS_DAG_SYNC_ROOT",
  /** DAG sync task: JSON list of the environment's EFS bundle names (anything else is refused). */
  dagSyncBundles: "AIRFLOW_ECS_DAG_SYNC_BUNDLES",
  /** DAG sync task: releases kept per bundle, the current one included. */
  dagSyncKeepReleases: "AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES",
  /** DAG sync task, set per run by deploy-dags (container overrides): the bundle and the version to switch to. */
  dagSyncBundle: "AIRFLOW_ECS_DAG_SYNC_BUNDLE",
  dagSyncVersion: "AIRFLOW_ECS_DAG_SYNC_VERSION",
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
