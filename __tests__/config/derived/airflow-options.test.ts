import { optionSecretArns, resolveAirflowOptions, type AirflowOptionsEnvironment } from "../../../config/derived/airflow-options";
import { COMPONENTS } from "../../../runtime/airflow-image";
import { repoEnvironments } from "../../support/synth";

/** Each component's options: derived values where Airflow reads them, the environment's own on top, rules kept. */

const SECRET = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/sentry-AbC123";

/** Prod's shape: 2 schedulers, pools 12 x 16 (EC2) + 4 x 4 (EC2) = 208 slots. */
function prodLike(airflow: { config?: unknown; componentConfig?: unknown } = {}): AirflowOptionsEnvironment {
  return {
    account: { id: "333333333333", region: "eu-west-1" },
    workerPools: [
      { name: "default", maxCount: 12, concurrency: 16, capacity: "ec2" },
      { name: "heavy", maxCount: 4, concurrency: 4, capacity: "ec2" },
    ],
    airflow: { scheduler: { desiredCount: 2 }, dagProcessor: { cpu: 1024, memory: 2048 }, ...airflow },
  };
}

describe("derived options", () => {
  it("are set only where Airflow reads them", () => {
    const { components, issues } = resolveAirflowOptions(prodLike());
    expect(issues).toEqual([]);
    expect(components.scheduler.environment).toEqual({
      AIRFLOW__CORE__PARALLELISM: "208",
      AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG: "192",
      AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT: "780",
      AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL: "120",
      AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME: "960",
    });
    expect(components.migrate.environment).toEqual({ AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT: "208" });
    expect(components["dag-processor"].environment).toEqual({ AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG: "192", AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: "2" });
    expect(components["api-server"].environment).toEqual({
      AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG: "192",
      AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME: "960",
    });
    expect(components.flower.environment).toEqual({});
  });

  it.each(repoEnvironments().map((env) => [env.name, env] as const))("resolve without issues for %s", (_name, env) => {
    expect(resolveAirflowOptions(env).issues).toEqual([]);
  });
});

describe("the environment's own options", () => {
  it("apply to every component, per-component options on top, secrets as ECS secrets", () => {
    // GIVEN a common option, a worker-only override and a secret
    const { components, issues } = resolveAirflowOptions(
      prodLike({
        config: { "core.default_task_retries": 2, "sentry.sentry_dsn": { secretArn: SECRET } },
        componentConfig: { worker: { "core.default_task_retries": 3 } },
      }),
    );
    expect(issues).toEqual([]);
    for (const component of COMPONENTS) {
      expect(components[component].environment.AIRFLOW__CORE__DEFAULT_TASK_RETRIES).toBe(component === "worker" ? "3" : "2");
      expect(components[component].secrets).toEqual({ AIRFLOW__SENTRY__SENTRY_DSN: SECRET });
      expect(components[component].environment.AIRFLOW__SENTRY__SENTRY_DSN).toBeUndefined();
    }
    expect(optionSecretArns(resolveAirflowOptions(prodLike({ config: { "sentry.sentry_dsn": { secretArn: SECRET } } })))).toEqual([SECRET]);
  });

  it("override derived values where the rules still hold, and the token follows an overridden timeout", () => {
    const { components, issues, timing } = resolveAirflowOptions(
      prodLike({
        config: { "core.parallelism": 256, "core.max_active_tasks_per_dag": 32 },
        componentConfig: { scheduler: { "scheduler.task_queued_timeout": 1800 } },
      }),
    );
    expect(issues).toEqual([]);
    expect(components.scheduler.environment).toMatchObject({
      AIRFLOW__CORE__PARALLELISM: "256",
      AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG: "32",
      AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT: "1800",
      AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME: "1980",
    });
    expect(components["api-server"].environment.AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME).toBe("1980");
    expect(timing).toEqual({ taskQueuedTimeout: 1800, checkInterval: 120, jwtExpiration: 1980 });
  });
});

describe("overrides that break a rule fail with the numbers", () => {
  it("parallelism that leaves worker slots unreachable", () => {
    const { issues } = resolveAirflowOptions(prodLike({ config: { "core.parallelism": 64 } }));
    expect(issues).toEqual([
      {
        path: 'airflow.config["core.parallelism"]',
        value: 64,
        problem:
          "is too low: 1 scheduler (of 2, one may be down) x 64 = 64 task slots, but the worker pools can run 208 tasks at once (default 12 x 16 + heavy 4 x 4); expected at least 208, or leave it out (derived: 208)",
      },
    ]);
  });

  it("a default pool smaller than the workers", () => {
    const { issues } = resolveAirflowOptions(prodLike({ componentConfig: { migrate: { "core.default_pool_task_slot_count": 128 } } }));
    expect(issues).toEqual([
      {
        path: 'airflow.componentConfig.migrate["core.default_pool_task_slot_count"]',
        value: 128,
        problem:
          "is too low: default_pool would hold 128 slots, but the worker pools can run 208 tasks at once (default 12 x 16 + heavy 4 x 4); expected at least 208, or leave it out (derived: 208)",
      },
    ]);
  });

  it("a queued timeout the worst wait reaches", () => {
    const { issues } = resolveAirflowOptions(prodLike({ config: { "scheduler.task_queued_timeout": 600 } }));
    expect(issues).toEqual([
      {
        path: 'airflow.config["scheduler.task_queued_timeout"]',
        value: 600,
        problem:
          "is not longer than the worst wait for a worker, 750 s (45 s scale-out decision + 405 s worker start on EC2 from zero (pool default) + 300 s backlog headroom): the scheduler would revoke tasks that are only waiting for a scale-out; expected more than 750 (scheduler.task_queued_timeout of the scheduler)",
      },
    ]);
  });

  it("a token lifetime shorter than the requeue path, on the scheduler or on the api-server", () => {
    const { issues } = resolveAirflowOptions(prodLike({ componentConfig: { apiServer: { "execution_api.jwt_expiration_time": 600 } } }));
    expect(issues).toEqual([
      {
        path: 'airflow.componentConfig.apiServer["execution_api.jwt_expiration_time"]',
        value: 600,
        problem:
          "lets a queued task's token expire before the scheduler requeues the task with a fresh one: task_queued_timeout 780 s + check interval 120 s + 60 s margin = 960 s; expected at least 960 (execution_api.jwt_expiration_time of the api-server)",
      },
    ]);
    const everywhere = resolveAirflowOptions(prodLike({ config: { "execution_api.jwt_expiration_time": 900 } }));
    expect(everywhere.issues.map((i) => i.problem.replace(/^.*\((.*)\)$/, "$1"))).toEqual([
      "execution_api.jwt_expiration_time of the scheduler",
      "execution_api.jwt_expiration_time of the api-server",
    ]);
  });

  it("an unknown option alongside, each reported once", () => {
    const { issues } = resolveAirflowOptions(prodLike({ config: { "core.paralelism": 64 } }));
    expect(issues.map((i) => i.problem)).toEqual([expect.stringContaining("did you mean core.parallelism?")]);
  });
});
