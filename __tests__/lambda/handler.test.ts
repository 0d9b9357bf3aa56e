import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import { Client } from "pg";
import { PUBLISHER_ENV } from "../../runtime/lambda";
import { APPLICATION_NAME } from "../../lambda/queue-depth-publisher/db";
import { createHandler, handler } from "../../lambda/queue-depth-publisher/index";
import { freePort, startPostgres, writeCertificateAuthority, type PostgresServer } from "../support/postgres";
import {
  CLUSTER,
  createTaskInstanceTable,
  currentCounts,
  mapped,
  MIXED_ROWS,
  POOLS,
  publisherEnv,
  resetTaskInstances,
  SECRET_ARN,
  T0,
  withClient,
} from "./fixtures";
import { describeServicesAnswer, Harness, silentServer, valueOf } from "./harness";

/**
 * The handler end to end against a real PostgreSQL (with TLS available), Secrets Manager, ECS and CloudWatch mocked
 * at the SDK: what is published, when sampling stops, how credentials are cached and refreshed, and that a database
 * or ECS failure publishes nothing and fails the invocation.
 */
const secrets = mockClient(SecretsManagerClient);
const cloudWatch = mockClient(CloudWatchClient);
const ecs = mockClient(ECSClient);
/** The desired count of each pool service in ECS, by service name (what the mocked DescribeServices answers). */
let workers: Map<string, number>;
let server: PostgresServer;
let h: Harness;
const ROLE = "publisher";
/** A role the server only admits over TLS, like every role on RDS with rds.force_ssl=1. */
const TLS_ONLY_ROLE = "tls_publisher";
let rolePassword = "first-password-1";

async function setRolePassword(password: string): Promise<void> {
  rolePassword = password;
  await withClient(server, (c) => c.query(`ALTER ROLE ${ROLE} PASSWORD '${password}'`));
}

function secretHolds(password: string): void {
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username: ROLE, password }) });
}

const allPutInputs = () => cloudWatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
/** A PutMetricData call of the previous minute's outcomes (scheduling latency, failed tasks), not of a queue-depth sample. */
const isOutcomeCall = (input: { MetricData?: MetricDatum[] }) =>
  (input.MetricData ?? []).some((d) => d.MetricName === "FailedTasks" || d.MetricName === "QueuedToRunningSeconds");
/** The queue-depth samples' PutMetricData calls. */
const putInputs = () => allPutInputs().filter((i) => !isOutcomeCall(i));
/** The outcome calls (one per invocation). */
const outcomeInputs = () => allPutInputs().filter(isOutcomeCall);
const describeInputs = () => ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input);
const SERVICES = POOLS.map((p) => p.service);
const env = (overrides: Record<string, string | undefined> = {}) => publisherEnv(server, overrides);

/**
 * The 21 datums of one sample for the fixture pools: [desired, queued, running, oldest, current, shortfall, surplus]
 * per pool, in publishing order.
 */
function sampleData(at: number, figures: Record<"default" | "heavy" | "adhoc", [number, number, number, number, number, number, number]>): MetricDatum[] {
  return Object.entries(figures).flatMap(([pool, [desired, queued, running, oldest, current, shortfall, surplus]]) => {
    const Dimensions = [
      { Name: "Environment", Value: "prod" },
      { Name: "Pool", Value: pool },
    ];
    const d = (MetricName: string, Value: number, Unit: "Count" | "Seconds"): MetricDatum => ({
      MetricName,
      Dimensions,
      Timestamp: new Date(at),
      Value,
      Unit,
      StorageResolution: 1,
    });
    return [
      d("DesiredWorkers", desired, "Count"),
      d("QueuedTasks", queued, "Count"),
      d("RunningTasks", running, "Count"),
      d("OldestQueuedSeconds", oldest, "Seconds"),
      d("CurrentWorkers", current, "Count"),
      d("WorkerShortfall", shortfall, "Count"),
      d("WorkerSurplus", surplus, "Count"),
    ];
  });
}

beforeAll(async () => {
  server = await startPostgres({ tls: true, hba: [`hostnossl all ${TLS_ONLY_ROLE} 127.0.0.1/32 reject`] });
  await createTaskInstanceTable(server);
  await withClient(server, async (c) => {
    await c.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${rolePassword}'`);
    await c.query(`GRANT SELECT ON task_instance TO ${ROLE}`);
    await c.query(`CREATE ROLE ${TLS_ONLY_ROLE} LOGIN PASSWORD 'tls-only-password'`);
    await c.query(`GRANT SELECT ON task_instance TO ${TLS_ONLY_ROLE}`);
  });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  secrets.reset();
  cloudWatch.reset();
  ecs.reset();
  secretHolds(rolePassword);
  cloudWatch.on(PutMetricDataCommand).resolves({});
  workers = currentCounts();
  ecs.on(DescribeServicesCommand).callsFake(describeServicesAnswer(() => workers));
  h = new Harness();
  await resetTaskInstances(server, []);
});

