import * as path from "path";
import { COMPONENTS, RUNTIME_ENV, type Component } from "../../runtime/airflow-image";
import { ENTRYPOINT, SCRIPTS_DIR, airflowCalls, fakeContainer, officialEntrypointRecord, pythonEnv, removeTempDirs, runSync } from "./helpers";

/**
 * docker/scripts/entrypoint.sh run as ECS runs it: the command as arguments, the parts of the connection URLs as
 * environment variables. A fake official /entrypoint records what it would exec, and a fake `airflow` stands in
 * for the CLI, so no Airflow is needed.
 */

const DB_HOST = "airflow-dev-db.c1x2y3z4.eu-west-1.rds.amazonaws.com";
const REDIS_HOST = "master.airflow-dev-broker.abc123.euw1.cache.amazonaws.com";

/** Every part the task definitions inject, keyed by the runtime/ names (plain values: no escaping needed). */
const PARTS: Record<string, string> = {
  [RUNTIME_ENV.dbHost]: DB_HOST,
  [RUNTIME_ENV.dbPort]: "5432",
  [RUNTIME_ENV.dbName]: "airflow",
  [RUNTIME_ENV.dbUser]: "airflow_admin",
  [RUNTIME_ENV.dbPassword]: "s3cr3t",
  [RUNTIME_ENV.redisHost]: REDIS_HOST,
  [RUNTIME_ENV.redisPort]: "6379",
  [RUNTIME_ENV.redisAuthToken]: "t0ken",
  [RUNTIME_ENV.dbWaitSeconds]: "0",
};

/** The ECS command of each component (what the services stack sets). */
const COMMANDS: Record<Component, string[]> = {
  "api-server": ["api-server", "--proxy-headers"],
  scheduler: ["scheduler"],
  "dag-processor": ["dag-processor"],
  triggerer: ["triggerer"],
  worker: ["celery", "worker", "--queues", "default", "--concurrency", "16"],
  flower: ["celery", "flower"],
  migrate: ["db", "migrate"],
  "db-clean": ["db", "clean"],
};

const URL_VARIABLES = [
  "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
  "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
  "AIRFLOW__CELERY__RESULT_BACKEND",
  "AIRFLOW__CELERY__BROKER_URL",
] as const;

let workDir: string;
let official: string;
let airflowLog: string;
let binDir: string;

beforeEach(() => {
  ({ workDir, binDir, official, airflowLog } = fakeContainer("entrypoint"));
});

afterAll(removeTempDirs);

function environment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: workDir,
    PYTHONDONTWRITEBYTECODE: "1",
    _AIRFLOW_ECS_OFFICIAL_ENTRYPOINT: official,
    FAKE_AIRFLOW_LOG: airflowLog,
    ...PARTS,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function entrypoint(component: Component | undefined, args: string[], overrides: Record<string, string | undefined> = {}) {
  return runSync(ENTRYPOINT, args, environment({ [RUNTIME_ENV.component]: component, ...overrides }));
}

