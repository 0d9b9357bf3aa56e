import { TerraformStack, Testing } from "cdktf";
import type { DatabaseCleanupConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { Naming } from "../../../modules/core/naming";
import { AlarmTopic } from "../../../modules/operations/alarm-topic";
import { DB_CLEAN_SCHEDULE_RETRIES, DatabaseCleanup, failedRunPattern } from "../../../modules/operations/database-cleanup";
import { orderEventTarget } from "../../../modules/rule-pack/rules/ordering/event-target";
import { orderLogGroupFirst } from "../../../modules/rule-pack/rules/ordering/log-group-first";
import { testRuntime } from "../airflow/service-fixtures";
import { evaluate } from "../rule-pack/support";

const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });
const naming = new Naming("airflow", "dev", "111111111111");
const CLEANUP: DatabaseCleanupConfig = {
  enabled: true,
  retentionDays: 30,
  schedule: "cron(45 4 * * ? *)",
  archive: "none",
  batchSize: 10000,
  timeoutMinutes: 240,
};
const CLUSTER = "arn:aws:ecs:eu-west-1:111111111111:cluster/airflow-dev-cluster";

function build(config: DatabaseCleanupConfig = CLEANUP) {
  const stack = new TerraformStack(Testing.app(), "fixture");
  const topic = new AlarmTopic(stack, "topic", { name: naming.alarmTopic, rulePrefix: "airflow-dev-", arns });
  new DatabaseCleanup(stack, "db-clean", {
    naming,
    arns,
    config,
    task: {
      image: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/airflow-dev-airflow:3.1.5-1",
      runtime: testRuntime,
      executionRoleArn: "arn:execution",
      taskRoleArn: "arn:db-clean-task",
      logRetentionDays: 30,
      logsKmsKeyArn: "arn:logs-key",
    },
    cluster: { arn: CLUSTER, subnetIds: ["subnet-a", "subnet-b"], securityGroupId: "sg-services" },
    schedulerRoleArn: "arn:scheduler-role",
    topic,
  });
  stack.prepareStack();
  const json = JSON.parse(Testing.synth(stack));
  const all = (type: string) => Object.values(json.resource[type] ?? {}) as Record<string, any>[];
  return { stack, json, all };
}

describe("DatabaseCleanup", () => {
  const { stack, all } = build();

  it("runs `db clean` as the db-clean component on Fargate, with the retention, archive, batch and timeout of config", () => {
    const task = all("aws_ecs_task_definition")[0];
    expect(task).toMatchObject({ family: "airflow-dev-db-clean", task_role_arn: "arn:db-clean-task", requires_compatibilities: ["FARGATE"] });
    const containers = JSON.parse(task.container_definitions) as Record<string, any>[];
    // the clean waits for applied migrations: it never runs against a schema its image does not know
    expect(containers.map((c) => c.name)).toEqual(["wait-for-migrations", "db-clean"]);
    const main = containers[1];
    expect(main.command).toEqual(["db", "clean"]);
    expect(Object.fromEntries(main.environment.map((e: any) => [e.name, e.value]))).toMatchObject({
      AIRFLOW_ECS_COMPONENT: "db-clean",
      AIRFLOW_ECS_DB_CLEAN_RETENTION_DAYS: "30",
      AIRFLOW_ECS_DB_CLEAN_ARCHIVE: "none",
      AIRFLOW_ECS_DB_CLEAN_BATCH_SIZE: "10000",
      AIRFLOW_ECS_DB_CLEAN_TIMEOUT_MINUTES: "240",
    });
    expect(main.logConfiguration.options["awslogs-group"]).toBe("/airflow/dev/db-clean");
  });

  it("is started by EventBridge Scheduler with its role, in the private subnets, with few retries and a dead-letter queue", () => {
    const schedule = all("aws_scheduler_schedule")[0];
    expect(schedule).toMatchObject({
      name: "airflow-dev-db-clean",
      schedule_expression: "cron(45 4 * * ? *)",
      schedule_expression_timezone: "UTC",
      state: "ENABLED",
      flexible_time_window: { mode: "OFF" },
      target: {
        arn: CLUSTER,
        role_arn: "arn:scheduler-role",
        retry_policy: { maximum_retry_attempts: DB_CLEAN_SCHEDULE_RETRIES.maximumRetryAttempts, maximum_event_age_in_seconds: 3600 },
        ecs_parameters: {
          launch_type: "FARGATE",
          task_count: 1,
          task_definition_arn: expect.stringContaining("aws_ecs_task_definition."),
          network_configuration: { subnets: ["subnet-a", "subnet-b"], security_groups: ["sg-services"], assign_public_ip: false },
        },
      },
    });
    expect(schedule.target.dead_letter_config.arn).toContain("aws_sqs_queue.");
    expect(all("aws_sqs_queue")[0]).toMatchObject({ name: "airflow-dev-db-clean-dlq", sqs_managed_sse_enabled: true });
    // the scheduler's retries are few: a failed RunTask is dead-lettered within the hour, and the alarm says so
    expect(all("aws_cloudwatch_metric_alarm")[0]).toMatchObject({
      alarm_name: "airflow-dev-db-clean-not-started",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "airflow-dev-db-clean-dlq" },
      threshold: 1,
    });
  });

  it("keeps the task but stops the schedule when cleanup is disabled", () => {
    const disabled = build({ ...CLEANUP, enabled: false });
    expect(disabled.all("aws_scheduler_schedule")[0].state).toBe("DISABLED");
    expect(disabled.all("aws_ecs_task_definition")).toHaveLength(1);
  });

  it("notifies the topic, after its policy exists, when a run stops with a non-zero exit or never starts", () => {
    const rule = all("aws_cloudwatch_event_rule")[0];
    expect(rule.name).toBe("airflow-dev-db-clean-failed");
    expect(JSON.parse(rule.event_pattern)).toEqual(failedRunPattern(CLUSTER, "arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-db-clean:"));
    expect(JSON.parse(rule.event_pattern).detail.$or).toEqual([{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }]);
    const target = all("aws_cloudwatch_event_target")[0];
    expect(target.arn).toContain("aws_sns_topic.");
    expect(target.depends_on).toEqual([expect.stringContaining("aws_sns_topic_policy.")]);
    expect(target.input_transformer.input_template).toBe(
      '"The db-clean task <task> of airflow-dev stopped without cleaning the metadata database (<stopCode>: <reason>). Its logs: aws logs tail /airflow/dev/db-clean --since 1d"',
    );
    // the rule pack's ordering rules agree: the target waits for the topic policy, the task for its log group
    expect([...evaluate(orderEventTarget, stack), ...evaluate(orderLogGroupFirst, stack)]).toEqual([]);
  });
});
