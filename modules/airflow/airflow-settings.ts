import { Token } from "cdktf";
import type { AuthConfig, DagBundleConfig } from "../../config/schema";
import { dagBundleConfigList, gitConnections } from "../dags/dag-bundles";
import { TASK_LOG_PREFIX } from "../iam/grants";
import { PORTS } from "../../runtime/ports";
import { DAGS_FOLDER, PLUGINS_FOLDER, RUNTIME_ENV, secretsBackendKwargs, type Component } from "../../runtime/airflow-image";
import { HEARTBEAT } from "../../runtime/metrics";
import type { ComponentOptions } from "../../config/derived/airflow-options";
import { authEnvironment, authSecrets } from "./auth-settings";

/** Everything an Airflow container's settings are built from, resolved from config and the stack contracts. */
export interface AirflowRuntime {
  readonly environment: string;
  readonly region: string;
  /** `<prefix>/<env>`: Secrets Manager prefix of connections and variables. */
  readonly secretPrefix: string;
  /** How people sign in (`airflow.auth`). */
  readonly auth: AuthConfig;
  readonly db: { readonly host: string; readonly port: number; readonly name: string; readonly masterSecretArn: string; readonly poolSize: number };
  readonly broker: { readonly host: string; readonly port: number; readonly authTokenSecretArn: string };
  readonly secrets: {
    readonly fernetKey: string;
    readonly apiSecretKey: string;
    readonly jwtSecret: string;
    readonly adminPassword: string;
    readonly flowerBasicAuth: string;
  };
  readonly taskLogsBucket: string;
  /** Internal URL of the api-server's Execution API (service discovery), ending in `/execution/`. */
  readonly executionApiUrl: string;
  /** Public URL of the UI (ALB); tasks that serve no UI leave it out. */
  readonly baseUrl?: string;
  /** JWT issuer shared by every component (the environment's base name); the API tokens' audience derives from it. */
  readonly jwtIssuer: string;
  /**
   * Addresses whose X-Forwarded-For/-Proto headers the api-server trusts (`--proxy-headers`): the CIDRs of the
   * subnets the ALB sits in. Required for the api-server.
   */
  readonly forwardedAllowIps?: readonly string[];
  /** Each component's Airflow options: derived capacity and queue timing, and the environment's own options. */
  readonly options: Readonly<Record<Component, ComponentOptions>>;
  /** Flower's path prefix behind the ALB, if it is there. */
  readonly flowerUrlPrefix?: string;
  /** The environment's DAG bundles and the DAG bucket S3 bundles live in; tasks that read no DAGs leave it out. */
  readonly dags?: { readonly bundles: readonly DagBundleConfig[]; readonly bucket: string };
  /** SNS topic task failures notify (notification-settings.ts); left out when the environment turned them off. */
  readonly failureTopicArn?: string;
  /** The metrics collector Airflow exports to (OTLP/HTTP, metrics-settings.ts); without it no metrics are exported. */
  readonly metrics?: { readonly otlpHost: string; readonly otlpPort: number };
}

/**
 * How a component uses DAG bundles: `initialize` components fetch bundle files (parse DAGs, run tasks and triggers)
 * and so need Git connections and S3 reads; `list` components only need the same bundle list (names, view URLs).
 */
export type BundleUse = "initialize" | "list" | "none";

/** What each component talks to, and so which secrets and settings it receives (airflow-runtime.md, sections 2 and 2.1). */
export const COMPONENT_NEEDS: Readonly<
  Record<
    Component,
    {
      readonly db: boolean;
      readonly broker: boolean;
      readonly fernet: boolean;
      readonly apiSecretKey: boolean;
      readonly jwt: boolean;
      readonly bundles: BundleUse;
    }
  >
> = {
  "api-server": { db: true, broker: false, fernet: true, apiSecretKey: true, jwt: true, bundles: "list" },
  scheduler: { db: true, broker: true, fernet: true, apiSecretKey: false, jwt: true, bundles: "list" },
  "dag-processor": { db: true, broker: false, fernet: true, apiSecretKey: false, jwt: true, bundles: "initialize" },
  triggerer: { db: true, broker: false, fernet: true, apiSecretKey: true, jwt: true, bundles: "initialize" },
  // Workers and Flower run tasks through the Execution API, but still get the database URL (see connections.sh).
  worker: { db: true, broker: true, fernet: false, apiSecretKey: true, jwt: true, bundles: "initialize" },
  flower: { db: true, broker: true, fernet: false, apiSecretKey: false, jwt: false, bundles: "none" },
  migrate: { db: true, broker: false, fernet: true, apiSecretKey: false, jwt: true, bundles: "none" },
  // `airflow db clean` starts like `airflow db migrate`: the same settings, no DAGs.
  "db-clean": { db: true, broker: false, fernet: true, apiSecretKey: false, jwt: true, bundles: "none" },
};

