import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { createHash } from "crypto";
import type { AlarmSubscriptionConfig } from "../../config/schema";
import { NOTIFICATION_KIND_ATTRIBUTE, TASK_FAILURE_KIND } from "../../runtime/airflow-image";
import type { ArnBuilder } from "../core/arn";
import { constructError } from "../core/construct-error";
import { policyJson } from "../iam/policy-document";
import { EncryptionKey } from "../security/encryption-key";

export interface AlarmTopicProps {
  /** Topic name and key alias, e.g. `airflow-prod-alarms`. */
  readonly name: string;
  /**
   * Subscribed by e-mail (the address confirms the subscription once).
   * @default - no e-mail subscription
   */
  readonly email?: string;
  /**
   * Further subscriptions (webhooks, queues, functions, e-mail), each receiving all messages, the platform alarms
   * only, or the Airflow task failures only.
   * @default - none
   */
  readonly subscriptions?: readonly AlarmSubscriptionConfig[];
  /** EventBridge rules whose names start with this may publish, e.g. `airflow-prod-` (the environment's rules). */
  readonly rulePrefix: string;
  /** ARNs of the environment's account and region (the key and topic policies). */
  readonly arns: ArnBuilder;
}

/**
 * SNS filter policy (on message attributes) of a subscription receiving only some messages. Airflow task failures
 * carry the kind attribute (the image's notifier sets it); CloudWatch alarms and EventBridge rules send none.
 */
export function subscriptionFilterPolicy(messages: AlarmSubscriptionConfig["messages"]): string | undefined {
  switch (messages) {
    case "all":
      return undefined;
    case "task-failures":
      return JSON.stringify({ [NOTIFICATION_KIND_ATTRIBUTE]: [TASK_FAILURE_KIND] });
    case "alarms":
      return JSON.stringify({ [NOTIFICATION_KIND_ATTRIBUTE]: [{ exists: false }] });
  }
}

/**
 * The environment's alarm topic: CloudWatch alarms, EventBridge rules of the environment and Airflow task failures
 * publish to it. Encrypted with its own KMS key that CloudWatch and EventBridge may use (AWS-managed SNS keys cannot
 * be used by CloudWatch); its policy lets the account (through IAM), CloudWatch and EventBridge publish. Subscribed
 * by the configured e-mail and further endpoints.
 */
export class AlarmTopic extends Construct {
  /** The SNS topic. */
  readonly topic: SnsTopic;
  /** Who may publish: the account's principals (through IAM), CloudWatch alarms and the environment's EventBridge rules. */
  readonly policy: SnsTopicPolicy;
  /** The subscriptions, e-mail first. */
  readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { arns } = props;
    const key = new EncryptionKey(this, "key", {
      alias: props.name,
      description: `Alarm notifications of ${props.name}`,
      arns,
      serviceGrants: [
        {
          sid: "AlarmsPublishEncrypted",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [arns.servicePrincipal("cloudwatch"), arns.servicePrincipal("events")] }],
          conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [arns.account] }],
        },
      ],
    });
    this.topic = new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: key.arn });
    const sameAccount = { test: "StringEquals", variable: "aws:SourceAccount", values: [arns.account] };
    this.policy = new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: policyJson([
        {
          // The default topic policy's rights, for the account's principals (their IAM policies decide).
          sid: "AccountManagesTopic",
          actions: [
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:AddPermission",
            "sns:RemovePermission",
            "sns:DeleteTopic",
            "sns:Subscribe",
            "sns:ListSubscriptionsByTopic",
            "sns:Publish",
          ],
          resources: [this.topic.arn],
          principals: [{ type: "AWS", identifiers: [arns.root] }],
        },
        {
          sid: "CloudWatchAlarmsPublish",
          actions: ["sns:Publish"],
          resources: [this.topic.arn],
          principals: [{ type: "Service", identifiers: [arns.servicePrincipal("cloudwatch")] }],
          conditions: [sameAccount],
        },
        {
          // The environment's EventBridge rules notify directly, e.g. about a failed db-clean task.
          sid: "EnvironmentRulesPublish",
          actions: ["sns:Publish"],
          resources: [this.topic.arn],
          principals: [{ type: "Service", identifiers: [arns.servicePrincipal("events")] }],
          conditions: [sameAccount, { test: "ArnLike", variable: "aws:SourceArn", values: [arns.of("events", `rule/${props.rulePrefix}*`)] }],
        },
      ]),
    });

    const endpoints = [...(props.email ? [{ protocol: "email", endpoint: props.email, messages: "all" } as const] : []), ...(props.subscriptions ?? [])];
    const ids = new Set<string>();
    this.subscriptions = endpoints.map(({ protocol, endpoint, messages }) => {
      // The first e-mail keeps the id it always had; others are named by their endpoint, so reordering moves nothing.
      const id = props.email && protocol === "email" && endpoint === props.email ? "email" : `${protocol}-${digest(endpoint)}`;
      if (ids.has(id)) throw constructError(this, `${protocol} endpoint ${endpoint} is subscribed twice`);
      ids.add(id);
      return new SnsTopicSubscription(this, id, { topicArn: this.topic.arn, protocol, endpoint, filterPolicy: subscriptionFilterPolicy(messages) });
    });
  }

  get arn(): string {
    return this.topic.arn;
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}