describe("connection URLs built from the injected parts", () => {
  it("gives the scheduler the database, async database, result-backend and TLS broker URLs, then execs the official entrypoint", () => {
    // GIVEN the scheduler's parts
    // WHEN the entrypoint runs the scheduler command
    const run = entrypoint("scheduler", ["scheduler"]);
    // THEN the official entrypoint receives the command unchanged and the four URLs
    expect(run.status).toBe(0);
    const record = officialEntrypointRecord(run.stdout);
    expect(record.args).toEqual(["scheduler"]);
    expect(record.env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).toBe(`postgresql+psycopg2://airflow_admin:s3cr3t@${DB_HOST}:5432/airflow?sslmode=require`);
    expect(record.env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC).toBe(`postgresql+asyncpg://airflow_admin:s3cr3t@${DB_HOST}:5432/airflow?ssl=require`);
    expect(record.env.AIRFLOW__CELERY__RESULT_BACKEND).toBe(`db+postgresql://airflow_admin:s3cr3t@${DB_HOST}:5432/airflow?sslmode=require`);
    expect(record.env.AIRFLOW__CELERY__BROKER_URL).toBe(`rediss://:t0ken@${REDIS_HOST}:6379/0?ssl_cert_reqs=required`);
    // AND the official entrypoint's own unbounded database and broker waits are off
    expect(record.env.CONNECTION_CHECK_MAX_COUNT).toBe("0");
  });

  it("uses the default PostgreSQL and Redis ports when the port variables are not set", () => {
    // GIVEN no port variables
    // WHEN the scheduler starts
    const run = entrypoint("scheduler", ["scheduler"], { [RUNTIME_ENV.dbPort]: undefined, [RUNTIME_ENV.redisPort]: undefined });
    // THEN the URLs use 5432 and 6379
    const record = officialEntrypointRecord(run.stdout);
    expect(record.env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).toContain(`@${DB_HOST}:5432/airflow?`);
    expect(record.env.AIRFLOW__CELERY__BROKER_URL).toContain(`@${REDIS_HOST}:6379/0?`);
  });

  it("percent-encodes user, password and token so that every character round-trips through the URL parsers", () => {
    // GIVEN credentials with URL delimiters, percent signs, spaces, shell metacharacters and non-ASCII text
    const user = "ad@min:x/y";
    const password = "p@ss:w/rd?#%+ &=;'\"\\$HOME`id`é日本🔑~._-";
    const token = "to:k/en@#%+ ü%2F";
    // WHEN the scheduler starts
    const run = entrypoint("scheduler", ["scheduler"], { [RUNTIME_ENV.dbUser]: user, [RUNTIME_ENV.dbPassword]: password, [RUNTIME_ENV.redisAuthToken]: token });
    expect(run.status).toBe(0);
    const env = officialEntrypointRecord(run.stdout).env;
    // THEN only unreserved characters and %XX escapes remain in the credentials
    expect(env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).toBe(
      `postgresql+psycopg2://ad%40min%3Ax%2Fy:p%40ss%3Aw%2Frd%3F%23%25%2B%20%26%3D%3B%27%22%5C%24HOME%60id%60%C3%A9%E6%97%A5%E6%9C%AC%F0%9F%94%91~._-@${DB_HOST}:5432/airflow?sslmode=require`,
    );
    expect(env.AIRFLOW__CELERY__BROKER_URL).toBe(`rediss://:to%3Ak%2Fen%40%23%25%2B%20%C3%BC%252F@${REDIS_HOST}:6379/0?ssl_cert_reqs=required`);
    // AND parsing them as kombu / redis-py (urlsplit + unquote) and SQLAlchemy (its URL pattern + unquote) do gives the originals back
    const parsed = runSync("python3", ["-c", PARSE_LIKE_CONSUMERS, ...URL_VARIABLES.map((name) => env[name])], pythonEnv());
    expect(parsed.stderr).toBe("");
    expect(JSON.parse(parsed.stdout)).toEqual([
      { urlsplit: { user, password, host: DB_HOST, port: 5432 }, sqlalchemy: { user, password, host: DB_HOST, port: "5432", database: "airflow" } },
      { urlsplit: { user, password, host: DB_HOST, port: 5432 }, sqlalchemy: { user, password, host: DB_HOST, port: "5432", database: "airflow" } },
      { urlsplit: { user, password, host: DB_HOST, port: 5432 }, sqlalchemy: { user, password, host: DB_HOST, port: "5432", database: "airflow" } },
      { urlsplit: { user: "", password: token, host: REDIS_HOST, port: 6379 }, sqlalchemy: null },
    ]);
    // AND Node's WHATWG URL parser agrees on the password
    expect(decodeURIComponent(new URL(env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).password)).toBe(password);
  });

  it('percent-encodes every byte exactly as Python\'s urllib.parse.quote(value, safe="") does', () => {
    // GIVEN one value holding every byte from 0x01 to 0xff (an environment variable cannot hold 0x00)
    const everyByte = String.raw`
      source "$1"
      value=""
      for ((i = 1; i < 256; i++)); do printf -v hex %02x "$i"; printf -v byte "\x$hex"; value+=$byte; done
      ecs_urlencode encoded "$value"
      printf %s "$encoded"`;
    // WHEN the entrypoint's encoder and Python's quote encode it
    const shell = runSync("bash", ["-c", everyByte, "bash", path.join(SCRIPTS_DIR, "connections.sh")], pythonEnv());
    const python = runSync(
      "python3",
      ["-c", 'import sys, urllib.parse; sys.stdout.write(urllib.parse.quote_from_bytes(bytes(range(1, 256)), safe=""))'],
      pythonEnv(),
    );
    // THEN both keep exactly the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and write %XX for every other byte
    expect([shell.status, shell.stderr, python.stderr]).toEqual([0, "", ""]);
    expect(shell.stdout).toBe(python.stdout);
    expect(shell.stdout.replace(/%[0-9A-F]{2}/g, "")).toBe("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");
  });
});