/** `[api_auth] jwt_audience`: the `aud` of API tokens, set alike on every component (Airflow calls it strongly encouraged). */
export const jwtAudience = (jwtIssuer: string): string => `${jwtIssuer}-api`;

/** Workers and the triggerer advertise their task IP (read from ECS task metadata) so the api-server can fetch live logs. */
export const HOSTNAME_CALLABLE = "airflow_local_settings.ecs_task_ip";

const str = (value: number) => Token.asString(value);

/**
 * Plain (non-secret) environment of a component's containers: Airflow configuration as `AIRFLOW__SECTION__KEY`
 * (every name checked against the Airflow 3.1 configuration reference; the test holds the list) and the
 * `AIRFLOW_ECS_*` parts the image's entrypoint builds connection URLs from.
 */
export function componentEnvironment(component: Component, runtime: AirflowRuntime): Record<string, string> {
  const needs = COMPONENT_NEEDS[component];
  const env: Record<string, string> = {
    [RUNTIME_ENV.component]: component,
    [RUNTIME_ENV.environment]: runtime.environment,
    AIRFLOW__CORE__EXECUTOR: "CeleryExecutor",
    AIRFLOW__CORE__LOAD_EXAMPLES: "False",
    AIRFLOW__CORE__DAGS_FOLDER: DAGS_FOLDER,
    AIRFLOW__CORE__PLUGINS_FOLDER: PLUGINS_FOLDER,
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: "True",
    ...authEnvironment(component, runtime.auth),
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: runtime.executionApiUrl,
    AIRFLOW__CORE__HOSTNAME_CALLABLE: HOSTNAME_CALLABLE,
    ...(runtime.baseUrl ? { AIRFLOW__API__BASE_URL: runtime.baseUrl } : {}),
    AIRFLOW__API_AUTH__JWT_ISSUER: runtime.jwtIssuer,
    AIRFLOW__API_AUTH__JWT_AUDIENCE: jwtAudience(runtime.jwtIssuer),
    AIRFLOW__OPERATORS__DEFAULT_QUEUE: "default",
    AIRFLOW__LOGGING__REMOTE_LOGGING: "True",
    AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER: `s3://${runtime.taskLogsBucket}/${TASK_LOG_PREFIX}`,
    AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID: "aws_default",
    AIRFLOW_CONN_AWS_DEFAULT: `aws://?region_name=${runtime.region}`,
    AIRFLOW__SECRETS__BACKEND: "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend",
    AIRFLOW__SECRETS__BACKEND_KWARGS: JSON.stringify(secretsBackendKwargs(runtime.secretPrefix)),
    AWS_DEFAULT_REGION: runtime.region,
    // DAG files sit on a read-only mount; nothing may try to write bytecode next to them.
    PYTHONDONTWRITEBYTECODE: "1",
    [RUNTIME_ENV.taskLogsBucket]: runtime.taskLogsBucket,
    [RUNTIME_ENV.heartbeatNamespace]: HEARTBEAT.namespace,
    [RUNTIME_ENV.heartbeatMetric]: HEARTBEAT.metricName,
    [RUNTIME_ENV.heartbeatIntervalSeconds]: String(HEARTBEAT.intervalSeconds),
    [RUNTIME_ENV.heartbeatProbeVariable]: HEARTBEAT.probeVariable,
  };
  if (needs.bundles !== "none") {
    if (!runtime.dags) throw new Error(`the ${component} component reads DAG bundles: its runtime needs the environment's dags`);
    env.AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST = dagBundleConfigList(runtime.dags.bundles, runtime.dags.bucket);
    if (needs.bundles === "initialize") Object.assign(env, gitConnections(runtime.dags.bundles).environment);
  }
  if (needs.db) {
    Object.assign(env, {
      [RUNTIME_ENV.dbHost]: runtime.db.host,
      [RUNTIME_ENV.dbPort]: str(runtime.db.port),
      [RUNTIME_ENV.dbName]: runtime.db.name,
      [RUNTIME_ENV.dbWaitSeconds]: component === "worker" || component === "flower" ? "0" : "120",
      AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE: String(runtime.db.poolSize),
      AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_PRE_PING: "True",
    });
  }
  if (needs.broker) {
    Object.assign(env, {
      [RUNTIME_ENV.redisHost]: runtime.broker.host,
      [RUNTIME_ENV.redisPort]: str(runtime.broker.port),
      AIRFLOW__CELERY__WORKER_ENABLE_REMOTE_CONTROL: "True",
      AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT: "86400",
    });
  }
  switch (component) {
    case "api-server":
      // One uvicorn worker per task (Airflow 3.1's default; more tasks scale it out).
      env.AIRFLOW__API__WORKERS = "1";
      // `--proxy-headers` makes uvicorn honour X-Forwarded-For/-Proto only from these peers (default 127.0.0.1, so
      // behind the ALB they were ignored). uvicorn >= 0.31 parses CIDRs; the ALB's subnets are tighter than the VPC.
      if (!runtime.forwardedAllowIps?.length)
        throw new Error("the api-server sits behind the ALB: its runtime needs the ALB subnets' CIDRs (forwardedAllowIps)");
      env.FORWARDED_ALLOW_IPS = runtime.forwardedAllowIps.join(",");
      break;
    case "scheduler":
      Object.assign(env, {
        AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK: "True",
        AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST: "0.0.0.0",
        AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT: String(PORTS.schedulerHealth),
      });
      break;
    case "worker":
      Object.assign(env, {
        // Warm shutdown: SIGTERM reaches the Celery worker only, running tasks finish (airflow-runtime.md 4.2).
        DUMB_INIT_SETSID: "0",
        AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER: "1",
        AIRFLOW__CELERY__TASK_ACKS_LATE: "True",
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: String(PORTS.workerLogs),
        // Uploaded task logs leave the task's disk (the log groomer bounds what an upload leaves behind).
        AIRFLOW__LOGGING__DELETE_LOCAL_LOGS: "True",
      });
      break;
    case "triggerer":
      env.AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT = String(PORTS.triggererLogs);
      env.AIRFLOW__LOGGING__DELETE_LOCAL_LOGS = "True";
      break;
    case "flower":
      if (runtime.flowerUrlPrefix) env.AIRFLOW__CELERY__FLOWER_URL_PREFIX = runtime.flowerUrlPrefix;
      break;
    default:
      break;
  }
  // Derived options and the environment's own (validated: none sets what the platform manages above); an option
  // kept in Secrets Manager replaces a plain value of the same name.
  const merged = { ...env, ...runtime.options[component].environment };
  for (const name of Object.keys(runtime.options[component].secrets)) delete merged[name];
  return merged;
}

