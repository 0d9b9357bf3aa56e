import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PUBLISHER_ENV } from "../../runtime/lambda";
import { runCli, USAGE } from "../../lambda/queue-depth-publisher/cli";
import { bundle } from "../../scripts/build-lambda";
import { freePort, startPostgres, type PostgresServer } from "../support/postgres";
import { FakeAwsEndpoint } from "./fake-aws-endpoint";
import { CLUSTER, createTaskInstanceTable, currentCounts, mapped, POOLS, publisherEnv, resetTaskInstances, SECRET_ARN } from "./fixtures";
import { describeServicesAnswer, Harness } from "./harness";

/**
 * The command-line entry: argument handling and exit codes in-process, then the esbuild bundle of cli.ts run by
 * node in a child process with the real SDK against a loopback Secrets Manager / ECS / CloudWatch.
 */
const secrets = mockClient(SecretsManagerClient);
const cloudWatch = mockClient(CloudWatchClient);
const ecs = mockClient(ECSClient);
const SERVICES = POOLS.map((p) => p.service);
let server: PostgresServer;
let workDir: string;
let cliBundle: string;

beforeAll(async () => {
  server = await startPostgres();
  await createTaskInstanceTable(server);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "qdp-cli-"));
  cliBundle = path.join(workDir, "cli.js");
  fs.writeFileSync(cliBundle, await bundle("lambda/queue-depth-publisher/cli.ts"));
});

afterAll(async () => {
  await server?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  secrets.reset();
  cloudWatch.reset();
  ecs.reset();
  ecs.on(DescribeServicesCommand).callsFake(describeServicesAnswer(() => currentCounts()));
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: server.user, password: server.password }) });
  cloudWatch.on(PutMetricDataCommand).resolves({});
  await resetTaskInstances(server, []);
});

/** Runs runCli in-process, collecting its output. */
async function cli(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const h = new Harness();
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { ...h.deps({ env }), tls: undefined, log: undefined });
  return { code, stdout, stderr };
}

