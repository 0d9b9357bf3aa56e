/** The one-off migration task: started with ECS RunTask, polled with DescribeTasks until it stops or the wait ends. */
import { DescribeTasksCommand, RunTaskCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { aws } from "../dags/errors";
import type { SnapshotClock } from "./snapshots";

/** Seconds between two DescribeTasks while waiting for the migration. */
export const TASK_POLL_SECONDS = 10;

/** Where the compute stack's migration task runs (its outputs). */
export interface MigrationTaskTarget {
  readonly cluster: string;
  readonly taskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
}

/** How a started migration task ended. */
export type MigrationTaskResult =
  | { readonly kind: "succeeded"; readonly taskArn: string }
  | { readonly kind: "failed"; readonly taskArn: string; readonly exitCode?: number; readonly containerReason?: string; readonly stoppedReason?: string }
  | { readonly kind: "timed-out"; readonly taskArn: string; readonly lastStatus?: string }
  | { readonly kind: "not-started"; readonly reasons: string };

/** Runs the migration task and waits for it; a container exit code 0 of the `migrate` container is success. */
export async function runMigrationTask(
  ecs: ECSClient,
  target: MigrationTaskTarget,
  timeoutMinutes: number,
  clock: SnapshotClock,
  log: (line: string) => void,
): Promise<MigrationTaskResult> {
  const started = await aws("ECS RunTask", () =>
    ecs.send(
      new RunTaskCommand({
        cluster: target.cluster,
        taskDefinition: target.taskDefinitionArn,
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [...target.subnetIds], securityGroups: [target.securityGroupId], assignPublicIp: "DISABLED" },
        },
        startedBy: "npm-run-migrate",
        count: 1,
      }),
    ),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if ((started.failures?.length ?? 0) > 0 || !taskArn) {
    return { kind: "not-started", reasons: (started.failures ?? []).map((f) => f.reason).join("; ") || "no task returned" };
  }
  log(`started ${taskArn}; waiting up to ${timeoutMinutes} minutes`);
  const deadline = clock.now().getTime() + timeoutMinutes * 60_000;
  for (;;) {
    const described = await aws("ECS DescribeTasks", () => ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: [taskArn] })));
    const task: Task | undefined = described.tasks?.[0];
    if (task?.lastStatus === "STOPPED") {
      const container = task.containers?.find((c) => c.name === "migrate");
      if (container?.exitCode === 0) return { kind: "succeeded", taskArn };
      return { kind: "failed", taskArn, exitCode: container?.exitCode, containerReason: container?.reason, stoppedReason: task.stoppedReason };
    }
    if (clock.now().getTime() > deadline) return { kind: "timed-out", taskArn, lastStatus: task?.lastStatus };
    await clock.sleep(TASK_POLL_SECONDS * 1000);
  }
}
