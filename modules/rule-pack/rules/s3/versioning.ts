import { defineRule } from "../../rule";
import { block, isTrue, literalString } from "../../values";
import { companionsOf } from "./companions";

/** Checkov CKV_AWS_21 (Trivy AVD-AWS-0090). */
export const s3Versioning = defineRule({
  id: "CKV_AWS_21",
  aliases: ["AVD-AWS-0090"],
  title: "S3 versioning",
  rationale: "Versions are how an overwritten state file or deleted log is recovered.",
  resourceTypes: ["aws_s3_bucket"],
  companions: ["aws_s3_bucket_versioning"],
  check: (bucket, stack) => {
    const enabled =
      companionsOf(stack, bucket, "aws_s3_bucket_versioning").some((v) => literalString(block(v.get("versioning_configuration"))?.status) === "Enabled") ||
      isTrue(block(bucket.get("versioning"))?.enabled);
    return enabled ? undefined : 'versioning is not "Enabled" (aws_s3_bucket_versioning) in this stack';
  },
});
