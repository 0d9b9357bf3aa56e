import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import type { ArnBuilder } from "../core/arn";
import { EncryptionKey } from "../security/encryption-key";

export interface AlarmTopicProps {
  /** Topic name and key alias, e.g. `airflow-prod-alarms`. */
  readonly name: string;
  /**
   * Subscribed by e-mail (the address confirms the subscription once).
   * @default - no subscription
   */
  readonly email?: string;
  /** ARNs of the environment's account and region (the key policy). */
  readonly arns: ArnBuilder;
}

/**
 * The environment's alarm topic, encrypted with its own KMS key that CloudWatch alarms and EventBridge may use
 * (AWS-managed SNS keys cannot be used by CloudWatch), with the configured e-mail subscription.
 */
export class AlarmTopic extends Construct {
  /** The SNS topic. */
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const key = new EncryptionKey(this, "key", {
      alias: props.name,
      description: `Alarm notifications of ${props.name}`,
      arns: props.arns,
      serviceGrants: [
        {
          sid: "AlarmsPublishEncrypted",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [props.arns.servicePrincipal("cloudwatch"), props.arns.servicePrincipal("events")] }],
          conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.arns.account] }],
        },
      ],
    });
    this.topic = new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: key.arn });
    if (props.email) new SnsTopicSubscription(this, "email", { topicArn: this.topic.arn, protocol: "email", endpoint: props.email });
  }

  get arn(): string {
    return this.topic.arn;
  }
}