/** urlsplit + unquote (kombu, redis-py) and SQLAlchemy 2.0's URL pattern + unquote (sqlalchemy/engine/url.py). */
const PARSE_LIKE_CONSUMERS = String.raw`
import json, re, sys
from urllib.parse import unquote, urlsplit
SQLALCHEMY = re.compile(r"""
    (?P<name>[\w\+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/\?]+)\]|(?P<ipv4host>[^/:\?]+))?(?::(?P<port>[^/\?]*))?)?
    (?:/(?P<database>[^\?]*))?
    (?:\?(?P<query>.*))?
""", re.X)
out = []
for url in sys.argv[1:]:
    parts = urlsplit(url)
    entry = {"urlsplit": {"user": unquote(parts.username or ""), "password": unquote(parts.password or ""), "host": parts.hostname, "port": parts.port}, "sqlalchemy": None}
    if not url.startswith("rediss"):
        m = SQLALCHEMY.match(url.split("+", 1)[1] if url.startswith("db+") else url)
        entry["sqlalchemy"] = {"user": unquote(m["username"]), "password": unquote(m["password"]), "host": m["ipv4host"], "port": m["port"], "database": unquote(m["database"])}
    out.append(entry)
print(json.dumps(out))
`;

describe("which component gets which URL", () => {
  const EXPECTED: Record<Component, { database: boolean; celery: boolean }> = {
    "api-server": { database: true, celery: false },
    scheduler: { database: true, celery: true },
    "dag-processor": { database: true, celery: false },
    triggerer: { database: true, celery: false },
    // Airflow 3 workers run tasks through the Execution API, but every `airflow` process still reads
    // sql_alchemy_conn (settings, the CLI action log, the result backend's default; apache/airflow#65420).
    worker: { database: true, celery: true },
    flower: { database: true, celery: true },
    migrate: { database: true, celery: false },
    "db-clean": { database: true, celery: false },
  };

  it.each(COMPONENTS.map((component) => [component]))("%s gets exactly the URLs it needs", (component) => {
    // GIVEN every part injected
    // WHEN the component starts with its ECS command
    const run = entrypoint(component, COMMANDS[component]);
    expect(run.stderr).not.toContain("error:");
    const record = officialEntrypointRecord(run.stdout);
    // THEN every component gets the database URLs, the Celery URLs only scheduler, workers and Flower
    const present = URL_VARIABLES.filter((name) => record.env[name] !== undefined);
    const expected = [
      ...(EXPECTED[component].database ? ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] : []),
      ...(EXPECTED[component].celery ? ["AIRFLOW__CELERY__RESULT_BACKEND", "AIRFLOW__CELERY__BROKER_URL"] : []),
    ];
    expect(present).toEqual(expected);
    // AND the command reaches the official entrypoint unchanged, except migrate and db-clean, which run their script through it
    const script = component === "migrate" || component === "db-clean" ? ["bash", path.join(SCRIPTS_DIR, `${component}.sh`)] : [];
    expect(record.args).toEqual([...script, ...COMMANDS[component]]);
  });

  it("runs the official entrypoint unchanged when AIRFLOW_ECS_COMPONENT is not set", () => {
    // GIVEN no component (e.g. `docker run <image> version`)
    // WHEN the entrypoint runs
    const run = entrypoint(undefined, ["version"]);
    // THEN it says so and execs the official entrypoint with the command, building nothing
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("airflow-ecs-entrypoint: AIRFLOW_ECS_COMPONENT is not set: running the official entrypoint unchanged\n");
    const record = officialEntrypointRecord(run.stdout);
    expect(record.args).toEqual(["version"]);
    expect(URL_VARIABLES.filter((name) => record.env[name] !== undefined)).toEqual([]);
  });

  it("keeps a URL configured another way (plain, _CMD or _SECRET) instead of overriding it", () => {
    // GIVEN the broker URL configured through the secrets backend
    // WHEN a worker starts
    const run = entrypoint("worker", COMMANDS.worker, { AIRFLOW__CELERY__BROKER_URL_SECRET: "celery/broker_url" });
    // THEN the broker URL is not built (a plain variable would win over _SECRET) and the log says why
    const record = officialEntrypointRecord(run.stdout);
    expect(record.env.AIRFLOW__CELERY__BROKER_URL).toBeUndefined();
    expect(record.env.AIRFLOW__CELERY__RESULT_BACKEND).toBeDefined();
    expect(run.stderr).toContain(
      "airflow-ecs-entrypoint: AIRFLOW__CELERY__BROKER_URL: keeping the value configured through AIRFLOW__CELERY__BROKER_URL_SECRET\n",
    );
  });
});

