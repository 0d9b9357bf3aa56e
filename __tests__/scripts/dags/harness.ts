/**
 * What the deploy-dags tests share: mocked AWS clients (reset after each test), the delivery target the services
 * stack publishes, the tool run in-process with a fake clock, and DAG folders written to temporary directories.
 */
import { DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../../scripts/deploy-dags";
import { CliError } from "../../../scripts/lib/cli";
import { temporaryDirectory } from "../../support/temp";

export const s3 = mockClient(S3Client);
export const ssm = mockClient(SSMClient);
export const ecs = mockClient(ECSClient);

/** Call as `afterEach(resetMocks)`: every test starts with clients that answer nothing. */
export function resetMocks(): void {
  s3.reset();
  ssm.reset();
  ecs.reset();
}

export const NOW = new Date("2026-01-15T09:30:00.000Z");

/** What the services stack publishes for an environment (modules/dags/dag-delivery.ts). */
export function target(env: string) {
  return {
    environment: env,
    bucket: `airflow-${env}-dags-111111111111`,
    cluster: `airflow-${env}-cluster`,
    syncTaskDefinition: `airflow-${env}-dag-sync`,
    syncContainer: "dag-sync",
    subnets: ["subnet-a", "subnet-b"],
    securityGroups: ["sg-sync"],
    syncLogGroup: `/airflow/${env}/dag-sync`,
    syncLogStreamPrefix: "dag-sync",
  };
}
export const DEV = target("dev");
export const TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/airflow-dev-cluster/0123456789abcdef";
export const LOGS = "aws logs tail /airflow/dev/dag-sync --log-stream-names dag-sync/dag-sync/0123456789abcdef";

export function publishTarget(value: object | string, env = "dev") {
  ssm
    .on(GetParameterCommand, { Name: `/airflow/${env}/dag-delivery` })
    .resolves({ Parameter: { Value: typeof value === "string" ? value : JSON.stringify(value) } });
}

/** Runs the tool in-process with the mocked clients and a fake clock that each sleep advances. */
export async function run(argv: readonly string[]) {
  let stdout = "";
  const regions: string[] = [];
  const sleeps: number[] = [];
  let clock = NOW.getTime();
  const code = await main(
    argv,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t) },
    {
      clients: (region) => {
        regions.push(region);
        return { s3: new S3Client({ region }), ssm: new SSMClient({ region }), ecs: new ECSClient({ region }) };
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => new Date(clock),
    },
  );
  return { code, stdout, regions, sleeps };
}

/** Runs the tool expecting a user error; returns it. */
export async function failure(argv: readonly string[]): Promise<CliError> {
  const error = await run(argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CliError)) throw new Error(`${argv.join(" ")} did not fail with a CliError: ${String(error)}`);
  return error;
}

export const awsCalls = () => s3.calls().length + ssm.calls().length + ecs.calls().length;
export const inputs = <T>(mock: { commandCalls: (c: T) => { args: [{ input: unknown }] }[] }, command: T) =>
  mock.commandCalls(command).map((c) => c.args[0].input as any);

/** A temporary folder holding the given files: content, or content and mode. */
export function folder(files: Record<string, string | { content: string; mode: number }>): string {
  const dir = temporaryDirectory("deploy-dags-");
  for (const [rel, value] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof value === "string") fs.writeFileSync(file, value);
    else {
      fs.writeFileSync(file, value.content);
      fs.chmodSync(file, value.mode);
    }
  }
  return dir;
}

export const DAGS = {
  "hello.py": "from airflow.sdk import dag\n",
  "lib/util.py": "X = 1\n",
  "lib/__pycache__/util.cpython-312.pyc": "cache",
  "old.pyc": "cache",
  ".DS_Store": "finder",
  ".git/HEAD": "ref: refs/heads/main\n",
};

export function stoppedTask(exitCode: number | undefined, extra: Partial<Task> = {}): Task {
  return { taskArn: TASK_ARN, lastStatus: "STOPPED", containers: [{ name: "dag-sync", exitCode }], ...extra };
}

/** The sync task starts, runs once, then stops with `exitCode`. */
export function syncTaskRuns(exitCode = 0) {
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
  ecs
    .on(DescribeTasksCommand)
    .resolvesOnce({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] })
    .resolves({ tasks: [stoppedTask(exitCode)] });
}

export const s3Error = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message: name });