describe("a healthy invocation", () => {
  it("publishes six samples ten seconds apart, each stamped with its time and showing the depth at that moment", async () => {
    // GIVEN an idle Airflow with every service at its minCount; a backlog of 40 default tasks queued at T0+15 s
    // appears before the third sample; the default service is scaled to 3 before the fourth; the backlog is gone
    // (running elsewhere, then finished) before the fifth
    h.onSleep = async (next) => {
      if (next === 2) await resetTaskInstances(server, mapped("burst", "fan_out", 40, "queued", "default", -15));
      if (next === 3) workers = currentCounts({ default: 3 });
      if (next === 4) await resetTaskInstances(server, []);
    };

    // WHEN the handler runs with 6 samples every 10 s and a 70 s Lambda timeout
    const result = await createHandler(h.deps({ env: env() }))({}, h.context(70_000));

    // THEN six PutMetricData calls went out, one per sample, each with all 21 datums of that sample
    const inputs = putInputs();
    expect(inputs).toHaveLength(6);
    expect(inputs[0]).toEqual({
      Namespace: "AirflowEcs/Queues",
      MetricData: sampleData(T0, { default: [2, 0, 0, 0, 2, 0, 0], heavy: [0, 0, 0, 0, 0, 0, 0], adhoc: [0, 0, 0, 0, 0, 0, 0] }),
    });
    expect(inputs[2]).toEqual({
      Namespace: "AirflowEcs/Queues",
      MetricData: sampleData(T0 + 20_000, { default: [3, 40, 0, 5, 2, 1, 0], heavy: [0, 0, 0, 0, 0, 0, 0], adhoc: [0, 0, 0, 0, 0, 0, 0] }),
    });
    expect(inputs.map((i) => i.MetricData![0].Timestamp)).toEqual([0, 10, 20, 30, 40, 50].map((s) => new Date(T0 + s * 1000)));
    expect(inputs.map((i) => valueOf(i, "DesiredWorkers", "default"))).toEqual([2, 2, 3, 3, 2, 2]);
    expect(inputs.map((i) => valueOf(i, "OldestQueuedSeconds", "default"))).toEqual([0, 0, 5, 15, 0, 0]);
    // AND the shortfall rises in the very sample that shows the backlog and falls once the service has the workers;
    // the surplus appears when the work is gone
    expect(inputs.map((i) => valueOf(i, "CurrentWorkers", "default"))).toEqual([2, 2, 2, 3, 3, 3]);
    expect(inputs.map((i) => valueOf(i, "WorkerShortfall", "default"))).toEqual([0, 0, 1, 0, 0, 0]);
    expect(inputs.map((i) => valueOf(i, "WorkerSurplus", "default"))).toEqual([0, 0, 0, 0, 1, 1]);
    // AND each sample read the desired counts once, in one DescribeServices request for the three pool services
    expect(describeInputs()).toEqual(
      Array.from({ length: 6 }, () => ({
        cluster: "airflow-prod",
        services: ["airflow-prod-worker-default", "airflow-prod-worker-heavy", "airflow-prod-worker-adhoc"],
      })),
    );
    // AND the handler slept to each sample's slot and reports what it did
    expect(h.sleeps).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    // (6 sample calls and the one call of the previous minute's outcomes, all zero failures in an idle Airflow)
    expect(result).toEqual({
      samples: 6,
      stoppedEarly: false,
      putMetricDataCalls: 7,
      unroutedQueues: {},
      pools: [
        { pool: "default", queued: 0, running: 0, desiredWorkers: 2, currentWorkers: 3, shortfall: 0, surplus: 1, oldestQueuedSeconds: 0 },
        { pool: "heavy", queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 0, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
        { pool: "adhoc", queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 0, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
      ],
      outcomeWindow: { start: new Date(T0 - 60_000), end: new Date(T0) },
      outcomes: ["default", "heavy", "adhoc"].map((pool) => ({ pool, latencies: [], failed: 0 })),
    });
    // AND the secret was read once, for the configured ARN
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: SECRET_ARN }]);
    // AND the summary line carries the cluster and the last sample's figures, current workers and gaps included
    expect(h.logs.filter((l) => l.message === "Published queue depth")).toEqual([
      {
        level: "info",
        message: "Published queue depth",
        fields: {
          environment: "prod",
          cluster: "airflow-prod",
          samples: 6,
          stoppedEarly: false,
          putMetricDataCalls: 7,
          pools: {
            default: { queued: 0, running: 0, desiredWorkers: 2, currentWorkers: 3, shortfall: 0, surplus: 1, oldestQueuedSeconds: 0 },
            heavy: { queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 0, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
            adhoc: { queued: 0, running: 0, desiredWorkers: 0, currentWorkers: 0, shortfall: 0, surplus: 0, oldestQueuedSeconds: 0 },
          },
        },
      },
    ]);
  });

  it("logs the queues no pool consumes once per invocation, at info level, and leaves them out of every datum", async () => {
    // GIVEN busy task instances on routed queues, on "celery" and without a queue, and services at 3, 1 and 1 workers
    await resetTaskInstances(server, MIXED_ROWS);
    workers = currentCounts({ default: 3, heavy: 1, adhoc: 1 });

    // WHEN an invocation takes three samples
    const result = await createHandler(h.deps({ env: env({ [PUBLISHER_ENV.samplesPerInvocation]: "3" }) }))({}, h.context());

    // THEN one info line names the unrouted queues and their counts
    expect(h.logs.filter((l) => l.message.startsWith("Queued or running task instances on queues no worker pool consumes"))).toEqual([
      {
        level: "info",
        message: "Queued or running task instances on queues no worker pool consumes; ignored for scaling",
        fields: { environment: "prod", queues: { "(no queue)": 1, celery: 2 } },
      },
    ]);
    expect(result.unroutedQueues).toEqual({ "(no queue)": 1, celery: 2 });
    // AND every sample publishes only the pools' figures
    for (const [i, input] of putInputs().entries()) {
      expect(input.MetricData).toEqual(
        sampleData(T0 + i * 10_000, { default: [3, 20, 13, 95 + i * 10, 3, 0, 0], heavy: [3, 5, 4, 310 + i * 10, 1, 2, 0], adhoc: [0, 0, 0, 0, 1, 0, 1] }),
      );
    }
    expect(h.messages("warn")).toEqual([]);
    expect(h.messages("error")).toEqual([]);
  });

  it("holds one database connection for the whole invocation and closes it at the end", async () => {
    // GIVEN a probe counting the publisher's sessions before each later sample
    const sessions: number[] = [];
    const count = () =>
      withClient(
        server,
        async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [APPLICATION_NAME])).rows[0].n as number,
      );
    h.onSleep = async () => {
      sessions.push(await count());
    };

    // WHEN an invocation takes six samples
    await createHandler(h.deps({ env: env() }))({}, h.context());

    // THEN the same single session served every sample
    expect(sessions).toEqual([1, 1, 1, 1, 1]);
    // AND it is gone once the backend has processed the client's goodbye
    let after = await count();
    for (let i = 0; after !== 0 && i < 50; i++) after = await new Promise<number>((resolve) => setTimeout(() => resolve(count()), 20));
    expect(after).toBe(0);
  });

  it("publishes in several PutMetricData calls when the pools' datums exceed 1,000, and reads ECS 10 services at a time", async () => {
    // GIVEN 145 pools (1,015 datums per sample), each service at 0 workers
    const pools = Array.from({ length: 145 }, (_, i) => ({
      name: `pool-${i}`,
      service: `worker-${i}`,
      queues: [`q${i}`],
      concurrency: 1,
      minCount: 0,
      maxCount: 1,
    }));
    workers = new Map(pools.map((p) => [p.service, 0]));
    await resetTaskInstances(server, mapped("wide", "t", 1, "queued", "q144", 1));

    // WHEN one sample is taken
    const result = await createHandler(h.deps({ env: env({ [PUBLISHER_ENV.pools]: JSON.stringify(pools), [PUBLISHER_ENV.samplesPerInvocation]: "1" }) }))(
      {},
      h.context(),
    );

    // THEN the sample went out as 1,000 + 15 datums, the last pool's (1 short) in the second call (the third call
    // holds the previous minute's 145 failure counts)
    expect(result.putMetricDataCalls).toBe(3);
    expect(outcomeInputs().map((i) => i.MetricData!.length)).toEqual([145]);
    expect(putInputs().map((i) => i.MetricData!.length)).toEqual([1000, 15]);
    expect(valueOf(putInputs()[1], "QueuedTasks", "pool-144")).toBe(1);
    expect(valueOf(putInputs()[1], "WorkerShortfall", "pool-144")).toBe(1);
    // AND the 145 services were described in 15 requests of at most 10, in pool order, all in the cluster
    expect(describeInputs().map((i) => i.services!.length)).toEqual([...Array(14).fill(10), 5]);
    expect(describeInputs().flatMap((i) => i.services)).toEqual(pools.map((p) => p.service));
    expect(describeInputs().every((i) => i.cluster === CLUSTER)).toBe(true);
  });
});

