import { defineRule } from "../../rule";
import { blocks, isTrue, literalString } from "../../values";
import { companionsOf } from "./companions";

/** Checkov CKV2_AWS_61. */
export const s3Lifecycle = defineRule({
  id: "CKV2_AWS_61",
  title: "S3 lifecycle configuration",
  rationale: "Logs and old versions must expire on a schedule, or they are kept (and paid for, and exposed) forever.",
  resourceTypes: ["aws_s3_bucket"],
  companions: ["aws_s3_bucket_lifecycle_configuration"],
  check: (bucket, stack) => {
    const companion = companionsOf(stack, bucket, "aws_s3_bucket_lifecycle_configuration").some((c) =>
      blocks(c.get("rule")).some((r) => literalString(r.status) === "Enabled"),
    );
    const inline = blocks(bucket.get("lifecycle_rule")).some((r) => isTrue(r.enabled));
    return companion || inline ? undefined : "no enabled lifecycle rule (aws_s3_bucket_lifecycle_configuration) in this stack";
  },
});
