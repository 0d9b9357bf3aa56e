import * as path from "path";
import { DOCKER_DIR, PYTHON_TESTS_DIR, filesUnder, pythonEnv, removeTempDirs, runSync, tempDir } from "./helpers";

/**
 * The image's Python code, checked with the machine's python3 (Airflow is not installed here: the modules keep
 * Airflow, Celery, boto3, redis and SQLAlchemy imports inside functions or behind injected clients, and the DAG
 * files run against the stand-ins of __tests__/docker/python/airflow_stub.py).
 */

beforeAll(() => {
  const version = runSync("python3", ["--version"], pythonEnv());
  if (version.status !== 0) throw new Error(`python3 is required by the image tests: "python3 --version" failed: ${version.stderr}`);
});

afterAll(removeTempDirs);

describe("Python files of the image", () => {
  const sources = filesUnder(DOCKER_DIR, (file) => file.endsWith(".py"));

  it("are the DAGs, the airflow_ecs package and the FAB web server configuration", () => {
    expect(sources.map((file) => path.relative(DOCKER_DIR, file))).toEqual([
      "airflow-home/webserver_config.py",
      "config/airflow_ecs/__init__.py",
      "config/airflow_ecs/celery_config.py",
      "config/airflow_ecs/dag_sync.py",
      "config/airflow_ecs/ecs_metadata.py",
      "config/airflow_ecs/failure_notifications.py",
      "config/airflow_ecs/heartbeat.py",
      "config/airflow_ecs/hostname.py",
      "config/airflow_ecs/log_groomer.py",
      "config/airflow_ecs/migration_record.py",
      "config/airflow_ecs/oidc.py",
      "config/airflow_ecs/task_protection.py",
      "config/airflow_local_settings.py",
      "dags/airflow_ecs_example_queues.py",
      "dags/airflow_ecs_heartbeat.py",
    ]);
  });

  it("all compile (python3 -m py_compile)", () => {
    // GIVEN every .py file under docker/ WHEN byte-compiled (into a temporary directory, not next to the sources)
    const out = tempDir("py-compile");
    const script =
      "import py_compile, os, sys\nfor i, f in enumerate(sys.argv[2:]):\n    py_compile.compile(f, cfile=os.path.join(sys.argv[1], f'{i}.pyc'), doraise=True)\n";
    const run = runSync("python3", ["-c", script, out, ...sources], pythonEnv());
    // THEN none has a syntax error
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});

describe("Python unit tests (python3 -m unittest)", () => {
  it.each([
    ["test_task_protection", "scale-in protection: busy -> enable with expiry, idle -> disable, agent errors logged and retried, never raised"],
    ["test_heartbeat", "heartbeat probes, configuration errors and timing"],
    ["test_hostname", "hostname_callable from the ECS task metadata endpoint"],
    ["test_dags", "DAG arguments, dependencies, queues and the Celery configuration"],
    ["test_dag_sync", "DAG sync: atomic switch of an EFS bundle, rollback, unsafe archives refused, pruning, exit codes"],
    ["test_log_groomer", "log groomer: age and size bounds, active files spared, symlinks untouched, races skipped, SIGTERM"],
    ["test_oidc", "OIDC sign-in: settings from the environment, groups mapped to roles, no login without sub/email, the rendered webserver_config.py"],
    [
      "test_failure_notifications",
      "failure-notification policy: notifier attached once, existing callbacks kept, opt-out tag, topic from the environment, registered through __all__",
    ],
    ["test_migration_record", "migration record: Airflow version and image tag written to SSM, failures reported"],
  ])("%s passes (%s)", (module) => {
    // GIVEN the image's package on PYTHONPATH WHEN the module's tests run
    const run = runSync("python3", ["-m", "unittest", "-v", module], {
      ...pythonEnv(),
      PYTHONPATH: [path.join(DOCKER_DIR, "config"), PYTHON_TESTS_DIR].join(":"),
    });
    // THEN they all pass (the verbose report is in the failure message)
    const summary = /^Ran (\d+) tests? in .*\n\n(OK|FAILED.*)$/m.exec(run.stderr);
    expect({ status: run.status, result: summary?.[2], report: summary?.[2] === "OK" ? "" : run.stderr }).toEqual({ status: 0, result: "OK", report: "" });
    expect(Number(summary?.[1])).toBeGreaterThan(0);
  });
});
