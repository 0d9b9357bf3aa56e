import * as fs from "fs";
import * as path from "path";
import { RUNTIME_ENV } from "../../runtime/airflow-image";
import { ENTRYPOINT, PYTHON_PATH, airflowCalls, fakeContainer, removeTempDirs, runSync } from "./helpers";

/**
 * The migrate component end to end: entrypoint.sh builds the URL, waits for the database, and runs migrate.sh
 * through a stand-in of the official /entrypoint; a fake `airflow` on PATH plays the CLI and records its calls.
 */

const FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager";
const ADMIN_CREATE = "users create --username admin --email admin@example.com --firstname Airflow --lastname Admin --role Admin --password pw d!";
/** The derived default_pool size the migrate task definition sets (config/derived/capacity.ts). */
const POOL_SET = "pools set default_pool 208 Default pool";

let workDir: string;
let binDir: string;
let airflowLog: string;
let official: string;

beforeEach(() => {
  ({ workDir, binDir, official, airflowLog } = fakeContainer("migrate"));
});

afterAll(removeTempDirs);

function usersListing(text: string): string {
  const file = path.join(workDir, "users.json");
  fs.writeFileSync(file, text);
  return file;
}

function migrate(overrides: Record<string, string | undefined> = {}, command: string[] = ["db", "migrate"]) {
  const env: NodeJS.ProcessEnv = {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: workDir,
    PYTHONDONTWRITEBYTECODE: "1",
    _AIRFLOW_ECS_OFFICIAL_ENTRYPOINT: official,
    FAKE_ENTRYPOINT_MODE: "passthrough",
    FAKE_AIRFLOW_LOG: airflowLog,
    AIRFLOW__CORE__AUTH_MANAGER: FAB,
    [RUNTIME_ENV.component]: "migrate",
    [RUNTIME_ENV.dbHost]: "db.internal",
    [RUNTIME_ENV.dbName]: "airflow",
    [RUNTIME_ENV.dbUser]: "airflow_admin",
    [RUNTIME_ENV.dbPassword]: "s3cr3t",
    [RUNTIME_ENV.dbWaitSeconds]: "10",
    [RUNTIME_ENV.adminUsername]: "admin",
    [RUNTIME_ENV.adminEmail]: "admin@example.com",
    [RUNTIME_ENV.adminPassword]: "pw d!",
    AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT: "208",
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return runSync(ENTRYPOINT, command, env);
}

describe("the migrate component", () => {
  it("exits with the status of a failed `airflow db migrate` and creates no user", () => {
    // GIVEN a migration that fails with status 3
    // WHEN the migrate task runs
    const run = migrate({ FAKE_MIGRATE_EXIT: "3" });
    // THEN the task fails with that status and says the database was not migrated
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('airflow-ecs-entrypoint: error: "airflow db migrate" failed with exit status 3; the metadata database was not migrated\n');
    // AND after waiting for the database it only tried the migration
    expect(airflowCalls(airflowLog)).toEqual(["db check", "db migrate"]);
  });

  it("migrates, then creates the first admin when no user exists yet", () => {
    // GIVEN a fresh database: `users list` finds no data
    // WHEN the migrate task runs
    const run = migrate({ FAKE_USERS_LIST_FILE: usersListing("No data found\n") });
    // THEN it migrates, lists the users and creates the admin with the FAB Admin role
    expect(run.status).toBe(0);
    expect(airflowCalls(airflowLog)).toEqual(["db check", "db migrate", POOL_SET, "users list --output json", ADMIN_CREATE]);
    expect(run.stderr).toContain("airflow-ecs-entrypoint: admin user admin created\n");
  });

  it("creates the admin when only other users exist, reading the JSON after any log lines", () => {
    // GIVEN a listing preceded by a log line in brackets and holding another user
    const listing =
      '[2025-01-01T00:00:00.000+0000] {cli.py:1} INFO - listing users\n[{"id": 2, "username": "alice", "email": "a@example.com", "roles": ["Viewer"]}]\n';
    // WHEN the migrate task runs
    const run = migrate({ FAKE_USERS_LIST_FILE: usersListing(listing) });
    // THEN the admin is created
    expect(run.status).toBe(0);
    expect(airflowCalls(airflowLog).slice(-1)).toEqual([ADMIN_CREATE]);
  });

  it("does not create the admin again when it exists", () => {
    // GIVEN an existing admin (a later deployment)
    const listing = '[{"id": 1, "username": "admin", "email": "admin@example.com", "roles": ["Admin"]}, {"id": 2, "username": "alice", "roles": []}]';
    // WHEN the migrate task runs
    const run = migrate({ FAKE_USERS_LIST_FILE: usersListing(listing) });
    // THEN it migrates and stops after listing the users
    expect(run.status).toBe(0);
    expect(airflowCalls(airflowLog)).toEqual(["db check", "db migrate", POOL_SET, "users list --output json"]);
    expect(run.stderr).toContain("airflow-ecs-entrypoint: admin user admin exists; not creating it\n");
  });

  it("fails when creating the admin fails", () => {
    // GIVEN no admin and a failing `users create`
    // WHEN the migrate task runs
    const run = migrate({ FAKE_USERS_LIST_FILE: usersListing("No data found\n"), FAKE_USERS_CREATE_EXIT: "1" });
    // THEN the task fails naming the step
    expect(run.status).toBe(70);
    expect(run.stderr).toContain('airflow-ecs-entrypoint: error: "airflow users create" failed for the admin user admin\n');
  });

  it("fails when the users cannot be listed or the listing cannot be read", () => {
    // GIVEN a failing `users list`, then one printing something unexpected
    const failing = migrate({ FAKE_USERS_LIST_EXIT: "1" });
    const garbled = migrate({ FAKE_USERS_LIST_FILE: usersListing("Traceback (most recent call last):\n  boom\n") });
    // THEN both fail without creating anybody
    expect(failing.status).toBe(70);
    expect(failing.stderr).toContain('airflow-ecs-entrypoint: error: "airflow users list" failed; cannot tell whether the admin user admin exists\n');
    expect(garbled.status).toBe(70);
    expect(garbled.stderr).toContain('airflow-ecs-entrypoint: error: could not read the user list printed by "airflow users list --output json"\n');
    expect(airflowCalls(airflowLog).filter((call) => call.startsWith("users create"))).toEqual([]);
  });

  it("fails naming the variable when the admin password is missing, after migrating", () => {
    // GIVEN no admin password injected
    // WHEN the migrate task runs
    const run = migrate({ [RUNTIME_ENV.adminPassword]: undefined });
    // THEN the migration ran but the task fails on the missing variable
    expect(run.status).toBe(64);
    expect(run.stderr).toContain(
      `airflow-ecs-entrypoint: error: ${RUNTIME_ENV.adminPassword} is not set or empty; the migrate component needs it to build the first admin user\n`,
    );
    expect(airflowCalls(airflowLog)).toEqual(["db check", "db migrate", POOL_SET]);
  });

  it("skips the admin with the simple auth manager, which has no user table", () => {
    // GIVEN the simple auth manager (non-production environments may use it)
    // WHEN the migrate task runs
    const run = migrate({ AIRFLOW__CORE__AUTH_MANAGER: "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager" });
    // THEN it only migrates
    expect(run.status).toBe(0);
    expect(airflowCalls(airflowLog)).toEqual(["db check", "db migrate", POOL_SET]);
    expect(run.stderr).toContain("the auth manager is not FAB");
  });

  it("sizes the existing default_pool to the derived slots after migrating, before the admin", () => {
    // GIVEN a database whose default_pool was created with Airflow's default 128 slots (the option works only then)
    // WHEN the migrate task runs with the derived size
    const run = migrate({ FAKE_USERS_LIST_FILE: usersListing("No data found\n") });
    // THEN it sets the pool with the 3.1 CLI (name, slots, description) right after the migration
    expect(run.status).toBe(0);
    expect(airflowCalls(airflowLog).slice(1, 3)).toEqual(["db migrate", POOL_SET]);
    expect(run.stderr).toContain("airflow-ecs-entrypoint: setting default_pool to 208 slots\n");
  });

  it("fails when the pool cannot be set, or its size is not a number of slots", () => {
    const failing = migrate({ FAKE_POOLS_SET_EXIT: "1" });
    expect(failing.status).toBe(70);
    expect(failing.stderr).toContain('airflow-ecs-entrypoint: error: "airflow pools set default_pool 208" failed; default_pool keeps its old size\n');
    expect(airflowCalls(airflowLog).filter((call) => call.startsWith("users"))).toEqual([]);
    const malformed = migrate({ AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT: "lots" });
    expect(malformed.status).toBe(64);
    expect(malformed.stderr).toContain(
      'airflow-ecs-entrypoint: error: AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT = "lots" is not a number of slots (1-999999)\n',
    );
  });

  it("passes migration options through and rejects any other command", () => {
    // GIVEN a migration to a given revision, and a command that is not a migration
    const toRevision = migrate({ AIRFLOW__CORE__AUTH_MANAGER: undefined }, ["db", "migrate", "--to-version", "3.1.5"]);
    const wrong = migrate({}, ["scheduler"]);
    // THEN the options reach `airflow db migrate`, and the wrong command fails before touching the database schema
    expect(toRevision.status).toBe(0);
    expect(airflowCalls(airflowLog)).toContain("db migrate --to-version 3.1.5");
    expect(wrong.status).toBe(64);
    expect(wrong.stderr).toContain('airflow-ecs-entrypoint: error: the migrate component runs "db migrate [options]"; got the command: scheduler\n');
    expect(airflowCalls(airflowLog).filter((call) => call.startsWith("db migrate"))).toEqual(["db migrate --to-version 3.1.5"]);
  });
});

/** A stand-in boto3 on PYTHONPATH: its SSM client appends each put_parameter call to FAKE_BOTO3_LOG, or fails. */
function fakeBoto3(): { pythonPath: string; log: string } {
  const dir = path.join(workDir, "fake-boto3");
  fs.mkdirSync(path.join(dir, "boto3"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "boto3", "__init__.py"),
    `import json, os


class _Ssm:
    def put_parameter(self, **kwargs):
        if os.environ.get("FAKE_BOTO3_FAIL"):
            raise RuntimeError("AccessDeniedException: not authorized to perform ssm:PutParameter")
        with open(os.environ["FAKE_BOTO3_LOG"], "a") as log:
            log.write(json.dumps(kwargs) + "\\n")


def client(service):
    assert service == "ssm", service
    return _Ssm()
`,
  );
  return { pythonPath: `${PYTHON_PATH}:${dir}`, log: path.join(workDir, "boto3-calls.log") };
}

describe("the migration record", () => {
  const PARAMETER = "/airflow/dev/airflow/migration-record";

  function recording(overrides: Record<string, string | undefined> = {}) {
    const boto3 = fakeBoto3();
    const run = migrate({
      AIRFLOW__CORE__AUTH_MANAGER: undefined,
      PYTHONPATH: boto3.pythonPath,
      FAKE_BOTO3_LOG: boto3.log,
      AIRFLOW_VERSION: "3.1.5",
      [RUNTIME_ENV.imageTag]: "3.1.5-1",
      [RUNTIME_ENV.migrationRecordParameter]: PARAMETER,
      ...overrides,
    });
    const calls = fs.existsSync(boto3.log)
      ? fs
          .readFileSync(boto3.log, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line))
      : [];
    return { run, calls };
  }

  it("records the Airflow version and image tag after a successful migration", () => {
    // GIVEN the migrate task's record parameter and the image's versions
    // WHEN the migration succeeds
    const { run, calls } = recording();
    // THEN the parameter is overwritten with the record npm run migrate reads
    expect(run.status).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ Name: PARAMETER, Type: "String", Overwrite: true });
    expect(JSON.parse(calls[0].Value)).toEqual({
      airflowVersion: "3.1.5",
      imageTag: "3.1.5-1",
      migratedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  it("records nothing when the migration fails", () => {
    const { run, calls } = recording({ FAKE_MIGRATE_EXIT: "3" });
    expect(run.status).toBe(3);
    expect(calls).toEqual([]);
  });

  it("only warns when the record cannot be written: the database is migrated", () => {
    const { run, calls } = recording({ FAKE_BOTO3_FAIL: "1" });
    expect(run.status).toBe(0);
    expect(calls).toEqual([]);
    expect(run.stderr).toContain(`could not record the migration in SSM parameter ${PARAMETER}: RuntimeError: AccessDeniedException`);
    expect(run.stderr).toContain(
      'airflow-ecs-entrypoint: warning: the migration was not recorded (see above); the next "npm run migrate" snapshots the database before migrating\n',
    );
  });
});