describe("the time budget", () => {
  it("stops sampling when the next sample would start with less than the reserve left", async () => {
    // GIVEN a 45 s Lambda timeout and a 2 s statement timeout (reserve 2 s + 6 s)
    // WHEN the handler plans 6 samples every 10 s
    const result = await createHandler(h.deps({ env: env() }))({}, h.context(45_000));

    // THEN samples at 0, 10, 20 and 30 s are published and the one at 40 s (5 s left) is skipped and logged
    expect(result).toMatchObject({ samples: 4, stoppedEarly: true, putMetricDataCalls: 5 });
    expect(putInputs()).toHaveLength(4);
    expect(h.logs).toContainEqual({
      level: "info",
      message: "Stopping sampling early: too little time left for another sample",
      fields: { samplesTaken: 4, samplesPlanned: 6, remainingMsAtNextSample: 5000, reserveMs: 8000 },
    });
  });

  it("also honours a budget shorter than the Lambda timeout", async () => {
    // GIVEN a 25 s budget inside a 15-minute Lambda timeout and an explicit 1 s reserve
    // WHEN the handler plans 6 samples every 10 s
    const result = await createHandler(h.deps({ env: env(), budgetMs: 25_000, reserveMs: 1000 }))({}, h.context(900_000));

    // THEN it samples at 0, 10 and 20 s and stops: the budget would be 5 s overdrawn at 30 s
    expect(result).toMatchObject({ samples: 3, stoppedEarly: true });
    expect(h.sleeps).toEqual([10_000, 10_000]);
  });
});

