import { Testing } from "cdktf";
import type { AlarmSubscriptionConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { AlarmTopic, subscriptionFilterPolicy } from "../../../modules/operations/alarm-topic";

const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });

function synth(email?: string, subscriptions: readonly AlarmSubscriptionConfig[] = []) {
  const json = JSON.parse(
    Testing.synthScope((scope) => new AlarmTopic(scope, "topic", { name: "airflow-dev-alarms", rulePrefix: "airflow-dev-", email, subscriptions, arns })),
  );
  return { json, subscriptions: Object.values(json.resource.aws_sns_topic_subscription ?? {}) as Record<string, any>[] };
}

describe("AlarmTopic", () => {
  it("lets the account (through IAM), CloudWatch and only this environment's EventBridge rules publish", () => {
    const { json } = synth();
    const policy = Object.values(json.resource.aws_sns_topic_policy)[0] as Record<string, any>;
    const statements = JSON.parse(policy.policy).Statement as Record<string, any>[];
    expect(statements.map((s) => [s.Sid, s.Principal])).toEqual([
      ["AccountManagesTopic", { AWS: ["arn:aws:iam::111111111111:root"] }],
      ["CloudWatchAlarmsPublish", { Service: ["cloudwatch.amazonaws.com"] }],
      ["EnvironmentRulesPublish", { Service: ["events.amazonaws.com"] }],
    ]);
    expect(statements[2].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ["111111111111"] },
      ArnLike: { "aws:SourceArn": ["arn:aws:events:eu-west-1:111111111111:rule/airflow-dev-*"] },
    });
    expect(statements.every((s) => s.Resource[0] === policy.arn)).toBe(true);
  });

  it("subscribes the e-mail under its old id, then each further endpoint with its message filter", () => {
    const { json, subscriptions } = synth("oncall@example.com", [
      { protocol: "https", endpoint: "https://hooks.example.com/airflow", messages: "task-failures" },
      { protocol: "sqs", endpoint: "arn:aws:sqs:eu-west-1:111111111111:airflow-events", messages: "alarms" },
      { protocol: "email", endpoint: "data@example.com", messages: "all" },
    ]);
    // the configured e-mail keeps the construct id "email" it always had, so existing subscriptions are not replaced
    const ids = Object.entries(json.resource.aws_sns_topic_subscription as Record<string, any>).map(([id, s]) => [s.endpoint, id]);
    expect(Object.fromEntries(ids)["oncall@example.com"]).toMatch(/^topic_email_[0-9A-F]{8}$/);
    const byEndpoint = (a: unknown[], b: unknown[]) => String(a[1]).localeCompare(String(b[1]));
    expect(subscriptions.map((s) => [s.protocol, s.endpoint, s.filter_policy && JSON.parse(s.filter_policy)]).sort(byEndpoint)).toEqual(
      [
        ["email", "oncall@example.com", undefined],
        ["https", "https://hooks.example.com/airflow", { airflow_ecs_kind: ["task-failure"] }],
        ["sqs", "arn:aws:sqs:eu-west-1:111111111111:airflow-events", { airflow_ecs_kind: [{ exists: false }] }],
        ["email", "data@example.com", undefined],
      ].sort(byEndpoint),
    );
  });

  it("filters task failures by the attribute the image's notifier sets, and alarms by its absence", () => {
    expect(subscriptionFilterPolicy("all")).toBeUndefined();
    expect(subscriptionFilterPolicy("task-failures")).toBe('{"airflow_ecs_kind":["task-failure"]}');
    expect(subscriptionFilterPolicy("alarms")).toBe('{"airflow_ecs_kind":[{"exists":false}]}');
  });

  it("refuses an endpoint subscribed twice, naming the construct", () => {
    expect(() => synth("oncall@example.com", [{ protocol: "email", endpoint: "oncall@example.com", messages: "alarms" }])).toThrow(
      /topic: email endpoint oncall@example.com is subscribed twice$/,
    );
  });
});
