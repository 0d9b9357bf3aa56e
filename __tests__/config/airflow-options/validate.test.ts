import { checkAirflowOptions, checkComponentOptions, optionKind, type OptionsContext } from "../../../config/airflow-options/validate";
import { findOption } from "../../../config/airflow-options/catalogue";
import { MANAGED_OPTIONS } from "../../../config/airflow-options/managed";

/** An environment's own Airflow options, checked one rule at a time; every error path asserts its message. */

const context: OptionsContext = { accountId: "333333333333", region: "eu-west-1", plainOnly: new Set(["core.parallelism"]) };
const SECRET = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/smtp-AbC123";

function check(options: unknown) {
  return checkAirflowOptions(options, "airflow.config", context);
}

describe("airflow.config entries that are accepted", () => {
  it("renders numbers, booleans and strings the way Airflow reads them from the environment", () => {
    // GIVEN an integer, a float, a boolean and a string option
    const { issues, settings } = check({
      "core.max_active_runs_per_dag": 4,
      "scheduler.scheduler_idle_sleep_time": 0.5,
      "core.load_examples": false,
      "logging.logging_level": "WARNING",
    });
    // THEN each becomes its AIRFLOW__SECTION__KEY variable with Airflow's spelling of the value
    expect(issues).toEqual([]);
    expect(settings.map((s) => [s.variable, s.value])).toEqual([
      ["AIRFLOW__CORE__MAX_ACTIVE_RUNS_PER_DAG", { text: "4" }],
      ["AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME", { text: "0.5" }],
      ["AIRFLOW__CORE__LOAD_EXAMPLES", { text: "False" }],
      ["AIRFLOW__LOGGING__LOGGING_LEVEL", { text: "WARNING" }],
    ]);
    expect(settings[0]).toMatchObject({ option: "core.max_active_runs_per_dag", number: 4, path: 'airflow.config["core.max_active_runs_per_dag"]' });
  });

  it("matches names case-insensitively, turns dots of a section into underscores, and takes any key of a free-form section", () => {
    const { issues, settings } = check({
      "CORE.Default_Task_Retries": 2,
      "common.io.xcom_objectstorage_threshold": 1024,
      "celery_broker_transport_options.max_retries": 3,
    });
    expect(issues).toEqual([]);
    expect(settings.map((s) => s.variable)).toEqual([
      "AIRFLOW__CORE__DEFAULT_TASK_RETRIES",
      "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD",
      "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__MAX_RETRIES",
    ]);
  });

  it("accepts a Secrets Manager reference of the environment's account and region for a sensitive option", () => {
    // GIVEN the Sentry DSN (sensitive) as a secret reference
    const { issues, settings } = check({ "sentry.sentry_dsn": { secretArn: SECRET } });
    // THEN it becomes an ECS secret, never a plain value
    expect(issues).toEqual([]);
    expect(settings).toEqual([
      { option: "sentry.sentry_dsn", variable: "AIRFLOW__SENTRY__SENTRY_DSN", value: { secretArn: SECRET }, path: 'airflow.config["sentry.sentry_dsn"]' },
    ]);
  });

  it("reads options the template declares as string by the type of their default", () => {
    // [celery] worker_concurrency is `string` with default "16"; [logging] delete_local_logs `string` with "False"
    expect(optionKind(findOption("celery", "worker_concurrency")!)).toBe("integer");
    expect(optionKind(findOption("logging", "delete_local_logs")!)).toBe("boolean");
    expect(optionKind(findOption("logging", "logging_level")!)).toBe("string");
    expect(optionKind(findOption("scheduler", "task_queued_timeout")!)).toBe("float");
  });
});

