import { DescribeTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { DEV, ecs, failure, LOGS, publishTarget, resetMocks, run, s3, stoppedTask, syncTaskRuns, TASK_ARN } from "./harness";

afterEach(resetMocks);

describe("the DAG sync task of an EFS bundle", () => {
  it("reports why the sync task did not start", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:ENI", arn: "arn:aws:ecs:eu-west-1:111111111111:container-instance/x" }] });
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect([error.exitCode, error.message]).toEqual([1, "the sync task did not start: RESOURCE:ENI arn:aws:ecs:eu-west-1:111111111111:container-instance/x"]);
  });

  it.each([
    [64, "configuration error: the task's bundle, version or environment is invalid"],
    [65, "bad archive, or the version already exists on EFS with different content (versions are immutable)"],
    [66, "the release is missing in S3"],
    [1, "unexpected failure"],
  ])("fails with the meaning of exit code %i and how to read the logs", async (exitCode, meaning) => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    syncTaskRuns(exitCode);
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      `the sync task 0123456789abcdef failed with exit code ${exitCode} (${meaning}); bundle dags was not switched to v1. Its logs: ${LOGS}`,
    ]);
  });

  it("reports a task that stopped before its container ran", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask(undefined, { stoppedReason: "CannotPullContainerError: pull access denied" })] });
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect(error.message).toBe(
      `the sync task 0123456789abcdef stopped without an exit code (CannotPullContainerError: pull access denied); bundle dags was not switched to v1. Its logs: ${LOGS}`,
    );
  });

  it("gives up after --timeout-minutes, saying the task keeps running", async () => {
    // GIVEN a sync task that never stops
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] });
    // WHEN waiting at most 1 minute
    const error = await failure(["--env", "dev", "--version", "v1", "--timeout-minutes", "1"]);
    // THEN it polled every 5 s for a minute and stopped waiting (not the task)
    expect(error.message).toBe(`the sync task ${TASK_ARN} did not stop within 1 minutes (last status RUNNING); it keeps running. Its logs: ${LOGS}`);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(13);
  });

  it("returns after starting the task with --no-wait", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const result = await run(["--env", "dev", "--version", "v1", "--no-wait"]);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(result.stdout).toContain(`started sync task ${TASK_ARN} for bundle dags version v1; not waiting (--no-wait). Its logs: ${LOGS}\n`);
  });
});
