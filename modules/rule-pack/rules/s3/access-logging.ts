import { defineRule } from "../../rule";
import { block } from "../../values";
import { companionsOf } from "./companions";

/** Checkov CKV_AWS_18 (cdk-nag AwsSolutions-S1, Trivy AVD-AWS-0089). */
export const s3AccessLogging = defineRule({
  id: "CKV_AWS_18",
  aliases: ["AwsSolutions-S1", "AVD-AWS-0089"],
  title: "S3 server access logging",
  rationale: "Server access logs record every read of state and logs, including by principals outside CloudTrail data events.",
  resourceTypes: ["aws_s3_bucket"],
  companions: ["aws_s3_bucket_logging"],
  check: (bucket, stack) =>
    companionsOf(stack, bucket, "aws_s3_bucket_logging").some((l) => l.get("target_bucket") !== undefined) ||
    block(bucket.get("logging"))?.target_bucket !== undefined
      ? undefined
      : "server access logging is not configured (aws_s3_bucket_logging) in this stack",
});