describe("credentials", () => {
  it("reads the secret once and reuses it on the warm container's next invocation", async () => {
    // GIVEN one handler (one warm container)
    const run = createHandler(h.deps({ env: env({ [PUBLISHER_ENV.samplesPerInvocation]: "1" }) }));

    // WHEN it is invoked twice
    await run({}, h.context());
    await run({}, h.context());

    // THEN Secrets Manager was called once and both invocations published
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(putInputs()).toHaveLength(2);
  });

  it("reads the secret again and reconnects when the database rejects the cached password (rotation)", async () => {
    // GIVEN a warm container that cached the first password
    const run = createHandler(h.deps({ env: env({ [PUBLISHER_ENV.samplesPerInvocation]: "1" }) }));
    await run({}, h.context());
    // AND the secret then rotates: the database and the secret hold a new password
    await setRolePassword("second-password-2");
    secrets.reset();
    secretHolds("second-password-2");

    // WHEN the next invocation runs
    const result = await run({}, h.context());

    // THEN it refetched the secret once, connected with the new password and published
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(result.samples).toBe(1);
    expect(putInputs()).toHaveLength(2);
    expect(h.logs).toContainEqual({
      level: "info",
      message: "Database rejected the cached credentials; reading the secret again (rotated?)",
      fields: { secretArn: SECRET_ARN },
    });
  });

  it("fails without retrying when freshly read credentials are rejected", async () => {
    // GIVEN a secret holding a password the database does not accept
    secrets.reset();
    secretHolds("not-the-password");

    // WHEN the handler runs
    const run = createHandler(h.deps({ env: env() }))({}, h.context());

    // THEN it fails naming the endpoint, the user and PostgreSQL's reason; the secret was read once; nothing was published
    await expect(run).rejects.toThrow(
      `Cannot connect to PostgreSQL at 127.0.0.1:${server.port} (database "postgres") as "publisher" with TLS disable: password authentication failed for user "publisher" (SQLSTATE 28P01)`,
    );
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(putInputs()).toEqual([]);
  });

  it("fails before touching the database when the secret cannot be read", async () => {
    // GIVEN a role that may not read the secret
    secrets.reset();
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error("User is not authorized to perform: secretsmanager:GetSecretValue"), { name: "AccessDeniedException" }));

    // WHEN the handler runs
    // THEN the error names the secret and the cause, and nothing was published
    await expect(createHandler(h.deps({ env: env() }))({}, h.context())).rejects.toThrow(
      `Cannot read the database secret ${SECRET_ARN}: AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue`,
    );
    expect(putInputs()).toEqual([]);
  });

  it.each([
    [{ SecretString: "username=publisher" }, `The database secret ${SECRET_ARN} is not JSON; expected JSON with "username" and "password"`],
    [{ SecretString: JSON.stringify({ username: "publisher" }) }, `The database secret ${SECRET_ARN} lacks a non-empty "username" or "password" string`],
    [{ SecretBinary: new Uint8Array([1]) }, `The database secret ${SECRET_ARN} has no SecretString; expected JSON with "username" and "password"`],
  ])("rejects an unusable secret (%j) without echoing it", async (secret, message) => {
    // GIVEN a secret of the wrong shape
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves(secret);

    // WHEN the handler runs
    // THEN the error says what is wrong, and nothing was published
    await expect(createHandler(h.deps({ env: env() }))({}, h.context())).rejects.toThrow(message);
    expect(putInputs()).toEqual([]);
  });
});

