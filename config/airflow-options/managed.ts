/**
 * Airflow options an environment file may not set in `airflow.config`, because the platform sets them from another
 * part of the environment (or fixes them): each names what controls it instead. Options the platform derives but an
 * environment may tune within a rule (capacity, queue timing) are not here: see config/derived/airflow-options.ts.
 */
export interface ManagedOption {
  /** The environment field (or platform part) that controls the option. */
  readonly controlledBy: string;
  /** Why it cannot be set directly. */
  readonly reason: string;
}

const platform = (reason: string): ManagedOption => ({ controlledBy: "the platform", reason });
const field = (controlledBy: string, reason: string): ManagedOption => ({ controlledBy, reason });

const DATABASE = field("storage.database", "the entrypoint builds the URL from the RDS-managed secret");
const GENERATED_SECRET = field("the storage stack's generated secrets", "one generated value per environment, shared by every component");
const TOKEN_IDENTITY = platform("every component must use the same value, derived from the environment's name");
const SIGNING = field("the storage stack's generated jwt_secret", "every component signs and checks tokens with the same generated key");
const REMOTE_LOGS = field("storage.taskLogExpirationDays", "task logs go to the environment's S3 task-log bucket");
const FIXED_ENDPOINT = platform("hosts and ports are fixed in runtime/ports.ts and opened in the security groups");
const SECRETS_BACKEND = platform("connections and variables come from Secrets Manager under the environment's prefix");
const WARM_SHUTDOWN = platform("warm shutdown and scale-in protection of busy workers rely on it");

/** Keys are `section.key`, lower case. */
export const MANAGED_OPTIONS: Readonly<Record<string, ManagedOption>> = {
  "core.executor": field("workerPools", "the platform runs the CeleryExecutor, one ECS service per worker pool"),
  "core.auth_manager": field("airflow.auth", "the auth manager decides who can log in"),
  "core.simple_auth_manager_passwords_file": field("airflow.auth", "the file must be on the task's writable /tmp"),
  "core.execution_api_server_url": platform("workers reach the Execution API through the api-server's service-discovery name"),
  "core.dags_folder": field("dags.bundles", "DAGs are Airflow DAG bundles; the folders are the image's mount points"),
  "core.plugins_folder": field("dags.bundles", "plugins come from the DAG file system's plugins access point"),
  "core.hostname_callable": platform("workers and triggerers advertise their task IP so the api-server can read live logs"),
  "core.fernet_key": GENERATED_SECRET,
  "dag_processor.dag_bundle_config_list": field("dags.bundles", "the bundle list is rendered from the environment's bundles"),
  "dag_processor.dag_bundle_storage_path": platform("bundles are checked out on the task's writable /tmp"),
  "api.base_url": field("alb.hostname", "Airflow builds its links from the ALB's name"),
  "api.host": FIXED_ENDPOINT,
  "api.port": FIXED_ENDPOINT,
  "api.secret_key": GENERATED_SECRET,
  "api_auth.jwt_secret": GENERATED_SECRET,
  "api_auth.jwt_issuer": TOKEN_IDENTITY,
  "api_auth.jwt_audience": TOKEN_IDENTITY,
  "api_auth.jwt_algorithm": SIGNING,
  "api_auth.jwt_private_key_path": SIGNING,
  "api_auth.jwt_kid": SIGNING,
  "api_auth.trusted_jwks_url": SIGNING,
  "execution_api.jwt_audience": TOKEN_IDENTITY,
  "database.sql_alchemy_conn": DATABASE,
  "database.sql_alchemy_conn_async": DATABASE,
  "database.sql_alchemy_pool_size": field("storage.database.sqlAlchemyPoolSize", "the pool size is sized with the database's connection limit"),
  "celery.broker_url": field("storage.redis", "the entrypoint builds the URL from the ElastiCache auth token"),
  "celery.result_backend": DATABASE,
  "celery.celery_config_options": platform("the image's Celery configuration adds broker TLS and scale-in protection"),
  "celery.worker_concurrency": field("workerPools[].concurrency", "each pool's workers run with the pool's concurrency"),
  "celery.worker_enable_remote_control": WARM_SHUTDOWN,
  "celery.worker_prefetch_multiplier": WARM_SHUTDOWN,
  "celery.task_acks_late": WARM_SHUTDOWN,
  "celery.flower_url_prefix": field("airflow.flower.exposure", "Flower's path follows where it is exposed"),
  "celery.flower_basic_auth": GENERATED_SECRET,
  "celery.flower_host": FIXED_ENDPOINT,
  "celery.flower_port": FIXED_ENDPOINT,
  "operators.default_queue": field("workerPools", 'tasks without a queue go to "default", which a worker pool must consume'),
  "secrets.backend": SECRETS_BACKEND,
  "secrets.backend_kwargs": SECRETS_BACKEND,
  "workers.secrets_backend": SECRETS_BACKEND,
  "workers.secrets_backend_kwargs": SECRETS_BACKEND,
  "logging.remote_logging": REMOTE_LOGS,
  "logging.remote_base_log_folder": REMOTE_LOGS,
  "logging.remote_log_conn_id": REMOTE_LOGS,
  "logging.remote_task_handler_kwargs": REMOTE_LOGS,
  "logging.delete_local_logs": platform("local task and trigger logs are deleted once uploaded, so the task's disk does not fill"),
  "logging.base_log_folder": platform("logs are written to the task's logs volume, which the log groomer bounds"),
  "logging.dag_processor_child_process_log_directory": platform("parse logs are written to the task's logs volume, which the log groomer bounds"),
  "logging.worker_log_server_port": FIXED_ENDPOINT,
  "logging.trigger_log_server_port": FIXED_ENDPOINT,
  "scheduler.enable_health_check": platform("the scheduler's container health check calls its health server"),
  "scheduler.scheduler_health_check_server_host": FIXED_ENDPOINT,
  "scheduler.scheduler_health_check_server_port": FIXED_ENDPOINT,
};
