import { defineRule } from "../../rule";
import { isTrue } from "../../values";
import { companionsOf } from "./companions";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

/** Checkov CKV2_AWS_6 and CKV_AWS_53-56 (cdk-nag AwsSolutions-S2, Trivy AVD-AWS-0086/0087/0091/0093/0094). */
export const s3PublicAccessBlock = defineRule({
  id: "CKV2_AWS_6",
  aliases: [
    "CKV_AWS_53",
    "CKV_AWS_54",
    "CKV_AWS_55",
    "CKV_AWS_56",
    "AwsSolutions-S2",
    "AVD-AWS-0086",
    "AVD-AWS-0087",
    "AVD-AWS-0091",
    "AVD-AWS-0093",
    "AVD-AWS-0094",
  ],
  title: "S3 public access blocked",
  rationale: "Logs and state must never become public through a stray ACL or policy; all four public-access flags close every path.",
  resourceTypes: ["aws_s3_bucket"],
  companions: ["aws_s3_bucket_public_access_block"],
  check: (bucket, stack) => {
    const blocks = companionsOf(stack, bucket, "aws_s3_bucket_public_access_block");
    if (blocks.length === 0) return "no aws_s3_bucket_public_access_block in this stack";
    const open = FLAGS.filter((flag) => !blocks.some((b) => isTrue(b.get(flag))));
    return open.length > 0 ? `the public access block leaves ${open.join(", ")} off` : undefined;
  },
});
