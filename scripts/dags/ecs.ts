/**
 * The one-off DAG sync task (docker/config/airflow_ecs/dag_sync.py) that unpacks an EFS release and switches the
 * bundle's `current` link: started with RunTask, then polled with DescribeTasks until it stops or the wait ends.
 */
import { DescribeTasksCommand, RunTaskCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { RUNTIME_ENV } from "../../runtime/airflow-image";
import type { DagDeliveryTarget } from "../../modules/dags/dag-delivery";
import { CliError } from "../lib/cli";
import type { DeployDependencies } from "./dependencies";
import { aws } from "./errors";

/** Seconds between two DescribeTasks while waiting for the sync task. */
export const POLL_SECONDS = 5;
export const STARTED_BY = "deploy-dags";

/** What the sync task's exit codes mean (docker/config/airflow_ecs/dag_sync.py). */
export const SYNC_EXIT_CODES: Readonly<Record<number, string>> = {
  64: "configuration error: the task's bundle, version or environment is invalid",
  65: "bad archive, or the version already exists on EFS with different content (versions are immutable)",
  66: "the release is missing in S3",
};

export interface SyncRequest {
  readonly environment: string;
  readonly bundle: string;
  readonly version: string;
  /** False: return once the task started (--no-wait). */
  readonly wait: boolean;
  readonly timeoutMinutes: number;
}

/** Runs the sync task for one release and, unless told not to wait, fails unless it exits 0. */
export async function syncRelease(target: DagDeliveryTarget, request: SyncRequest, deps: DeployDependencies): Promise<void> {
  const { bundle, version } = request;
  const taskArn = await runSyncTask(target, bundle, version, deps.clients.ecs);
  const taskId = taskArn.slice(taskArn.lastIndexOf("/") + 1);
  const logs = `aws logs tail ${target.syncLogGroup} --log-stream-names ${target.syncLogStreamPrefix}/${target.syncContainer}/${taskId}`;
  if (!request.wait) {
    deps.out.stdout(`started sync task ${taskArn} for bundle ${bundle} version ${version}; not waiting (--no-wait). Its logs: ${logs}\n`);
    return;
  }
  deps.out.stdout(`started sync task ${taskArn}; waiting up to ${request.timeoutMinutes} minutes\n`);
  const task = await waitForTask(target, taskArn, request.timeoutMinutes, deps, logs);
  const container = task.containers?.find((c) => c.name === target.syncContainer);
  const exitCode = container?.exitCode;
  if (exitCode === 0) {
    deps.out.stdout(`deployed bundle ${bundle} version ${version} to ${request.environment} (sync task ${taskId})\n`);
    return;
  }
  if (exitCode === undefined || exitCode === null) {
    const reason = [container?.reason, task.stoppedReason].filter(Boolean).join("; ") || "no reason given";
    throw new CliError(`the sync task ${taskId} stopped without an exit code (${reason}); bundle ${bundle} was not switched to ${version}. Its logs: ${logs}`);
  }
  const meaning = SYNC_EXIT_CODES[exitCode] ?? "unexpected failure";
  throw new CliError(
    `the sync task ${taskId} failed with exit code ${exitCode} (${meaning}); bundle ${bundle} was not switched to ${version}. Its logs: ${logs}`,
  );
}

async function runSyncTask(target: DagDeliveryTarget, bundle: string, version: string, ecs: ECSClient): Promise<string> {
  const started = await aws("ECS RunTask", () =>
    ecs.send(
      new RunTaskCommand({
        cluster: target.cluster,
        taskDefinition: target.syncTaskDefinition,
        launchType: "FARGATE",
        count: 1,
        startedBy: STARTED_BY,
        networkConfiguration: { awsvpcConfiguration: { subnets: [...target.subnets], securityGroups: [...target.securityGroups], assignPublicIp: "DISABLED" } },
        overrides: {
          containerOverrides: [
            {
              name: target.syncContainer,
              environment: [
                { name: RUNTIME_ENV.dagSyncBundle, value: bundle },
                { name: RUNTIME_ENV.dagSyncVersion, value: version },
              ],
            },
          ],
        },
      }),
    ),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if ((started.failures?.length ?? 0) > 0 || !taskArn) {
    const reasons = (started.failures ?? []).map((f) => [f.reason, f.detail, f.arn].filter(Boolean).join(" ")).join("; ") || "no task returned";
    throw new CliError(`the sync task did not start: ${reasons}`);
  }
  return taskArn;
}

async function waitForTask(target: DagDeliveryTarget, taskArn: string, timeoutMinutes: number, deps: DeployDependencies, logs: string): Promise<Task> {
  const deadline = deps.now().getTime() + timeoutMinutes * 60_000;
  for (;;) {
    const described = await aws("ECS DescribeTasks", () => deps.clients.ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: [taskArn] })));
    const task = described.tasks?.find((t) => t.taskArn === taskArn);
    if (task?.lastStatus === "STOPPED") return task;
    if (deps.now().getTime() >= deadline) {
      throw new CliError(
        `the sync task ${taskArn} did not stop within ${timeoutMinutes} minutes (last status ${task?.lastStatus ?? "unknown"}); it keeps running. Its logs: ${logs}`,
      );
    }
    await deps.sleep(POLL_SECONDS * 1000);
  }
}
