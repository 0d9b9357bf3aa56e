import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { ArnBuilder } from "../../../../modules/core/arn";
import { AlarmTopic } from "../../../../modules/operations/alarm-topic";
import { alarmActionsEnabled } from "../../../../modules/rule-pack/rules/messaging/alarm-actions-enabled";
import { snsEncrypted } from "../../../../modules/rule-pack/rules/messaging/sns-encrypted";
import { sqsEncrypted } from "../../../../modules/rule-pack/rules/messaging/sqs-encrypted";
import { check } from "../support";

const alarm: CloudwatchMetricAlarmConfig = {
  alarmName: "scheduler-down",
  comparisonOperator: "LessThanThreshold",
  evaluationPeriods: 1,
  metricName: "RunningTaskCount",
  namespace: "ECS/ContainerInsights",
  period: 60,
  statistic: "Minimum",
  threshold: 1,
  alarmActions: ["arn:aws:sns:eu-west-1:111111111111:alarms"],
};

describe("CKV_AWS_27 SQS queues encrypted", () => {
  test("Noncompliance 1: no encryption settings", () => {
    // GIVEN a queue without SSE
    // THEN it is reported
    expect(check(sqsEncrypted, (stack) => new SqsQueue(stack, "dlq", { name: "dlq" }))).toEqual([
      { rule: "CKV_AWS_27", address: "aws_sqs_queue.dlq", message: "neither sqs_managed_sse_enabled nor kms_master_key_id is set" },
    ]);
  });

  test("Compliance 1: SSE-SQS or a KMS key", () => {
    // GIVEN one queue of each kind
    const findings = check(sqsEncrypted, (stack) => {
      new SqsQueue(stack, "managed", { name: "a", sqsManagedSseEnabled: true });
      new SqsQueue(stack, "kms", { name: "b", kmsMasterKeyId: "alias/airflow-dev-data" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_26 SNS topics encrypted with KMS", () => {
  test("Noncompliance 1: an unencrypted topic", () => {
    // GIVEN a topic without kms_master_key_id
    // THEN it is reported
    expect(check(snsEncrypted, (stack) => new SnsTopic(stack, "topic", { name: "alarms" }))).toEqual([
      { rule: "CKV_AWS_26", address: "aws_sns_topic.topic", message: "kms_master_key_id is not set" },
    ]);
  });

  test("Compliance 1: AlarmTopic with its own key", () => {
    // GIVEN the operations module's alarm topic
    const findings = check(
      snsEncrypted,
      (stack) =>
        new AlarmTopic(stack, "alarms", {
          name: "airflow-dev-alarms",
          rulePrefix: "airflow-dev-",
          arns: new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } }),
        }),
    );
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_319 alarm actions enabled", () => {
  test("Noncompliance 1: actions disabled", () => {
    // GIVEN an alarm with actions_enabled = false
    const findings = check(alarmActionsEnabled, (stack) => new CloudwatchMetricAlarm(stack, "alarm", { ...alarm, actionsEnabled: false }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_319", address: "aws_cloudwatch_metric_alarm.alarm", message: "actions_enabled is false; alarms must notify" }]);
  });

  test("Compliance 1: enabled explicitly or by default", () => {
    // GIVEN actions_enabled = true and unset
    const findings = check(alarmActionsEnabled, (stack) => {
      new CloudwatchMetricAlarm(stack, "a", { ...alarm, actionsEnabled: true });
      new CloudwatchMetricAlarm(stack, "b", alarm);
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
