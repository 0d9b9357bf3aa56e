import { defineRule } from "../../rule";

/** Checkov CKV_AWS_26 (cdk-nag AwsSolutions-SNS2, Trivy AVD-AWS-0095). */
export const snsEncrypted = defineRule({
  id: "CKV_AWS_26",
  aliases: ["AwsSolutions-SNS2", "AVD-AWS-0095"],
  title: "SNS topics encrypted with KMS",
  rationale: "Alarm notifications name resources and failures; topics are encrypted with a key CloudWatch may use.",
  resourceTypes: ["aws_sns_topic"],
  check: (topic) => (topic.get("kms_master_key_id") !== undefined && topic.get("kms_master_key_id") !== "" ? undefined : "kms_master_key_id is not set"),
});