/** Runs the bundled CLI with node; resolves with its exit code and output. */
function runBundle(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv = Object.fromEntries(Object.entries({ PATH: process.env.PATH ?? "", ...env }).filter((e): e is [string, string] => e[1] !== undefined));
    const child = spawn(process.execPath, [cliBundle, ...argv], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const failureLines = (stderr: string): string[] => stderr.split("\n").filter((l) => l.startsWith("queue-depth-publisher: "));

describe("arguments", () => {
  it("prints the usage with --help and exits 0", async () => {
    // GIVEN --help
    // WHEN the CLI runs
    const run = await cli(["--help"], {});

    // THEN the usage is on stdout
    expect(run).toEqual({ code: 0, stdout: USAGE, stderr: "" });
  });

  it.each([
    [["--samples", "3"], 'unknown argument "--samples"'],
    [["--tls", "prefer"], '--tls is "prefer"; expected verify-full, require or disable'],
    [["--tls"], "--tls needs a value"],
    [["--budget-seconds", "0"], '--budget-seconds is "0"; expected an integer from 1 to 900'],
    [["--ca-file", "/etc/ssl/rds.pem", "--tls", "require"], "--ca-file needs --tls verify-full, not --tls require"],
    [["--ca-file", "/nonexistent/rds.pem"], "--ca-file /nonexistent/rds.pem is not readable: ENOENT: no such file or directory, open '/nonexistent/rds.pem'"],
  ])("exits 2 on %j, saying why and showing the usage", async (argv, reason) => {
    // GIVEN bad arguments
    // WHEN the CLI runs
    const run = await cli(argv, publisherEnv(server));

    // THEN it exits 2 with the reason and the usage on stderr, and touched nothing
    expect(run).toEqual({ code: 2, stdout: "", stderr: `queue-depth-publisher: ${reason}\n\n${USAGE}` });
    expect(secrets.calls()).toEqual([]);
    expect(ecs.calls()).toEqual([]);
  });
});

describe("one invocation in-process", () => {
  it("prints the requests instead of sending them with --dry-run, and exits 0", async () => {
    // GIVEN 3 queued heavy tasks and one sample per run
    await resetTaskInstances(server, mapped("train", "fit", 3, "queued", "ml", 20));

    // WHEN the CLI runs a dry run without TLS
    const run = await cli(["--dry-run", "--tls", "disable"], publisherEnv(server, { [PUBLISHER_ENV.samplesPerInvocation]: "1" }));

    // THEN stdout holds the sample's PutMetricData request with the heavy pool's figures (1 worker needed, 0 in the
    // service: 1 short), then the previous minute's outcomes (no failures), and CloudWatch was not called
    expect(run.code).toBe(0);
    const requests = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(requests).toHaveLength(2);
    expect(requests[1].MetricData.map((d: { MetricName: string; Value: number }) => [d.MetricName, d.Value])).toEqual([
      ["FailedTasks", 0],
      ["FailedTasks", 0],
      ["FailedTasks", 0],
    ]);
    expect(requests[0].Namespace).toBe("AirflowEcs/Queues");
    expect(
      requests[0].MetricData.filter((d: { Dimensions: { Value: string }[] }) => d.Dimensions[1].Value === "heavy").map(
        (d: { MetricName: string; Value: number }) => [d.MetricName, d.Value],
      ),
    ).toEqual([
      ["DesiredWorkers", 1],
      ["QueuedTasks", 3],
      ["RunningTasks", 0],
      ["OldestQueuedSeconds", 20],
      ["CurrentWorkers", 0],
      ["WorkerShortfall", 1],
      ["WorkerSurplus", 0],
    ]);
    expect(cloudWatch.calls()).toEqual([]);
    // AND the dry run still read the desired counts from ECS (read-only)
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, services: SERVICES }]);
  });

  it("exits 1 naming the cluster and the service when ECS does not know a pool's service, having published nothing", async () => {
    // GIVEN an ECS cluster without the adhoc service
    ecs.reset();
    ecs.on(DescribeServicesCommand).callsFake(describeServicesAnswer(() => new Map([...currentCounts()].filter(([s]) => s !== "airflow-prod-worker-adhoc"))));

    // WHEN the CLI runs
    const run = await cli(["--tls", "disable"], publisherEnv(server, { [PUBLISHER_ENV.samplesPerInvocation]: "1" }));

    // THEN it exits 1 with the ECS error and made no PutMetricData call
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual([
      "queue-depth-publisher: Cannot read the desired count of the worker services in ECS cluster airflow-prod: service airflow-prod-worker-adhoc: ECS reports MISSING",
    ]);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toEqual([]);
  });

  it("exits 1 naming host and port when the database is unreachable, having published nothing", async () => {
    // GIVEN a database port where nothing listens
    const port = await freePort();

    // WHEN the CLI runs
    const run = await cli(["--tls", "disable"], publisherEnv(server, { [PUBLISHER_ENV.dbPort]: String(port) }));

    // THEN it exits 1 with the connection error and made no PutMetricData call
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual([
      `queue-depth-publisher: Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "postgres") as "postgres" with TLS disable: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toEqual([]);
  });
});

describe("the bundled CLI in a child process", () => {
  let fake: FakeAwsEndpoint;
  beforeEach(async () => {
    fake = await FakeAwsEndpoint.start(JSON.stringify({ username: server.user, password: server.password }), {
      desiredCounts: { "airflow-prod-worker-default": 1, "airflow-prod-worker-heavy": 0, "airflow-prod-worker-adhoc": 0 },
    });
  });
  const DESCRIBE = "AmazonEC2ContainerServiceV20141113.DescribeServices";
  const PUT = "GraniteServiceVersion20100801.PutMetricData";
  afterEach(async () => {
    await fake.stop();
  });

  it("publishes through the real SDK and exits 0", async () => {
    // GIVEN 17 running default tasks (ceil(17/16) = 2 workers), a default service at 1 worker, and two samples with
    // no pause between them
    await resetTaskInstances(server, mapped("etl", "load", 17, "running", "default"));
    const env = { ...publisherEnv(server, { [PUBLISHER_ENV.samplesPerInvocation]: "2", [PUBLISHER_ENV.sampleIntervalSeconds]: "0" }), ...fake.environment() };

    // WHEN node runs the bundle
    const run = await runBundle(["--tls", "disable"], env);

    // THEN it exits 0 after reading the secret once, and per sample the desired counts then one PutMetricData (the
    // first sample followed by the previous minute's outcomes)
    expect({ code: run.code, failures: failureLines(run.stderr) }).toEqual({ code: 0, failures: [] });
    expect(fake.targets()).toEqual(["secretsmanager.GetSecretValue", DESCRIBE, PUT, PUT, DESCRIBE, PUT]);
    expect(fake.calls[0].body).toEqual({ SecretId: SECRET_ARN });
    // AND DescribeServices named the cluster and the three pool services
    expect(fake.calls[1].body).toEqual({
      cluster: "airflow-prod",
      services: ["airflow-prod-worker-default", "airflow-prod-worker-heavy", "airflow-prod-worker-adhoc"],
    });
    // AND the wire request carries the namespace, names, dimensions, values, units and 1-second resolution
    const body = fake.calls[2].body as { Namespace: string; MetricData: Record<string, unknown>[] };
    expect(body.Namespace).toBe("AirflowEcs/Queues");
    expect(body.MetricData).toHaveLength(21);
    expect(body.MetricData.slice(0, 7).map(({ Timestamp, ...rest }) => [typeof Timestamp, rest])).toEqual(
      [
        ["DesiredWorkers", 2, "Count"],
        ["QueuedTasks", 0, "Count"],
        ["RunningTasks", 17, "Count"],
        ["OldestQueuedSeconds", 0, "Seconds"],
        ["CurrentWorkers", 1, "Count"],
        ["WorkerShortfall", 1, "Count"],
        ["WorkerSurplus", 0, "Count"],
      ].map(([MetricName, Value, Unit]) => [
        "number",
        {
          MetricName,
          Dimensions: [
            { Name: "Environment", Value: "prod" },
            { Name: "Pool", Value: "default" },
          ],
          Value,
          Unit,
          StorageResolution: 1,
        },
      ]),
    );
  });

  it("prints the requests with --dry-run after reading ECS, and sends no PutMetricData", async () => {
    // GIVEN one sample, and a heavy service with 3 workers while nothing is queued
    fake.ecs.desiredCounts["airflow-prod-worker-heavy"] = 3;
    const env = { ...publisherEnv(server, { [PUBLISHER_ENV.samplesPerInvocation]: "1" }), ...fake.environment() };

    // WHEN node runs the bundle as a dry run
    const run = await runBundle(["--dry-run", "--tls", "disable"], env);

    // THEN it exits 0 having read the secret and ECS, and printed the request (heavy 3 over) instead of sending it
    expect({ code: run.code, failures: failureLines(run.stderr) }).toEqual({ code: 0, failures: [] });
    expect(fake.targets()).toEqual(["secretsmanager.GetSecretValue", DESCRIBE]);
    const [request, ...rest] = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { Namespace: string; MetricData: { MetricName: string; Dimensions: { Value: string }[]; Value: number }[] });
    expect(rest.map((r) => r.MetricData.map((d) => d.MetricName))).toEqual([["FailedTasks", "FailedTasks", "FailedTasks"]]);
    expect(
      request.MetricData.filter((d) => d.Dimensions[1].Value === "heavy" && d.MetricName.startsWith("Worker")).map((d) => [d.MetricName, d.Value]),
    ).toEqual([
      ["WorkerShortfall", 0],
      ["WorkerSurplus", 3],
    ]);
  });

  it("exits 1 naming the cluster and the missing service, and sends no PutMetricData", async () => {
    // GIVEN a cluster where the heavy service does not exist
    delete fake.ecs.desiredCounts["airflow-prod-worker-heavy"];
    const env = { ...publisherEnv(server), ...fake.environment() };

    // WHEN node runs the bundle
    const run = await runBundle(["--tls", "disable"], env);

    // THEN it exits 1 with ECS's reason for that service; CloudWatch was never called
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual([
      "queue-depth-publisher: Cannot read the desired count of the worker services in ECS cluster airflow-prod: service airflow-prod-worker-heavy: ECS reports MISSING",
    ]);
    expect(fake.targets()).toEqual(["secretsmanager.GetSecretValue", DESCRIBE]);
  });

  it("exits 1 when ECS throttles, after the client's one retry, and sends no PutMetricData", async () => {
    // GIVEN an ECS that throttles every DescribeServices call
    fake.ecs.error = { type: "ThrottlingException", message: "Rate exceeded" };
    const env = { ...publisherEnv(server), ...fake.environment() };

    // WHEN node runs the bundle
    const run = await runBundle(["--tls", "disable"], env);

    // THEN it exits 1 naming the cluster, the services and the API error, having tried twice (maxAttempts 2)
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual([
      "queue-depth-publisher: Cannot read the desired count of the worker services in ECS cluster airflow-prod: " +
        "DescribeServices of airflow-prod-worker-default, airflow-prod-worker-heavy, airflow-prod-worker-adhoc failed: ThrottlingException: Rate exceeded",
    ]);
    expect(fake.targets()).toEqual(["secretsmanager.GetSecretValue", DESCRIBE, DESCRIBE]);
  });

  it("exits 1 naming host and port when the database is unreachable, and sends no PutMetricData", async () => {
    // GIVEN a database port where nothing listens
    const port = await freePort();
    const env = { ...publisherEnv(server, { [PUBLISHER_ENV.dbPort]: String(port) }), ...fake.environment() };

    // WHEN node runs the bundle
    const run = await runBundle(["--tls", "disable"], env);

    // THEN it exits 1 with the connection error; the secret was read, CloudWatch never called
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual([
      `queue-depth-publisher: Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "postgres") as "postgres" with TLS disable: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
    expect(fake.targets()).toEqual(["secretsmanager.GetSecretValue"]);
  });

  it("exits 1 on a bad environment, naming the variable, before any AWS call", async () => {
    // GIVEN an environment without the pools
    const env = { ...publisherEnv(server, { [PUBLISHER_ENV.pools]: undefined }), ...fake.environment() };

    // WHEN node runs the bundle
    const run = await runBundle([], env);

    // THEN it exits 1 and says what is missing
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual(["queue-depth-publisher: Invalid queue-depth publisher environment:"]);
    expect(run.stderr).toContain("- AIRFLOW_ECS_POOLS is not set; expected a JSON array of {name, service, queues, concurrency, minCount, maxCount}\n");
    expect(fake.calls).toEqual([]);
  });
});
