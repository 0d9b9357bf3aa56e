import * as fs from "fs";
import * as path from "path";
import { COMPONENT_NEEDS, componentEnvironment, componentSecrets, jwtAudience, type AirflowRuntime } from "../../../modules/airflow/airflow-settings";
import { findOption } from "../../../config/airflow-options/catalogue";
import type { ComponentOptions } from "../../../config/derived/airflow-options";
import { COMPONENTS, type Component } from "../../../runtime/airflow-image";
import { sharedApp } from "../../support/synth";

/**
 * Every `AIRFLOW__SECTION__KEY` the task definitions set, each checked against the Airflow 3.1 configuration
 * reference (airflow-core config_templates/config.yml; the celery and fab provider.yaml files). Adding a setting
 * means checking it there and adding it here.
 */
const VERIFIED_AIRFLOW_OPTIONS = new Set([
  "AIRFLOW__CORE__EXECUTOR", // [core] executor
  "AIRFLOW__CORE__LOAD_EXAMPLES", // [core] load_examples
  "AIRFLOW__CORE__DAGS_FOLDER", // [core] dags_folder
  "AIRFLOW__CORE__PLUGINS_FOLDER", // [core] plugins_folder
  "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", // [core] dags_are_paused_at_creation
  "AIRFLOW__CORE__AUTH_MANAGER", // [core] auth_manager (2.7.0)
  "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", // [core] simple_auth_manager_passwords_file (3.0.0)
  "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", // [core] execution_api_server_url (3.0.0)
  "AIRFLOW__CORE__HOSTNAME_CALLABLE", // [core] hostname_callable
  "AIRFLOW__CORE__FERNET_KEY", // [core] fernet_key (sensitive)
  "AIRFLOW__API__BASE_URL", // [api] base_url
  "AIRFLOW__API__WORKERS", // [api] workers (default 1 since 3.1.0)
  "AIRFLOW__API__SECRET_KEY", // [api] secret_key (sensitive; moved from [webserver] in 3.0.2)
  "AIRFLOW__API_AUTH__JWT_SECRET", // [api_auth] jwt_secret (3.0.0, sensitive)
  "AIRFLOW__API_AUTH__JWT_ISSUER", // [api_auth] jwt_issuer (3.0.0)
  "AIRFLOW__OPERATORS__DEFAULT_QUEUE", // [operators] default_queue
  "AIRFLOW__LOGGING__REMOTE_LOGGING", // [logging] remote_logging
  "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER", // [logging] remote_base_log_folder
  "AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID", // [logging] remote_log_conn_id
  "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", // [logging] worker_log_server_port
  "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT", // [logging] trigger_log_server_port
  "AIRFLOW__SECRETS__BACKEND", // [secrets] backend
  "AIRFLOW__SECRETS__BACKEND_KWARGS", // [secrets] backend_kwargs (sensitive flag; holds prefixes only)
  "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE", // [database] sql_alchemy_pool_size
  "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_PRE_PING", // [database] sql_alchemy_pool_pre_ping
  "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK", // [scheduler] enable_health_check
  "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST", // [scheduler] scheduler_health_check_server_host
  "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT", // [scheduler] scheduler_health_check_server_port
  "AIRFLOW__CELERY__WORKER_ENABLE_REMOTE_CONTROL", // [celery] worker_enable_remote_control (celery provider)
  "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER", // [celery] worker_prefetch_multiplier
  "AIRFLOW__CELERY__TASK_ACKS_LATE", // [celery] task_acks_late
  "AIRFLOW__CELERY__FLOWER_URL_PREFIX", // [celery] flower_url_prefix
  "AIRFLOW__CELERY__FLOWER_BASIC_AUTH", // [celery] flower_basic_auth (sensitive)
  "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT", // [celery_broker_transport_options] visibility_timeout
  "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", // [dag_processor] dag_bundle_config_list (3.0.0)
  "AIRFLOW__API_AUTH__JWT_AUDIENCE", // [api_auth] jwt_audience (3.0.0; "strongly encouraged", same on every component)
  "AIRFLOW__LOGGING__DELETE_LOCAL_LOGS", // [logging] delete_local_logs (2.6.0; read by the S3 remote log IO)
  // Derived by config/derived (capacity and queue timing):
  "AIRFLOW__CORE__PARALLELISM", // [core] parallelism (per scheduler)
  "AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT", // [core] default_pool_task_slot_count (2.2.0; only when the pool is created)
  "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG", // [core] max_active_tasks_per_dag (2.2.0)
  "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES", // [dag_processor] parsing_processes
  "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT", // [scheduler] task_queued_timeout (2.6.0)
  "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL", // [scheduler] task_queued_timeout_check_interval (2.6.0)
  "AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME", // [execution_api] jwt_expiration_time (3.0.0)
  // config/environments/prod.json's own airflow.config:
  "AIRFLOW__CORE__DEFAULT_TASK_RETRIES", // [core] default_task_retries
  "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", // [core] dagbag_import_timeout (the dag-processor only)
  // metrics-settings.ts
  "AIRFLOW__METRICS__OTEL_ON", // [metrics] otel_on (2.6.0)
  "AIRFLOW__METRICS__OTEL_HOST", // [metrics] otel_host (2.6.0)
  "AIRFLOW__METRICS__OTEL_PORT", // [metrics] otel_port (2.6.0; default 8889, not OTLP's 4318)
  "AIRFLOW__METRICS__OTEL_SSL_ACTIVE", // [metrics] otel_ssl_active (2.7.0)
  "AIRFLOW__METRICS__OTEL_PREFIX", // [metrics] otel_prefix (2.6.0)
  "AIRFLOW__METRICS__OTEL_INTERVAL_MILLISECONDS", // [metrics] otel_interval_milliseconds (2.6.0)
  "AIRFLOW__METRICS__OTEL_SERVICE", // [metrics] otel_service (2.10.3)
  "AIRFLOW__METRICS__METRICS_ALLOW_LIST", // [metrics] metrics_allow_list (2.6.0; regexes since 3.0)
]);

