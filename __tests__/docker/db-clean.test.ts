import * as fs from "fs";
import * as path from "path";
import { Client } from "pg";
import { RUNTIME_ENV } from "../../runtime/airflow-image";
import { startPostgres, type PostgresServer } from "../support/postgres";
import { ENTRYPOINT, airflowCalls, fakeContainer, read, removeTempDirs, runAsync, runSync, type FakeContainer } from "./helpers";

/**
 * The db-clean component end to end: entrypoint.sh builds the URL, waits for the database (fake `airflow db check`)
 * and runs db-clean.sh through a stand-in of the official /entrypoint; a fake `airflow` on PATH plays the CLI and
 * records its calls. The overlap lock is taken in a real PostgreSQL (TLS, as RDS requires) with the real psql.
 */

/** db-clean.sh's advisory lock key (the ASCII bytes of "dbclean"). */
const LOCK_KEY = "28254564376084846";
const DAY_MS = 86_400_000;

let server: PostgresServer;
let container: FakeContainer;

beforeAll(async () => {
  server = await startPostgres({ tls: true });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

beforeEach(() => {
  container = fakeContainer("db-clean");
});

function environment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${container.binDir}:${process.env.PATH}`,
    HOME: container.workDir,
    TMPDIR: container.workDir,
    _AIRFLOW_ECS_OFFICIAL_ENTRYPOINT: container.official,
    FAKE_ENTRYPOINT_MODE: "passthrough",
    FAKE_AIRFLOW_LOG: container.airflowLog,
    [RUNTIME_ENV.component]: "db-clean",
    [RUNTIME_ENV.dbHost]: server.host,
    [RUNTIME_ENV.dbPort]: String(server.port),
    [RUNTIME_ENV.dbName]: server.database,
    [RUNTIME_ENV.dbUser]: server.user,
    [RUNTIME_ENV.dbPassword]: server.password,
    [RUNTIME_ENV.dbWaitSeconds]: "10",
    [RUNTIME_ENV.dbCleanRetentionDays]: "90",
    [RUNTIME_ENV.dbCleanArchive]: "none",
    [RUNTIME_ENV.dbCleanBatchSize]: "10000",
    [RUNTIME_ENV.dbCleanTimeoutMinutes]: "240",
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function dbClean(overrides: Record<string, string | undefined> = {}, command = ["db", "clean"]) {
  return runSync(ENTRYPOINT, command, environment(overrides));
}

/** The `--clean-before-timestamp` value of the recorded `db clean` call, as a time. */
function cleanBefore(call: string): number {
  const match = /--clean-before-timestamp (\S+)/.exec(call);
  if (!match) throw new Error(`no timestamp in: ${call}`);
  expect(match[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  return Date.parse(match[1]);
}

async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(server.clientConfig({ rejectUnauthorized: false }));
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const tryLock = (client: Client) => client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`).then((r) => r.rows[0].locked);

async function waitForFile(file: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the db-clean component", () => {
  it("cleans every allowed table older than the retention, without archive tables, in batches, with a timeout", () => {
    // GIVEN 90 days of retention and no archive
    const before = Date.now();
    // WHEN the task runs
    const run = dbClean();
    const after = Date.now();
    // THEN it waited for the database, then ran one clean with the computed cut-off and the configured options
    expect(run.stderr).toContain("airflow-ecs-entrypoint: holding the db-clean lock\n");
    expect(run.status).toBe(0);
    const calls = airflowCalls(container.airflowLog);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBe("db check");
    expect(calls[1]).toMatch(/^db clean --clean-before-timestamp \S+ --skip-archive --batch-size 10000 --verbose --yes$/);
    // the cut-off is 90 days before the run, to the second (no --tables: Airflow cleans every table it may clean)
    const cutoff = cleanBefore(calls[1]);
    expect(cutoff).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 90 * DAY_MS);
    expect(cutoff).toBeLessThanOrEqual(after - 90 * DAY_MS);
    // AND the clean ran under `timeout` with the configured minutes
    expect(read(`${container.airflowLog}.db-clean-parent`)).toMatch(/^timeout --kill-after=60 240m airflow db clean /);
    expect(run.stderr).toContain("airflow-ecs-entrypoint: metadata database cleaned\n");
  });

  it("keeps the last run's archive tables with archive last-run: drops the previous ones, then cleans with archiving", () => {
    const run = dbClean({ [RUNTIME_ENV.dbCleanArchive]: "last-run", [RUNTIME_ENV.dbCleanRetentionDays]: "30", [RUNTIME_ENV.dbCleanBatchSize]: "500" });
    expect(run.status).toBe(0);
    const calls = airflowCalls(container.airflowLog);
    expect(calls.slice(0, 2)).toEqual(["db check", "db drop-archived --yes"]);
    expect(calls[2]).toMatch(/^db clean --clean-before-timestamp \S+ --batch-size 500 --verbose --yes$/);
    expect(Date.now() - cleanBefore(calls[2])).toBeGreaterThanOrEqual(30 * DAY_MS - 60_000);
  });

  it("holds the lock while it cleans and releases it when it ends", async () => {
    // GIVEN a clean that waits for the test before it finishes
    const hold = path.join(container.workDir, "release");
    const running = runAsync(ENTRYPOINT, ["db", "clean"], environment({ FAKE_DB_CLEAN_HOLD: hold }));
    await waitForFile(`${hold}.started`);
    // WHEN another session tries the lock during the clean THEN it is taken
    expect(await withClient(tryLock)).toBe(false);
    // AND once the clean ends, the lock is free again
    fs.writeFileSync(hold, "");
    const run = await running;
    expect(run.status).toBe(0);
    expect(
      await withClient(async (client) => {
        const locked = await tryLock(client);
        await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
        return locked;
      }),
    ).toBe(true);
  });

  it("does not clean, and succeeds, while another run holds the lock", async () => {
    // GIVEN another session holding the lock (a run still going when the next is due)
    await withClient(async (client) => {
      expect(await tryLock(client)).toBe(true);
      // WHEN the task runs
      const run = await runAsync(ENTRYPOINT, ["db", "clean"], environment());
      // THEN it ends successfully without touching the tables
      expect(run.status).toBe(0);
      expect(run.stderr).toContain("airflow-ecs-entrypoint: another db clean run holds the lock: not cleaning (this run ends successfully)\n");
      expect(airflowCalls(container.airflowLog)).toEqual(["db check"]);
    });
  });

  it("exits with the status of a failed clean, and with 124 when the timeout cut it off", () => {
    const failed = dbClean({ FAKE_DB_CLEAN_EXIT: "3" });
    expect(failed.status).toBe(3);
    expect(failed.stderr).toContain('airflow-ecs-entrypoint: error: "airflow db clean" failed with exit status 3\n');
    // `timeout` exits 124 when it stops the command; the fake exits 124 the same way
    const timedOut = dbClean({ FAKE_DB_CLEAN_EXIT: "124", [RUNTIME_ENV.dbCleanTimeoutMinutes]: "10" });
    expect(timedOut.status).toBe(124);
    expect(timedOut.stderr).toContain(
      'airflow-ecs-entrypoint: error: "airflow db clean" did not finish within 10 minutes (AIRFLOW_ECS_DB_CLEAN_TIMEOUT_MINUTES) and was stopped; the next run continues\n',
    );
  });

  it("cleans nothing when dropping the previous archive tables fails", () => {
    const run = dbClean({ [RUNTIME_ENV.dbCleanArchive]: "last-run", FAKE_DROP_ARCHIVED_EXIT: "1" });
    expect(run.status).toBe(70);
    expect(run.stderr).toContain('airflow-ecs-entrypoint: error: "airflow db drop-archived" failed; nothing was cleaned\n');
    expect(airflowCalls(container.airflowLog).filter((call) => call.startsWith("db clean"))).toEqual([]);
  });

  it("fails with 69, naming the database, when the lock session cannot be opened", () => {
    // GIVEN a wrong password (the fake `airflow db check` does not notice; psql does)
    const run = dbClean({ [RUNTIME_ENV.dbPassword]: "wrong" });
    expect(run.status).toBe(69);
    expect(run.stderr).toContain(`airflow-ecs-entrypoint: error: could not open the lock session to the metadata database at ${server.host}:${server.port}: `);
    expect(run.stderr).toMatch(/password authentication failed for user "postgres"/);
    expect(airflowCalls(container.airflowLog)).toEqual(["db check"]);
  });

  it.each([
    [RUNTIME_ENV.dbCleanRetentionDays, "ninety", 'AIRFLOW_ECS_DB_CLEAN_RETENTION_DAYS = "ninety" is not a whole number from 1 to 3650'],
    [RUNTIME_ENV.dbCleanRetentionDays, "0", 'AIRFLOW_ECS_DB_CLEAN_RETENTION_DAYS = "0" is not a whole number from 1 to 3650'],
    [RUNTIME_ENV.dbCleanBatchSize, undefined, 'AIRFLOW_ECS_DB_CLEAN_BATCH_SIZE = "" is not a whole number from 1 to 1000000'],
    [RUNTIME_ENV.dbCleanTimeoutMinutes, "721", 'AIRFLOW_ECS_DB_CLEAN_TIMEOUT_MINUTES = "721" is not a whole number from 1 to 720'],
    [RUNTIME_ENV.dbCleanArchive, "s3", 'AIRFLOW_ECS_DB_CLEAN_ARCHIVE = "s3" is not one of: none last-run'],
  ])("fails with 64 before touching the database when %s is %s", (name, value, message) => {
    const run = dbClean({ [name]: value });
    expect(run.status).toBe(64);
    expect(run.stderr).toContain(`airflow-ecs-entrypoint: error: ${message}\n`);
    expect(airflowCalls(container.airflowLog)).toEqual(["db check"]);
  });

  it("runs only `db clean`", () => {
    const run = dbClean({}, ["db", "clean", "--tables", "log"]);
    expect(run.status).toBe(64);
    expect(run.stderr).toContain(
      'airflow-ecs-entrypoint: error: the db-clean component runs "db clean" (the task definition sets its options); got the command: db clean --tables log\n',
    );
    expect(airflowCalls(container.airflowLog)).toEqual(["db check"]);
  });
});
