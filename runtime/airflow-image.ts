/**
 * The Airflow image as the infrastructure sees it: versions, user, paths, components and the `AIRFLOW_ECS_*`
 * variables the task definitions set. The image (docker/) never repeats these as literals of its own: tests check
 * that it reads exactly these names. This layer imports nothing.
 */
import { OIDC_ENV } from "./sign-in";

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
 * Writable scratch mounted into every read-only-root container. docker/Dockerfile declares each as a VOLUME, owned
 * and moded so uid 50000 can write it: Fargate creates a bind mount root-owned 0755 unless the image declares the path
 * (a test checks both lists agree).
 */
export const WRITABLE_PATHS = { logs: "/opt/airflow/logs", tmp: "/tmp" } as const;

/**
 * Environment of a container that runs one of the image's own Python helpers (`python -m airflow_ecs.<module>`, e.g.
 * the log groomer and DAG sync) rather than Airflow: the official entrypoint runs `python ...` as is, its module
 * path is the image's config folder, it waits for no database (it uses none), and the read-only root file system
 * takes no bytecode.
 */
export const PYTHON_HELPER_ENVIRONMENT: Readonly<Record<string, string>> = {
  PYTHONPATH: `${AIRFLOW_HOME}/config`,
  CONNECTION_CHECK_MAX_COUNT: "0",
  PYTHONDONTWRITEBYTECODE: "1",
};

/** The log groomer sidecar's command: the image's Python module, run by the official entrypoint's `python` pass-through. */
export const LOG_GROOMER_COMMAND = ["python", "-m", "airflow_ecs.log_groomer"] as const;

/** What each container runs; the value of AIRFLOW_ECS_COMPONENT, read by the entrypoint. */
export const COMPONENTS = ["api-server", "scheduler", "dag-processor", "triggerer", "worker", "flower", "migrate", "db-clean"] as const;
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
  /** Log groomer sidecar: the logs volume it bounds, by age, total size (sparing recently written files), how often. */
  logGroomerDirectory: "AIRFLOW_ECS_LOG_GROOMER_DIRECTORY",
  logGroomerMaxAgeMinutes: "AIRFLOW_ECS_LOG_GROOMER_MAX_AGE_MINUTES",
  logGroomerMaxMegabytes: "AIRFLOW_ECS_LOG_GROOMER_MAX_MEGABYTES",
  logGroomerActiveMinutes: "AIRFLOW_ECS_LOG_GROOMER_ACTIVE_MINUTES",
  logGroomerIntervalSeconds: "AIRFLOW_ECS_LOG_GROOMER_INTERVAL_SECONDS",
  /** api-server, OIDC sign-in only: the OAuth settings webserver_config.py renders (runtime/sign-in.ts). */
  ...OIDC_ENV,
  /** Tag of the image the container runs (the migrate task records it with the Airflow version). */
  imageTag: "AIRFLOW_ECS_IMAGE_TAG",
  /** Migrate task: the SSM parameter recording the Airflow version and image that last migrated the database (MIGRATION_RECORD). */
  migrationRecordParameter: "AIRFLOW_ECS_MIGRATION_RECORD_PARAMETER",
  /** SNS topic the cluster policy's failure notifier publishes to (dag-processor and workers); unset: no notifier. */
  failureTopicArn: "AIRFLOW_ECS_FAILURE_TOPIC_ARN",
  /** db-clean task: rows older than this many days are cleaned. */
  dbCleanRetentionDays: "AIRFLOW_ECS_DB_CLEAN_RETENTION_DAYS",
  /** db-clean task: `none` (--skip-archive) or `last-run` (archive tables kept until the next run). */
  dbCleanArchive: "AIRFLOW_ECS_DB_CLEAN_ARCHIVE",
  /** db-clean task: rows per delete transaction (--batch-size). */
  dbCleanBatchSize: "AIRFLOW_ECS_DB_CLEAN_BATCH_SIZE",
  /** db-clean task: minutes after which a run is stopped. */
  dbCleanTimeoutMinutes: "AIRFLOW_ECS_DB_CLEAN_TIMEOUT_MINUTES",
} as const;

/**
 * What the migrate task records after a successful `airflow db migrate` (JSON in the migration-record SSM parameter),
 * and `npm run migrate` reads to decide whether to snapshot the database first: the Airflow version that migrated it
 * and the image tag it ran. The image writes these keys (docker/config/airflow_ecs/migration_record.py; a test checks).
 */
export const MIGRATION_RECORD = { airflowVersion: "airflowVersion", imageTag: "imageTag", migratedAt: "migratedAt" } as const;

/** The message attribute every notification of the environment's topic carries, and its values (subscription filters). */
export const NOTIFICATION_KIND_ATTRIBUTE = "airflow_ecs_kind";
export const TASK_FAILURE_KIND = "task-failure";

/** A DAG with this tag gets no failure notifier from the cluster policy (docker/config/airflow_ecs/failure_notifications.py). */
export const NO_FAILURE_NOTIFICATION_TAG = "airflow-ecs:no-failure-notification";

/** The secrets backend layout: Airflow connections and variables under `<prefix>/<env>/connections|variables/`. */
export function secretsBackendKwargs(secretPrefix: string): { connections_prefix: string; variables_prefix: string; config_prefix: null } {
  return { connections_prefix: `${secretPrefix}/connections`, variables_prefix: `${secretPrefix}/variables`, config_prefix: null };
}
