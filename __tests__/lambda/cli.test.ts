import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PUBLISHER_ENV } from "../../modules/airflow/runtime-contract";
import { runCli, USAGE } from "../../lambda/queue-depth-publisher/cli";
import { bundle } from "../../scripts/build-lambda";
import { freePort, startPostgres, type PostgresServer } from "../support/postgres";
import { FakeAwsEndpoint } from "./fake-aws-endpoint";
import { createTaskInstanceTable, mapped, publisherEnv, resetTaskInstances, SECRET_ARN } from "./fixtures";
import { Harness } from "./harness";

/**
 * The command-line entry: argument handling and exit codes in-process, then the esbuild bundle of cli.ts run by
 * node in a child process with the real SDK against a loopback Secrets Manager / CloudWatch.
 */
const secrets = mockClient(SecretsManagerClient);
const cloudWatch = mockClient(CloudWatchClient);
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
  });
});

describe("one invocation in-process", () => {
  it("prints the requests instead of sending them with --dry-run, and exits 0", async () => {
    // GIVEN 3 queued heavy tasks and one sample per run
    await resetTaskInstances(server, mapped("train", "fit", 3, "queued", "ml", 20));

    // WHEN the CLI runs a dry run without TLS
    const run = await cli(["--dry-run", "--tls", "disable"], publisherEnv(server, { [PUBLISHER_ENV.samplesPerInvocation]: "1" }));

    // THEN stdout holds one PutMetricData request with the heavy pool's figures, and CloudWatch was not called
    expect(run.code).toBe(0);
    const requests = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(requests).toHaveLength(1);
    expect(requests[0].Namespace).toBe("AirflowEcs/Queues");
    expect(requests[0].MetricData.filter((d: { Dimensions: { Value: string }[] }) => d.Dimensions[1].Value === "heavy").map((d: { Value: number }) => d.Value)).toEqual([1, 3, 0, 20]);
    expect(cloudWatch.calls()).toEqual([]);
  });

  it("exits 1 naming host and port when the database is unreachable, having published nothing", async () => {
    // GIVEN a database port where nothing listens
    const port = await freePort();

    // WHEN the CLI runs
    const run = await cli(["--tls", "disable"], publisherEnv(server, { [PUBLISHER_ENV.dbPort]: String(port) }));

    // THEN it exits 1 with the connection error and made no PutMetricData call
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual([`queue-depth-publisher: Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "postgres") as "postgres" with TLS disable: connect ECONNREFUSED 127.0.0.1:${port}`]);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toEqual([]);
  });
});

describe("the bundled CLI in a child process", () => {
  let fake: FakeAwsEndpoint;
  beforeEach(async () => {
    fake = await FakeAwsEndpoint.start(JSON.stringify({ username: server.user, password: server.password }));
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("publishes through the real SDK and exits 0", async () => {
    // GIVEN 17 running default tasks (ceil(17/16) = 2 workers) and two samples with no pause between them
    await resetTaskInstances(server, mapped("etl", "load", 17, "running", "default"));
    const env = { ...publisherEnv(server, { [PUBLISHER_ENV.samplesPerInvocation]: "2", [PUBLISHER_ENV.sampleIntervalSeconds]: "0" }), ...fake.environment() };

    // WHEN node runs the bundle
    const run = await runBundle(["--tls", "disable"], env);

    // THEN it exits 0 after reading the secret once and sending one PutMetricData per sample
    expect({ code: run.code, failures: failureLines(run.stderr) }).toEqual({ code: 0, failures: [] });
    expect(fake.targets()).toEqual(["secretsmanager.GetSecretValue", "GraniteServiceVersion20100801.PutMetricData", "GraniteServiceVersion20100801.PutMetricData"]);
    expect(fake.calls[0].body).toEqual({ SecretId: SECRET_ARN });
    // AND the wire request carries the namespace, names, dimensions, values, units and 1-second resolution
    const body = fake.calls[1].body as { Namespace: string; MetricData: Record<string, unknown>[] };
    expect(body.Namespace).toBe("AirflowEcs/Queues");
    expect(body.MetricData.slice(0, 4).map(({ Timestamp, ...rest }) => [typeof Timestamp, rest])).toEqual(
      [
        ["DesiredWorkers", 2, "Count"],
        ["QueuedTasks", 0, "Count"],
        ["RunningTasks", 17, "Count"],
        ["OldestQueuedSeconds", 0, "Seconds"],
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

  it("exits 1 naming host and port when the database is unreachable, and sends no PutMetricData", async () => {
    // GIVEN a database port where nothing listens
    const port = await freePort();
    const env = { ...publisherEnv(server, { [PUBLISHER_ENV.dbPort]: String(port) }), ...fake.environment() };

    // WHEN node runs the bundle
    const run = await runBundle(["--tls", "disable"], env);

    // THEN it exits 1 with the connection error; the secret was read, CloudWatch never called
    expect(run.code).toBe(1);
    expect(failureLines(run.stderr)).toEqual([`queue-depth-publisher: Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "postgres") as "postgres" with TLS disable: connect ECONNREFUSED 127.0.0.1:${port}`]);
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
    expect(run.stderr).toContain("- AIRFLOW_ECS_POOLS is not set; expected a JSON array of {name, queues, concurrency, minCount, maxCount}\n");
    expect(fake.calls).toEqual([]);
  });
});
