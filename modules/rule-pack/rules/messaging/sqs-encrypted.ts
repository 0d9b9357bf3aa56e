import { defineRule } from "../../rule";
import { isTrue } from "../../values";

/** Checkov CKV_AWS_27 (cdk-nag AwsSolutions-SQS2). */
export const sqsEncrypted = defineRule({
  id: "CKV_AWS_27",
  aliases: ["AwsSolutions-SQS2"],
  title: "SQS queues encrypted",
  rationale: "Dead-lettered events carry the payloads of failed invocations; they must be encrypted at rest.",
  resourceTypes: ["aws_sqs_queue"],
  check: (queue) =>
    isTrue(queue.get("sqs_managed_sse_enabled")) || queue.get("kms_master_key_id") !== undefined
      ? undefined
      : "neither sqs_managed_sse_enabled nor kms_master_key_id is set",
});