describe("scheduling latency and failed tasks", () => {
  it("publishes the previous minute's queued-to-running seconds and failures per pool once per invocation, stamped with the minute", async () => {
    // GIVEN in the minute before T0: default tasks that waited 1.5 s (twice) and 30 s, one of them failed since; a
    // heavy task on ml that waited 4 s; nothing on adhoc
    await resetTaskInstances(server, [
      ...mapped("etl", "extract", 2, "running", "default", 41.5).map((r) => ({ ...r, startedSecondsAgo: 40 })),
      { dag: "etl", task: "load", state: "failed", queue: "default", queuedSecondsAgo: 50, startedSecondsAgo: 20, endedSecondsAgo: 5 },
      { dag: "train", task: "fit", state: "running", queue: "ml", queuedSecondsAgo: 14, startedSecondsAgo: 10 },
    ]);

    // WHEN an invocation takes three samples
    const result = await createHandler(h.deps({ env: env({ [PUBLISHER_ENV.samplesPerInvocation]: "3" }) }))({}, h.context());

    // THEN one PutMetricData call carried the outcomes, stamped with the minute's start, at standard resolution
    const [call, ...others] = outcomeInputs();
    expect(others).toEqual([]);
    expect(call.Namespace).toBe("AirflowEcs/Queues");
    const of = (name: string, pool: string) => call.MetricData!.find((d) => d.MetricName === name && d.Dimensions![1].Value === pool);
    expect(of("QueuedToRunningSeconds", "default")).toMatchObject({ Values: [1.5, 30], Counts: [2, 1], Unit: "Seconds", Timestamp: new Date(T0 - 60_000) });
    expect(of("QueuedToRunningSeconds", "heavy")).toMatchObject({ Values: [4], Counts: [1] });
    expect(of("QueuedToRunningSeconds", "adhoc")).toBeUndefined();
    expect(["default", "heavy", "adhoc"].map((pool) => of("FailedTasks", pool)!.Value)).toEqual([1, 0, 0]);
    expect(call.MetricData!.every((d) => d.StorageResolution === 60)).toBe(true);
    // AND every sample was published as usual, and the result reports the window and the outcomes
    expect(putInputs()).toHaveLength(3);
    expect(result.outcomeWindow).toEqual({ start: new Date(T0 - 60_000), end: new Date(T0) });
    expect(result.outcomes[0]).toEqual({
      pool: "default",
      latencies: [
        { seconds: 1.5, count: 2 },
        { seconds: 30, count: 1 },
      ],
      failed: 1,
    });
  });

  it("keeps sampling when the outcome query fails, then fails the invocation with its error", async () => {
    // GIVEN a database where the publisher may read task_instance only through the columns of the scaling queries
    await withClient(server, async (c) => {
      await c.query(`REVOKE SELECT ON task_instance FROM ${ROLE}`);
      await c.query(`GRANT SELECT (id, queue, state, queued_dttm) ON task_instance TO ${ROLE}`);
    });
    try {
      // WHEN an invocation takes three samples
      const run = createHandler(h.deps({ env: env({ [PUBLISHER_ENV.samplesPerInvocation]: "3" }) }))({}, h.context());

      // THEN it fails with the latency query's error, naming the endpoint, after all three samples were published
      await expect(run).rejects.toThrow(
        `Scheduling-latency query failed on PostgreSQL at 127.0.0.1:${server.port} (database "postgres"): permission denied for table task_instance (SQLSTATE 42501)`,
      );
      expect(putInputs()).toHaveLength(3);
      expect(outcomeInputs()).toEqual([]);
      expect(h.messages("error")).toContain("Publishing scheduling latency and failed tasks failed; queue-depth sampling goes on");
    } finally {
      await withClient(server, (c) => c.query(`GRANT SELECT ON task_instance TO ${ROLE}`));
    }
  });
});