describe("configuration errors stop the container before Airflow starts", () => {
  it.each([
    ["api-server", RUNTIME_ENV.dbHost, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
    ["api-server", RUNTIME_ENV.dbName, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
    ["api-server", RUNTIME_ENV.dbUser, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
    ["api-server", RUNTIME_ENV.dbPassword, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
    ["worker", RUNTIME_ENV.dbPassword, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
    ["worker", RUNTIME_ENV.redisHost, "AIRFLOW__CELERY__BROKER_URL"],
    ["flower", RUNTIME_ENV.redisAuthToken, "AIRFLOW__CELERY__BROKER_URL"],
  ] as const)("%s without %s fails naming the variable", (component, missing, target) => {
    // GIVEN one required part missing (and, in a second case, empty)
    for (const value of [undefined, ""]) {
      // WHEN the component starts
      const run = entrypoint(component, COMMANDS[component], { [missing]: value });
      // THEN it exits 64 with a message naming the variable and what needs it, and never starts Airflow
      expect(run.status).toBe(64);
      expect(run.stderr).toContain(`airflow-ecs-entrypoint: error: ${missing} is not set or empty; the ${component} component needs it to build ${target}\n`);
      expect(run.stdout).toBe("");
    }
  });

  it.each([
    [RUNTIME_ENV.dbPort, "65536", `airflow-ecs-entrypoint: error: ${RUNTIME_ENV.dbPort} = "65536" is not a TCP port (1-65535)\n`],
    [RUNTIME_ENV.redisPort, "63 79", `airflow-ecs-entrypoint: error: ${RUNTIME_ENV.redisPort} = "63 79" is not a TCP port (1-65535)\n`],
    [
      RUNTIME_ENV.dbHost,
      "db.internal/evil?x=",
      `airflow-ecs-entrypoint: error: ${RUNTIME_ENV.dbHost} = "db.internal/evil?x=" is not a host name (letters, digits, dots and hyphens); the scheduler component needs it to build AIRFLOW__DATABASE__SQL_ALCHEMY_CONN\n`,
    ],
  ])("rejects %s = %j", (variable, value, message) => {
    // GIVEN a malformed part
    // WHEN the scheduler starts
    const run = entrypoint("scheduler", ["scheduler"], { [variable]: value });
    // THEN it exits 64 with the exact problem
    expect(run.status).toBe(64);
    expect(run.stderr).toBe(`airflow-ecs-entrypoint: component scheduler\n${message}`);
  });

  it("rejects an unknown component", () => {
    // GIVEN a component name outside runtime/
    // WHEN the entrypoint runs
    const run = entrypoint("webserver" as Component, ["webserver"]);
    // THEN it lists the valid ones and exits 64
    expect(run.status).toBe(64);
    expect(run.stderr).toBe(`airflow-ecs-entrypoint: error: AIRFLOW_ECS_COMPONENT = "webserver" is not one of: ${COMPONENTS.join(" ")}\n`);
    expect(run.stdout).toBe("");
  });
});

describe("waiting for the metadata database", () => {
  it("fails after AIRFLOW_ECS_DB_WAIT_SECONDS with the last error of `airflow db check`", () => {
    // GIVEN a database that never answers and a 1-second budget
    // WHEN the api-server starts
    const run = entrypoint("api-server", COMMANDS["api-server"], { [RUNTIME_ENV.dbWaitSeconds]: "1", FAKE_DB_CHECK_FAILURES: "always" });
    // THEN it exits 69 naming the database, the budget and the driver's error (not SQLAlchemy's help link)
    expect(run.status).toBe(69);
    expect(run.stderr).toContain(
      `airflow-ecs-entrypoint: error: the metadata database at ${DB_HOST}:5432 did not answer within 1 s (AIRFLOW_ECS_DB_WAIT_SECONDS); ` +
        `last 'airflow db check' output: sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "db.internal" (10.0.1.5), port 5432 failed: Connection refused\n`,
    );
    // AND Airflow never started
    expect(run.stdout).toBe("");
    expect(airflowCalls(airflowLog).every((call) => call === "db check")).toBe(true);
  });

  it("retries until the database answers, then starts the component", () => {
    // GIVEN a database that answers on the second `airflow db check`
    // WHEN the triggerer starts with a 30-second budget
    const run = entrypoint("triggerer", ["triggerer"], { [RUNTIME_ENV.dbWaitSeconds]: "30", FAKE_DB_CHECK_FAILURES: "1" });
    // THEN it reports the database reachable and execs the official entrypoint
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`airflow-ecs-entrypoint: metadata database ${DB_HOST}:5432 is reachable (attempt 2)\n`);
    expect(airflowCalls(airflowLog)).toEqual(["db check", "db check"]);
    expect(officialEntrypointRecord(run.stdout).args).toEqual(["triggerer"]);
  });

  it("does not wait when AIRFLOW_ECS_DB_WAIT_SECONDS is 0, nor for workers, which get the URL but start without the database", () => {
    // GIVEN a database that never answers
    // WHEN the scheduler starts with no wait budget, and a worker starts with one
    const scheduler = entrypoint("scheduler", ["scheduler"], { [RUNTIME_ENV.dbWaitSeconds]: "0", FAKE_DB_CHECK_FAILURES: "always" });
    const worker = entrypoint("worker", COMMANDS.worker, { [RUNTIME_ENV.dbWaitSeconds]: "30", FAKE_DB_CHECK_FAILURES: "always" });
    // THEN both start without calling `airflow db check`
    expect([scheduler.status, worker.status]).toEqual([0, 0]);
    expect(scheduler.stderr).toContain("airflow-ecs-entrypoint: AIRFLOW_ECS_DB_WAIT_SECONDS=0: not waiting for the metadata database\n");
    expect(airflowCalls(airflowLog)).toEqual([]);
  });

  it("rejects a wait that is not a whole number of seconds", () => {
    // GIVEN a malformed budget
    // WHEN the dag-processor starts
    const run = entrypoint("dag-processor", ["dag-processor"], { [RUNTIME_ENV.dbWaitSeconds]: "2m" });
    // THEN it exits 64 naming the variable
    expect(run.status).toBe(64);
    expect(run.stderr).toContain('airflow-ecs-entrypoint: error: AIRFLOW_ECS_DB_WAIT_SECONDS = "2m" is not a whole number of seconds\n');
    expect(run.stdout).toBe("");
  });
});

describe("the worker component", () => {
  it("leaves scale-in protection off outside ECS (no ECS_AGENT_URI)", () => {
    // GIVEN a worker without the ECS agent endpoint
    // WHEN it starts
    const run = entrypoint("worker", COMMANDS.worker, { ECS_AGENT_URI: undefined });
    // THEN it says protection is off and starts the worker with warm-shutdown-friendly exec
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("airflow-ecs-entrypoint: ECS_AGENT_URI is not set (not an ECS task): scale-in protection is off\n");
    expect(officialEntrypointRecord(run.stdout).args).toEqual(COMMANDS.worker);
  });

  it("logs its pool and environment", () => {
    // GIVEN the worker pool and environment names
    // WHEN the worker starts
    const run = entrypoint("worker", COMMANDS.worker, { [RUNTIME_ENV.workerPool]: "heavy", [RUNTIME_ENV.environment]: "dev" });
    // THEN the first log line names them
    expect(run.stderr.split("\n")[0]).toBe("airflow-ecs-entrypoint: component worker (worker pool heavy) in environment dev");
  });
});