/** A JSON key of a Secrets Manager secret, as an ECS `valueFrom`. */
export const jsonKey = (secretArn: string, key: string) => `${secretArn}:${key}::`;

/** Secrets of a component's containers (ECS `secrets`, resolved at task start): name -> `valueFrom`. */
export function componentSecrets(component: Component, runtime: AirflowRuntime): Record<string, string> {
  const needs = COMPONENT_NEEDS[component];
  const s = runtime.secrets;
  return {
    ...(needs.db
      ? { [RUNTIME_ENV.dbUser]: jsonKey(runtime.db.masterSecretArn, "username"), [RUNTIME_ENV.dbPassword]: jsonKey(runtime.db.masterSecretArn, "password") }
      : {}),
    ...(needs.broker ? { [RUNTIME_ENV.redisAuthToken]: runtime.broker.authTokenSecretArn } : {}),
    ...(needs.fernet ? { AIRFLOW__CORE__FERNET_KEY: s.fernetKey } : {}),
    ...(needs.apiSecretKey ? { AIRFLOW__API__SECRET_KEY: s.apiSecretKey } : {}),
    ...(needs.jwt ? { AIRFLOW__API_AUTH__JWT_SECRET: s.jwtSecret } : {}),
    ...(component === "migrate" ? { [RUNTIME_ENV.adminPassword]: s.adminPassword } : {}),
    ...(component === "flower" ? { AIRFLOW__CELERY__FLOWER_BASIC_AUTH: s.flowerBasicAuth } : {}),
    // Git bundles' credentials: only where bundles are initialized.
    ...(needs.bundles === "initialize" && runtime.dags ? gitConnections(runtime.dags.bundles).secrets : {}),
    // The environment's own options kept in Secrets Manager.
    ...runtime.options[component].secrets,
    ...authSecrets(component, runtime.auth),
  };
}