describe("a database failure", () => {
  it("fails the invocation naming host and port and publishes nothing when nobody listens", async () => {
    // GIVEN a database endpoint where nothing listens
    const port = await freePort();

    // WHEN the handler runs
    const run = createHandler(h.deps({ env: env({ [PUBLISHER_ENV.dbPort]: String(port) }) }))({}, h.context());

    // THEN it rejects with the endpoint and the socket error, logs it, and made no PutMetricData call
    const message = `Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "postgres") as "publisher" with TLS disable: connect ECONNREFUSED 127.0.0.1:${port}`;
    await expect(run).rejects.toThrow(message);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toEqual([]);
    expect(h.logs).toContainEqual({
      level: "error",
      message: "Queue-depth publishing failed; no datum was published for the failed sample",
      fields: { error: message },
    });
  });

  it("gives up after the connect timeout when the endpoint accepts but never answers", async () => {
    // GIVEN an endpoint that accepts TCP connections and stays silent, and a 300 ms connect timeout
    const silent = await silentServer();
    try {
      // WHEN the handler runs
      const run = createHandler(h.deps({ env: env({ [PUBLISHER_ENV.dbPort]: String(silent.port) }), connectTimeoutMs: 300 }))({}, h.context());

      // THEN it rejects naming the endpoint and the timeout, and published nothing
      await expect(run).rejects.toThrow(
        `Cannot connect to PostgreSQL at 127.0.0.1:${silent.port} (database "postgres") as "publisher" with TLS disable: no answer within the 300 ms connect timeout`,
      );
      expect(putInputs()).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it("cancels a query blocked by a lock (a running migration) at the statement timeout and publishes nothing", async () => {
    // GIVEN another session holding an ACCESS EXCLUSIVE lock on task_instance, and a 300 ms statement timeout
    const migration = new Client(server.clientConfig());
    await migration.connect();
    try {
      await migration.query("BEGIN; LOCK TABLE task_instance IN ACCESS EXCLUSIVE MODE");

      // WHEN the handler runs
      const run = createHandler(h.deps({ env: env(), statementTimeoutMs: 300 }))({}, h.context());

      // THEN the query is cancelled, the error names the endpoint and PostgreSQL's reason, and nothing was published
      await expect(run).rejects.toThrow(
        `Queue-depth query failed on PostgreSQL at 127.0.0.1:${server.port} (database "postgres"): canceling statement due to statement timeout (SQLSTATE 57014)`,
      );
      expect(putInputs()).toEqual([]);
    } finally {
      await migration.query("ROLLBACK");
      await migration.end();
    }
  });

  it("stops at the failing sample: earlier samples stay published, the failed one and later ones are not", async () => {
    // GIVEN a lock taken on task_instance between the first and the second sample
    const migration = new Client(server.clientConfig());
    await migration.connect();
    h.onSleep = async (next) => {
      if (next === 1) await migration.query("BEGIN; LOCK TABLE task_instance IN ACCESS EXCLUSIVE MODE");
    };
    try {
      // WHEN the handler runs
      const run = createHandler(h.deps({ env: env(), statementTimeoutMs: 300 }))({}, h.context());

      // THEN the invocation fails and only the first sample's datums were sent
      await expect(run).rejects.toThrow("Queue-depth query failed on PostgreSQL");
      expect(putInputs().map((i) => i.MetricData![0].Timestamp)).toEqual([new Date(T0)]);
    } finally {
      await migration.query("ROLLBACK");
      await migration.end();
    }
  });
});

describe("an ECS failure", () => {
  const PREFIX = "Cannot read the desired count of the worker services in ECS cluster airflow-prod: ";

  it.each([
    [
      "reported MISSING in failures (service deleted)",
      () => ecs.on(DescribeServicesCommand).callsFake(describeServicesAnswer(() => new Map([...workers].filter(([s]) => s !== "airflow-prod-worker-heavy")))),
      `${PREFIX}service airflow-prod-worker-heavy: ECS reports MISSING`,
    ],
    [
      "absent from the response",
      () =>
        ecs.on(DescribeServicesCommand).callsFake((input) => {
          const answer = describeServicesAnswer(() => workers)(input);
          return { services: answer.services!.filter((s) => s.serviceName !== "airflow-prod-worker-adhoc"), failures: [] };
        }),
      `${PREFIX}service airflow-prod-worker-adhoc: absent from the DescribeServices response`,
    ],
    [
      "INACTIVE",
      () =>
        ecs
          .on(DescribeServicesCommand)
          .callsFake(describeServicesAnswer(() => workers, { "airflow-prod-worker-default": { status: "INACTIVE", desiredCount: 0 } })),
      `${PREFIX}service airflow-prod-worker-default: status is INACTIVE; expected ACTIVE`,
    ],
    [
      "throttled",
      () => ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })),
      `${PREFIX}DescribeServices of airflow-prod-worker-default, airflow-prod-worker-heavy, airflow-prod-worker-adhoc failed: ThrottlingException: Rate exceeded`,
    ],
  ])("fails the invocation naming the service when it is %s, and publishes nothing", async (_case, answer, message) => {
    // GIVEN queued work and an ECS whose answer does not give every pool service's desired count
    await resetTaskInstances(server, mapped("etl", "extract", 5, "queued", "default", 30));
    ecs.reset();
    answer();

    // WHEN the handler runs
    const run = createHandler(h.deps({ env: env() }))({}, h.context());

    // THEN it rejects with the cluster, the service and the reason, logs it, and made no PutMetricData call
    await expect(run).rejects.toThrow(message);
    expect(putInputs()).toEqual([]);
    expect(h.logs).toContainEqual({
      level: "error",
      message: "Queue-depth publishing failed; no datum was published for the failed sample",
      fields: { error: message },
    });
    // AND it asked once, for the first sample, and took no further sample
    expect(describeInputs()).toEqual([{ cluster: CLUSTER, services: SERVICES }]);
    expect(h.sleeps).toEqual([]);
  });

  it("stops at the sample whose ECS read fails: earlier samples stay published, the failed one and later ones are not", async () => {
    // GIVEN the heavy service deleted between the second and the third sample
    h.onSleep = async (next) => {
      if (next === 2) workers.delete("airflow-prod-worker-heavy");
    };

    // WHEN the handler runs
    const run = createHandler(h.deps({ env: env() }))({}, h.context());

    // THEN the invocation fails at the third sample; only the first two were published
    await expect(run).rejects.toThrow(`${PREFIX}service airflow-prod-worker-heavy: ECS reports MISSING`);
    expect(putInputs().map((i) => i.MetricData![0].Timestamp)).toEqual([new Date(T0), new Date(T0 + 10_000)]);
    expect(describeInputs()).toHaveLength(3);
  });

  it("closes the database connection when ECS fails", async () => {
    // GIVEN an ECS that denies DescribeServices
    ecs.reset();
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error("not authorized to perform: ecs:DescribeServices"), { name: "AccessDeniedException" }));

    // WHEN the handler runs
    await expect(createHandler(h.deps({ env: env() }))({}, h.context())).rejects.toThrow(
      `${PREFIX}DescribeServices of airflow-prod-worker-default, airflow-prod-worker-heavy, airflow-prod-worker-adhoc failed: AccessDeniedException: not authorized to perform: ecs:DescribeServices`,
    );

    // THEN no session of the publisher is left once the backend has processed the client's goodbye
    const count = () =>
      withClient(
        server,
        async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [APPLICATION_NAME])).rows[0].n as number,
      );
    let after = await count();
    for (let i = 0; after !== 0 && i < 50; i++) after = await new Promise<number>((resolve) => setTimeout(() => resolve(count()), 20));
    expect(after).toBe(0);
  });

  it("reports the database failure when the database and ECS fail in the same sample, and logs the ECS one", async () => {
    // GIVEN a lock blocking the query (300 ms statement timeout) and a deleted adhoc service
    workers.delete("airflow-prod-worker-adhoc");
    const migration = new Client(server.clientConfig());
    await migration.connect();
    try {
      await migration.query("BEGIN; LOCK TABLE task_instance IN ACCESS EXCLUSIVE MODE");

      // WHEN the handler runs
      const run = createHandler(h.deps({ env: env(), statementTimeoutMs: 300 }))({}, h.context());

      // THEN the invocation fails with the database error, the ECS error is logged, and nothing was published
      await expect(run).rejects.toThrow(
        `Queue-depth query failed on PostgreSQL at 127.0.0.1:${server.port} (database "postgres"): canceling statement due to statement timeout (SQLSTATE 57014)`,
      );
      expect(h.logs).toContainEqual({
        level: "error",
        message: "The ECS read of the failed sample failed too",
        fields: { error: `${PREFIX}service airflow-prod-worker-adhoc: ECS reports MISSING` },
      });
      expect(putInputs()).toEqual([]);
    } finally {
      await migration.query("ROLLBACK");
      await migration.end();
    }
  });
});

