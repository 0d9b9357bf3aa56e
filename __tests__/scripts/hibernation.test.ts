import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS_DIR } from "../../config/load";
import { main as hibernate } from "../../scripts/hibernate";
import { stateMachineArn } from "../../scripts/hibernation/command";
import { CliError } from "../../scripts/lib/cli";
import { main as wake } from "../../scripts/wake";
import { repoEnvironment } from "../support/synth";
import { temporaryDirectory } from "../support/temp";

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const ARN = "arn:aws:states:eu-west-1:111111111111:stateMachine:airflow-dev-hibernation";
const EXECUTION = `${ARN.replace(":stateMachine:", ":execution:")}:wake-by-hand-2026-01-15T09-30-00-000Z`;
const NOW = new Date("2026-01-15T09:30:00.000Z");

/** Runs a command in-process with the mocked client and a clock each sleep advances. */
async function run(command: typeof hibernate, argv: string[], environmentsDir?: string) {
  let stdout = "";
  const regions: string[] = [];
  const sleeps: number[] = [];
  let clock = NOW.getTime();
  const code = await command(
    argv,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t) },
    {
      client: (region) => {
        regions.push(region);
        return new SFNClient({ region, credentials: { accessKeyId: "x", secretAccessKey: "y" } });
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => new Date(clock),
      environmentsDir,
    },
  );
  return { code, stdout, regions, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("did not fail");
}

describe("npm run hibernate / npm run wake", () => {
  it("names the environment's state machine from its naming, in its account and region", () => {
    expect(stateMachineArn(repoEnvironment("dev"))).toBe(ARN);
  });

  it("wake: starts the state machine with the action and follows it until it succeeds", async () => {
    // GIVEN an execution that runs twice, then succeeds
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: "RUNNING" }).resolvesOnce({ status: "RUNNING" }).resolves({ status: "SUCCEEDED" });
    // WHEN woken
    const result = await run(wake, ["--env", "dev"]);
    // THEN the same state machine the schedules start gets {"action":"wake"} under a readable name
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: ARN, name: "wake-by-hand-2026-01-15T09-30-00-000Z", input: '{"action":"wake"}' },
    ]);
    expect(result).toMatchObject({ code: 0, regions: ["eu-west-1"], sleeps: [15_000, 15_000] });
    expect(result.stdout).toBe(`started wake of dev: ${EXECUTION}\ndev: wake done: awake (${EXECUTION})\n`);
  });

  it("hibernate --no-wait: starts and returns", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:execution" });
    const result = await run(hibernate, ["--env", "dev", "--no-wait"]);
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input).toBe('{"action":"hibernate"}');
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect([result.code, result.stdout]).toEqual([0, "started hibernate of dev: arn:execution\n"]);
  });

  it("fails with the execution's error and cause when it does not succeed", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:execution" });
    sfn.on(DescribeExecutionCommand).resolves({ status: "FAILED", error: "WakeUpFailed", cause: "A wake-up step failed" });
    const error = await failure(run(wake, ["--env", "dev"]));
    expect(error.message).toBe("wake of dev ended FAILED: WakeUpFailed (A wake-up step failed); see the execution's history: arn:execution");
  });

  it("stops following after --timeout-minutes, saying the execution carries on", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:execution" });
    sfn.on(DescribeExecutionCommand).resolves({ status: "RUNNING" });
    const error = await failure(run(hibernate, ["--env", "dev", "--timeout-minutes", "1"]));
    expect(error.message).toBe("hibernate of dev is still running after 1 minutes; it carries on: arn:execution");
  });

  it("refuses an environment without hibernation, before any AWS call", async () => {
    const error = await failure(run(wake, ["--env", "prod"]));
    expect(error.message).toBe(
      'environment "prod" has no hibernation configured, so it has no hibernation state machine; add "hibernation" to config/environments/prod.json (non-production only) and deploy it first',
    );
    expect(sfn.calls()).toHaveLength(0);
  });

  it("refuses missing, unknown and malformed arguments with the usage", async () => {
    expect((await failure(run(wake, []))).message).toMatch(/^--env <env> is required\n\nusage: npm run wake -- --env <env>/);
    expect((await failure(run(hibernate, ["--env", "nope"]))).message).toMatch(
      /^unknown environment "nope"; available environments: dev, prod, test, uat\n\nusage: npm run hibernate/,
    );
    const timeout = await failure(run(wake, ["--env", "dev", "--timeout-minutes", "0"]));
    expect([timeout.exitCode, timeout.message.split("\n")[0]]).toEqual([2, '--timeout-minutes is "0"; expected 1-240']);
  });

  it("reads environments from --environments-dir", async () => {
    const dir = temporaryDirectory("hibernation-envs-");
    const dev = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify({ ...dev, account: { ...dev.account, id: "222222222222" } }));
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:execution" });
    await run(hibernate, ["--env", "dev", "--no-wait", "--environments-dir", dir]);
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(ARN.replace("111111111111", "222222222222"));
  });
});