const noOptions: Readonly<Record<Component, ComponentOptions>> = Object.fromEntries(COMPONENTS.map((c) => [c, { environment: {}, secrets: {} }])) as Record<
  Component,
  ComponentOptions
>;

const runtime: AirflowRuntime = {
  environment: "dev",
  region: "eu-west-1",
  secretPrefix: "airflow/dev",
  auth: { kind: "fab" },
  db: { host: "db", port: 5432, name: "airflow", masterSecretArn: "arn:db", poolSize: 5 },
  broker: { host: "redis", port: 6379, authTokenSecretArn: "arn:redis" },
  secrets: { fernetKey: "arn:fernet", apiSecretKey: "arn:api", jwtSecret: "arn:jwt", adminPassword: "arn:admin", flowerBasicAuth: "arn:flower" },
  taskLogsBucket: "logs",
  executionApiUrl: "http://api-server.ns:8080/execution/",
  baseUrl: "https://airflow.example.com",
  jwtIssuer: "airflow-dev",
  forwardedAllowIps: ["10.10.160.0/22", "10.10.164.0/22"],
  options: noOptions,
  flowerUrlPrefix: "/flower",
  dags: {
    bundles: [
      { name: "team", source: "efs", refreshIntervalSeconds: 60, maxRefreshSeconds: 0 },
      {
        name: "platform",
        source: "git",
        repository: "https://github.com/o/private.git",
        ref: "main",
        credentialsSecretArn: "arn:git-token",
        refreshIntervalSeconds: 300,
        maxRefreshSeconds: 120,
      },
      { name: "public", source: "git", repository: "https://github.com/o/public.git", ref: "v1", refreshIntervalSeconds: 300, maxRefreshSeconds: 120 },
    ],
    bucket: "dag-bucket",
  },
};