describe("TLS", () => {
  it("connects with verify-full when the server certificate chains to the given CA and names the host", async () => {
    // GIVEN the server's CA
    // WHEN the handler verifies the server against it
    const result = await createHandler(h.deps({ env: env({ [PUBLISHER_ENV.samplesPerInvocation]: "1" }), tls: { mode: "verify-full", ca: server.caPem! } }))(
      {},
      h.context(),
    );

    // THEN the sample is published
    expect(result.samples).toBe(1);
  });

  it("is refused without TLS by a server that forces it (rds.force_ssl=1)", async () => {
    // GIVEN a role the server admits only over TLS
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: TLS_ONLY_ROLE, password: "tls-only-password" }) });

    // WHEN the handler connects without TLS
    const run = createHandler(h.deps({ env: env(), tls: { mode: "disable" } }))({}, h.context());

    // THEN PostgreSQL rejects the plain connection and the error says so
    await expect(run).rejects.toThrow(
      `Cannot connect to PostgreSQL at 127.0.0.1:${server.port} (database "postgres") as "${TLS_ONLY_ROLE}" with TLS disable: ` +
        `pg_hba.conf rejects connection for host "127.0.0.1", user "${TLS_ONLY_ROLE}", database "postgres", no encryption (SQLSTATE 28000)`,
    );
    expect(putInputs()).toEqual([]);
  });

  it("refuses a server whose certificate does not chain to the given CA", async () => {
    // GIVEN an unrelated CA
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qdp-ca-"));
    try {
      const otherCa = writeCertificateAuthority(dir, "other-ca");

      // WHEN the handler verifies the server against it
      const run = createHandler(h.deps({ env: env(), tls: { mode: "verify-full", ca: otherCa } }))({}, h.context());

      // THEN the connection fails on the certificate, and nothing was published
      await expect(run).rejects.toThrow(
        `Cannot connect to PostgreSQL at 127.0.0.1:${server.port} (database "postgres") as "publisher" with TLS verify-full: unable to verify the first certificate`,
      );
      expect(putInputs()).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the configuration", () => {
  it("fails on a bad environment before any AWS or database call", async () => {
    // GIVEN an environment with a bad port
    // WHEN the handler runs
    // THEN it rejects naming the variable, and neither Secrets Manager, ECS nor CloudWatch was called
    await expect(createHandler(h.deps({ env: env({ [PUBLISHER_ENV.dbPort]: "postgres" }) }))({}, h.context())).rejects.toThrow(
      'Invalid queue-depth publisher environment:\n- AIRFLOW_ECS_DB_PORT is "postgres"; expected an integer from 1 to 65535',
    );
    expect(secrets.calls()).toEqual([]);
    expect(ecs.calls()).toEqual([]);
    expect(cloudWatch.calls()).toEqual([]);
  });

  it("fails the invocation when CloudWatch refuses the datums", async () => {
    // GIVEN a CloudWatch that throttles
    cloudWatch.reset();
    cloudWatch.on(PutMetricDataCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));

    // WHEN the handler runs
    // THEN the invocation fails with the CloudWatch error and takes no further sample
    await expect(createHandler(h.deps({ env: env() }))({}, h.context())).rejects.toThrow(
      "PutMetricData to AirflowEcs/Queues failed: Throttling: Rate exceeded",
    );
    expect(putInputs()).toHaveLength(1);
  });
});

