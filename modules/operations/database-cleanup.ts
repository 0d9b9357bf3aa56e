import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Construct } from "constructs";
import type { DatabaseCleanupConfig } from "../../config/schema";
import { RUNTIME_ENV } from "../../runtime/airflow-image";
import { AirflowTask, type AirflowTaskProps } from "../airflow/airflow-task";
import { DB_CLEAN_TASK } from "../airflow/components";
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import type { AlarmTopic } from "./alarm-topic";
import { deadLetterAlarm, PlatformAlarms, type AlarmSpec } from "./platform-alarms";

/** How often EventBridge Scheduler retries a RunTask it could not make, and for how long, before dead-lettering it. */
export const DB_CLEAN_SCHEDULE_RETRIES = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } as const;

export interface DatabaseCleanupProps {
  /** Names of the environment: task family, schedule, dead-letter queue, rule, alarm and log group. */
  readonly naming: Naming;
  /** ARNs of the environment's account and region (the rule's task-definition pattern). */
  readonly arns: ArnBuilder;
  /** Retention, archive choice, batch size, timeout, schedule and whether it runs (`storage.database.cleanup`). */
  readonly config: DatabaseCleanupConfig;
  /** The task definition's image, runtime (database connection), roles and log settings. */
  readonly task: Pick<AirflowTaskProps, "image" | "runtime" | "executionRoleArn" | "taskRoleArn" | "logRetentionDays" | "logsKmsKeyArn">;
  /** The cluster the task runs in, and its private subnets and security group. */
  readonly cluster: { readonly arn: string; readonly subnetIds: string[]; readonly securityGroupId: string };
  /** Role EventBridge Scheduler starts the task with (the IAM stack's `db_clean_scheduler_role_arn`). */
  readonly schedulerRoleArn: string;
  /** The environment's topic: a failed run is notified there (its policy lets the environment's rules publish). */
  readonly topic: AlarmTopic;
}

/** The alarm on the schedule's dead-letter queue: EventBridge Scheduler could not start the task, even after retries. */
export function dbCleanScheduleAlarms(deadLetterQueue: string): AlarmSpec[] {
  return [
    deadLetterAlarm(
      "db-clean-not-started",
      `db clean: EventBridge Scheduler could not start the task (RunTask failed after retries; the request is in ${deadLetterQueue})`,
      deadLetterQueue,
    ),
  ];
}

/**
 * The EventBridge pattern of a failed run: a task of the family that stopped with a non-zero container exit (the
 * clean failed or was cut off, or migrations were not applied) or that never started (image, capacity, network).
 */
export function failedRunPattern(clusterArn: string, taskDefinitionPrefix: string): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [clusterArn],
      lastStatus: ["STOPPED"],
      taskDefinitionArn: [{ prefix: taskDefinitionPrefix }],
      $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
    },
  };
}

/**
 * Metadata database hygiene: a task definition running `airflow db clean` (the image's db-clean.sh: retention,
 * archive choice and batch size from config, a PostgreSQL lock so runs never overlap, a timeout), started by an
 * EventBridge Scheduler schedule with few retries and a dead-letter queue. A failed run notifies the environment's
 * topic (an EventBridge rule on the task's STOPPED event); a run the scheduler could not start raises an alarm.
 */
export class DatabaseCleanup extends Construct {
  /** The `airflow db clean` task definition and its log group. */
  readonly task: AirflowTask;
  /** The schedule starting it. */
  readonly schedule: SchedulerSchedule;
  /** RunTask requests the scheduler could not make. */
  readonly deadLetterQueue: SqsQueue;
  /** Matches a failed run and notifies the topic. */
  readonly failureRule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: DatabaseCleanupProps) {
    super(scope, id);
    const { naming, config, cluster } = props;
    const names = naming.dbClean;

    this.task = new AirflowTask(this, "task", {
      ...DB_CLEAN_TASK,
      ...props.task,
      family: names.family,
      logGroupName: naming.logGroup("db-clean"),
      extraEnvironment: {
        [RUNTIME_ENV.dbCleanRetentionDays]: String(config.retentionDays),
        [RUNTIME_ENV.dbCleanArchive]: config.archive,
        [RUNTIME_ENV.dbCleanBatchSize]: String(config.batchSize),
        [RUNTIME_ENV.dbCleanTimeoutMinutes]: String(config.timeoutMinutes),
      },
    });

    this.deadLetterQueue = new SqsQueue(this, "dead-letters", {
      name: names.deadLetterQueue,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    this.schedule = new SchedulerSchedule(this, "schedule", {
      name: names.schedule,
      description: `airflow db clean of ${naming.base}: rows older than ${config.retentionDays} days`,
      scheduleExpression: config.schedule,
      scheduleExpressionTimezone: "UTC",
      state: config.enabled ? "ENABLED" : "DISABLED",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: cluster.arn,
        roleArn: props.schedulerRoleArn,
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
        retryPolicy: { ...DB_CLEAN_SCHEDULE_RETRIES },
        ecsParameters: {
          taskDefinitionArn: this.task.taskDefinitionArn,
          launchType: DB_CLEAN_TASK.compatibility,
          taskCount: 1,
          networkConfiguration: { subnets: cluster.subnetIds, securityGroups: [cluster.securityGroupId], assignPublicIp: false },
        },
      },
    });

    this.failureRule = new CloudwatchEventRule(this, "failed-run", {
      name: `${names.family}-failed`,
      description: `A db-clean task of ${naming.base} stopped without cleaning`,
      eventPattern: JSON.stringify(failedRunPattern(cluster.arn, props.arns.of("ecs", `task-definition/${names.family}:`))),
    });
    new CloudwatchEventTarget(this, "notify-failed-run", {
      rule: this.failureRule.name,
      arn: props.topic.arn,
      inputTransformer: {
        inputPaths: { task: "$.detail.taskArn", stopCode: "$.detail.stopCode", reason: "$.detail.stoppedReason" },
        inputTemplate: `"The db-clean task <task> of ${naming.base} stopped without cleaning the metadata database (<stopCode>: <reason>). Its logs: aws logs tail ${naming.logGroup("db-clean")} --since 1d"`,
      },
      // EventBridge does not check the topic policy; a failure matched before it exists would be lost.
      dependsOn: [props.topic.policy],
    });

    new PlatformAlarms(this, "alarms", { name: naming.base, specs: dbCleanScheduleAlarms(names.deadLetterQueue), notificationTopicArn: props.topic.arn });
  }
}