describe("Airflow settings", () => {
  it("give the DAG bundle list to every component that reads DAGs, and Git connections only where bundles are initialized", () => {
    // WHEN each component's settings are rendered
    const list = COMPONENTS.filter((c) => componentEnvironment(c, runtime).AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST !== undefined);
    const credentials = COMPONENTS.filter((c) => componentSecrets(c, runtime).AIRFLOW_CONN_DAG_BUNDLE_PLATFORM === "arn:git-token");
    const anonymous = COMPONENTS.filter((c) => componentEnvironment(c, runtime).AIRFLOW_CONN_DAG_BUNDLE_PUBLIC === '{"conn_type":"git"}');
    // THEN the list reaches api-server, scheduler, dag-processor, triggerer and workers (one rendering for all)
    expect(list).toEqual(["api-server", "scheduler", "dag-processor", "triggerer", "worker"]);
    expect(new Set(list.map((c) => componentEnvironment(c, runtime).AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST)).size).toBe(1);
    // AND the private repository's connection comes from its secret, the public one's is anonymous, both only where bundles are fetched
    expect(credentials).toEqual(["dag-processor", "triggerer", "worker"]);
    expect(anonymous).toEqual(["dag-processor", "triggerer", "worker"]);
    expect(COMPONENTS.filter((c) => Object.keys(componentEnvironment(c, runtime)).some((n) => n === "AIRFLOW_CONN_DAG_BUNDLE_PLATFORM"))).toEqual([]);
  });

  it("refuse to render a DAG-reading component without the environment's bundles", () => {
    const { dags: _dags, ...withoutDags } = runtime;
    expect(() => componentEnvironment("scheduler", withoutDags)).toThrow("the scheduler component reads DAG bundles: its runtime needs the environment's dags");
    expect(componentEnvironment("migrate", withoutDags).AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST).toBeUndefined();
  });

  it("set only Airflow options that exist in Airflow 3.1 (checked here and in the option catalogue), in every synthesized task definition", () => {
    const app = sharedApp();
    const used = new Set<string>();
    for (const stack of app.stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8"));
      for (const td of Object.values((json.resource?.aws_ecs_task_definition ?? {}) as Record<string, any>)) {
        for (const c of JSON.parse(td.container_definitions)) {
          for (const v of [...c.environment, ...c.secrets]) if (v.name.startsWith("AIRFLOW__")) used.add(v.name);
        }
      }
    }
    expect([...used].filter((name) => !VERIFIED_AIRFLOW_OPTIONS.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(20);
    const unknown = [...used].filter((name) => {
      const [, section, key] = /^AIRFLOW__(.+)__(.+)$/.exec(name)!;
      return !findOption(section, key) && !findOption(section.replace(/_/g, "."), key);
    });
    expect(unknown).toEqual([]);
  });

  it("shares the JWT secret with every component that issues or checks tokens (all but Flower)", () => {
    expect(COMPONENTS.filter((c) => "AIRFLOW__API_AUTH__JWT_SECRET" in componentSecrets(c, runtime))).toEqual([
      "api-server",
      "scheduler",
      "dag-processor",
      "triggerer",
      "worker",
      "migrate",
      "db-clean",
    ]);
  });

  it("shares [api] secret_key between the log readers and the log servers (api-server, workers, triggerer)", () => {
    expect(COMPONENTS.filter((c) => "AIRFLOW__API__SECRET_KEY" in componentSecrets(c, runtime))).toEqual(["api-server", "triggerer", "worker"]);
  });

  it("gives the broker token only to the components that use Celery", () => {
    expect(COMPONENTS.filter((c) => "AIRFLOW_ECS_REDIS_AUTH_TOKEN" in componentSecrets(c, runtime))).toEqual(["scheduler", "worker", "flower"]);
  });

  it("injects database credentials as separate JSON keys of the RDS secret, never as a URL", () => {
    const secrets = componentSecrets("scheduler", runtime);
    expect([secrets.AIRFLOW_ECS_DB_USER, secrets.AIRFLOW_ECS_DB_PASSWORD]).toEqual(["arn:db:username::", "arn:db:password::"]);
    for (const component of COMPONENTS) {
      const env = componentEnvironment(component, runtime);
      expect(Object.keys(env).filter((k) => /SQL_ALCHEMY_CONN$|BROKER_URL$|RESULT_BACKEND$/.test(k))).toEqual([]);
    }
  });

  it("passes the admin password to the migrate task only, and Flower's basic auth to Flower only", () => {
    expect(COMPONENTS.filter((c) => "AIRFLOW_ECS_ADMIN_PASSWORD" in componentSecrets(c, runtime))).toEqual(["migrate"]);
    expect(COMPONENTS.filter((c) => "AIRFLOW__CELERY__FLOWER_BASIC_AUTH" in componentSecrets(c, runtime))).toEqual(["flower"]);
  });

  it("turns on warm shutdown for workers only and the scheduler's health server for the scheduler only", () => {
    expect(COMPONENTS.filter((c) => componentEnvironment(c, runtime).DUMB_INIT_SETSID === "0")).toEqual(["worker"]);
    expect(COMPONENTS.filter((c) => componentEnvironment(c, runtime).AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK === "True")).toEqual(["scheduler"]);
  });

  it("does not wait for the database in workers and Flower (they start without it; see connections.sh)", () => {
    expect(COMPONENTS.filter((c) => COMPONENT_NEEDS[c].db).map((c) => [c, componentEnvironment(c, runtime).AIRFLOW_ECS_DB_WAIT_SECONDS])).toEqual([
      ["api-server", "120"],
      ["scheduler", "120"],
      ["dag-processor", "120"],
      ["triggerer", "120"],
      ["worker", "0"],
      ["flower", "0"],
      ["migrate", "120"],
      ["db-clean", "120"],
    ]);
  });

  it("sets the same API token audience on every component, next to the shared issuer", () => {
    const audiences = new Set(COMPONENTS.map((c) => componentEnvironment(c, runtime).AIRFLOW__API_AUTH__JWT_AUDIENCE));
    expect([...audiences]).toEqual([jwtAudience("airflow-dev")]);
    expect(jwtAudience("airflow-dev")).toBe("airflow-dev-api");
  });

  it("trusts forwarded headers on the api-server only, from the ALB's subnets, and refuses an api-server without them", () => {
    expect(COMPONENTS.filter((c) => componentEnvironment(c, runtime).FORWARDED_ALLOW_IPS !== undefined)).toEqual(["api-server"]);
    expect(componentEnvironment("api-server", runtime).FORWARDED_ALLOW_IPS).toBe("10.10.160.0/22,10.10.164.0/22");
    const { forwardedAllowIps: _ips, ...withoutIps } = runtime;
    expect(() => componentEnvironment("api-server", withoutIps)).toThrow(
      "the api-server sits behind the ALB: its runtime needs the ALB subnets' CIDRs (forwardedAllowIps)",
    );
  });

  it("deletes uploaded task and trigger logs from the task's disk (workers and the triggerer write them)", () => {
    expect(COMPONENTS.filter((c) => componentEnvironment(c, runtime).AIRFLOW__LOGGING__DELETE_LOCAL_LOGS === "True")).toEqual(["triggerer", "worker"]);
  });

  it("adds each component's options, an option kept in Secrets Manager replacing a plain value", () => {
    // GIVEN a derived option for the scheduler and the api-server's workers moved to a secret
    const options = {
      ...noOptions,
      scheduler: { environment: { AIRFLOW__CORE__PARALLELISM: "208" }, secrets: {} },
      "api-server": { environment: {}, secrets: { AIRFLOW__API__WORKERS: "arn:workers" } },
    };
    const withOptions = { ...runtime, options };
    // THEN the scheduler gets it, the api-server's plain value gives way to the secret, nobody else changes
    expect(componentEnvironment("scheduler", withOptions).AIRFLOW__CORE__PARALLELISM).toBe("208");
    expect(componentEnvironment("api-server", withOptions).AIRFLOW__API__WORKERS).toBeUndefined();
    expect(componentSecrets("api-server", withOptions).AIRFLOW__API__WORKERS).toBe("arn:workers");
    expect(Object.keys(componentEnvironment("worker", withOptions))).toEqual(Object.keys(componentEnvironment("worker", runtime)));
  });
});