describe("airflow.config entries that are refused, with the option and what is allowed", () => {
  it("an unknown option, with the closest known names", () => {
    // GIVEN parallelism in the wrong section, and a misspelled key
    const { issues, settings } = check({ "scheduler.parallelism": 64, "core.paralelism": 64 });
    // THEN both are refused with a suggestion
    expect(settings).toEqual([]);
    expect(issues).toEqual([
      {
        path: 'airflow.config["scheduler.parallelism"]',
        value: 64,
        problem: "is not an option of Airflow 3.1.5 or its installed providers ([scheduler] has no option parallelism); did you mean core.parallelism?",
      },
      {
        path: 'airflow.config["core.paralelism"]',
        value: 64,
        problem: "is not an option of Airflow 3.1.5 or its installed providers ([core] has no option paralelism); did you mean core.parallelism?",
      },
    ]);
  });

  it("an unknown section, and a name that is not section.key", () => {
    const { issues } = check({ "webserverx.workers": 4, parallelism: 64 });
    expect(issues.map((i) => i.problem)).toEqual([
      expect.stringMatching(/^is not an option of Airflow 3\.1\.5 or its installed providers \(there is no section \[webserverx\]\); /),
      "is not an option name; expected section.key, e.g. core.parallelism",
    ]);
  });

  it("an option the platform manages, naming the field that controls it", () => {
    const { issues } = check({ "core.executor": "LocalExecutor", "celery.worker_concurrency": 32, "api.base_url": "https://x.example.com" });
    expect(issues.map((i) => [i.path, i.problem])).toEqual([
      [
        'airflow.config["core.executor"]',
        "is managed by the platform (the platform runs the CeleryExecutor, one ECS service per worker pool); set workerPools instead",
      ],
      [
        'airflow.config["celery.worker_concurrency"]',
        "is managed by the platform (each pool's workers run with the pool's concurrency); set workerPools[].concurrency instead",
      ],
      ['airflow.config["api.base_url"]', "is managed by the platform (Airflow builds its links from the ALB's name); set alb.hostname instead"],
    ]);
  });

  it("every managed option exists in the catalogue (a typo would let the real option through)", () => {
    const missing = Object.keys(MANAGED_OPTIONS).filter((option) => {
      const at = option.lastIndexOf(".");
      return !findOption(option.slice(0, at), option.slice(at + 1));
    });
    expect(missing).toEqual([]);
  });

  it("a secret in plain text: a sensitive option, a connection URL with a password, a password key of a free-form section", () => {
    // GIVEN secrets written into the file
    const { issues, settings } = check({
      "sentry.sentry_dsn": "https://abc@o1.ingest.sentry.io/1",
      "lineage.backend": "postgresql://user:hunter2@db.example.com/lineage",
      "celery_broker_transport_options.sentinel_password": "hunter2",
    });
    // THEN each is refused, the value is not repeated, and the message says how to pass it
    expect(settings).toEqual([]);
    const fix = 'keep it in Secrets Manager and give {"secretArn": "arn:aws:secretsmanager:eu-west-1:333333333333:secret:<name>-AbC123"}';
    expect(issues).toEqual([
      {
        path: 'airflow.config["sentry.sentry_dsn"]',
        value: "(hidden)",
        problem: `is a secret and would sit in plain text in the task definitions; ${fix} (sentry.sentry_dsn: string, default "", sensitive)`,
      },
      {
        path: 'airflow.config["lineage.backend"]',
        value: "(hidden)",
        problem: expect.stringContaining(`is a secret and would sit in plain text in the task definitions; ${fix}`),
      },
      {
        path: 'airflow.config["celery_broker_transport_options.sentinel_password"]',
        value: "(hidden)",
        problem: `is a secret and would sit in plain text in the task definitions; ${fix} (free-form section [celery_broker_transport_options])`,
      },
    ]);
  });

  it("the _secret and _cmd variants, pointing at the reference form", () => {
    const { issues } = check({ "sentry.sentry_dsn_secret": "airflow/sentry", "database.sql_alchemy_conn_cmd": "cat /x" });
    expect(issues.map((i) => i.problem)).toEqual([
      'is the _secret variant of sentry.sentry_dsn; the _cmd and _secret variants are not accepted: set sentry.sentry_dsn to {"secretArn": "arn:aws:secretsmanager:eu-west-1:333333333333:secret:<name>-AbC123"}',
      "is the _cmd variant of database.sql_alchemy_conn, which is managed by the platform (the entrypoint builds the URL from the RDS-managed secret); set storage.database instead",
    ]);
  });

  it("a secret reference of another account or region, or not a secret ARN", () => {
    const { issues } = check({
      "sentry.sentry_dsn": { secretArn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:dsn-AbC123" },
      "smtp.smtp_host": { secretArn: "airflow/prod/smtp" },
      "logging.logging_level": { secret: SECRET },
    });
    expect(issues.map((i) => i.problem)).toEqual([
      "names a secret of 111111111111/us-east-1; expected a secret of account 333333333333 in eu-west-1",
      'has a secretArn that is not a full Secrets Manager secret ARN (ending in the 6-character suffix Secrets Manager adds to the name); expected {"secretArn": "arn:aws:secretsmanager:eu-west-1:333333333333:secret:<name>-AbC123"}',
      'is an object but not a secret reference; expected a plain value or exactly {"secretArn": "arn:aws:secretsmanager:eu-west-1:333333333333:secret:<name>-AbC123"}',
    ]);
  });

  it("a value of the wrong type, naming the expected type", () => {
    // GIVEN a string for an integer, a boolean for a float, a number for a boolean, a list
    const { issues } = check({
      "core.max_active_runs_per_dag": "4",
      "scheduler.scheduler_idle_sleep_time": true,
      "core.load_examples": 1,
      "logging.logging_level": ["INFO"],
    });
    expect(issues).toEqual([
      {
        path: 'airflow.config["core.max_active_runs_per_dag"]',
        value: "4",
        problem: 'is a string; expected an integer (core.max_active_runs_per_dag: integer, default "16")',
      },
      {
        path: 'airflow.config["scheduler.scheduler_idle_sleep_time"]',
        value: true,
        problem: 'is a boolean; expected a number (scheduler.scheduler_idle_sleep_time: float, default "1")',
      },
      { path: 'airflow.config["core.load_examples"]', value: 1, problem: 'is a number; expected true or false (core.load_examples: string, default "True")' },
      {
        path: 'airflow.config["logging.logging_level"]',
        value: ["INFO"],
        problem:
          'is a list; expected a string, number or boolean, or {"secretArn": "arn:aws:secretsmanager:eu-west-1:333333333333:secret:<name>-AbC123"} (logging.logging_level: string, default "INFO")',
      },
    ]);
  });

  it("a secret reference for an option the platform checks against its rules", () => {
    const { issues } = check({ "core.parallelism": { secretArn: SECRET } });
    expect(issues.map((i) => i.problem)).toEqual([
      'must be a plain value: the platform checks it against the environment\'s capacity and queue timing (core.parallelism: integer, default "32")',
    ]);
  });

  it("the same option twice in different case", () => {
    const { issues, settings } = check({ "core.default_task_retries": 1, "CORE.default_task_retries": 2 });
    expect(settings).toHaveLength(1);
    expect(issues.map((i) => i.problem)).toEqual([
      'sets core.default_task_retries again (Airflow\'s names are case-insensitive; airflow.config["core.default_task_retries"] already sets it); expected each option once',
    ]);
  });

  it("anything but an object", () => {
    expect(check(["core.parallelism=4"]).issues.map((i) => i.problem)).toEqual([
      'is a list; expected an object of "section.key": value, e.g. {"core.parallelism": 64}',
    ]);
  });
});

describe("airflow.componentConfig", () => {
  it("takes options per component, checked the same way, and refuses unknown components", () => {
    const { issues, settings } = checkComponentOptions(
      { worker: { "core.default_task_retries": 2 }, webserver: { "api.workers": 2 }, scheduler: { "core.executor": "LocalExecutor" } },
      "airflow.componentConfig",
      context,
    );
    expect(settings.worker?.map((s) => s.path)).toEqual(['airflow.componentConfig.worker["core.default_task_retries"]']);
    expect(issues.map((i) => [i.path, i.problem])).toEqual([
      ["airflow.componentConfig.webserver", "is not a component; expected one of apiServer, scheduler, dagProcessor, triggerer, worker, flower, migrate"],
      ['airflow.componentConfig.scheduler["core.executor"]', expect.stringContaining("is managed by the platform")],
    ]);
  });
});