describe("the exported Lambda handler", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    jest.restoreAllMocks();
  });

  it("reads process.env, encrypts the connection and publishes through the SDK clients", async () => {
    // GIVEN the Lambda environment in process.env (one sample), a secret naming a role the server admits only over
    // TLS, and no Lambda CA bundle on this machine
    Object.assign(process.env, env({ [PUBLISHER_ENV.samplesPerInvocation]: "1" }), { AWS_REGION: "eu-west-1" });
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: TLS_ONLY_ROLE, password: "tls-only-password" }) });
    const lines: string[] = [];
    const record = (...args: unknown[]): void => void lines.push(String(args[0]));
    jest.spyOn(console, "info").mockImplementation(record);
    jest.spyOn(console, "warn").mockImplementation(record);
    jest.spyOn(console, "error").mockImplementation(record);

    // WHEN Lambda calls index.handler
    const result = await handler({}, { getRemainingTimeInMillis: () => 60_000 });

    // THEN it connected (so over TLS), read the desired counts through the mocked ECS client and published one sample
    // through the mocked CloudWatch client
    expect(result.samples).toBe(1);
    expect(describeInputs()).toEqual([{ cluster: CLUSTER, services: SERVICES }]);
    expect(putInputs()).toHaveLength(1);
    expect(putInputs()[0].Namespace).toBe("AirflowEcs/Queues");
    // AND it warned that, without /var/runtime/ca-cert.pem, TLS is encrypted but unverified
    expect(lines.map((l) => JSON.parse(l))).toContainEqual({
      level: "WARN",
      message: "CA bundle /var/runtime/ca-cert.pem is not readable: the database connection is encrypted but the server certificate is not verified",
    });
    expect(lines.map((l) => JSON.parse(l).message)).toContain("Published queue depth");
  });
});
