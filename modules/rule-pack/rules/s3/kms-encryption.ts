import { defineRule } from "../../rule";
import { block } from "../../values";
import { algorithmOf, encryptionRules } from "./companions";

/** Checkov CKV_AWS_145 (Trivy AVD-AWS-0132). */
export const s3KmsEncryption = defineRule({
  id: "CKV_AWS_145",
  aliases: ["AVD-AWS-0132"],
  title: "S3 encrypted with a KMS key",
  rationale: "With SSE-KMS, reading an object also needs kms:Decrypt on the environment's key, so a broad s3:GetObject grant alone leaks nothing.",
  resourceTypes: ["aws_s3_bucket"],
  companions: ["aws_s3_bucket_server_side_encryption_configuration"],
  check: (bucket, stack) => {
    const rules = encryptionRules(stack, bucket);
    const kms = rules.some((r) => algorithmOf(r)?.startsWith("aws:kms") && block(r.apply_server_side_encryption_by_default)?.kms_master_key_id !== undefined);
    if (kms) return undefined;
    const algorithm = rules.map(algorithmOf).find((a) => a !== undefined);
    return `default encryption is ${algorithm ?? "not configured"}, not SSE-KMS with a customer-managed key (kms_master_key_id)`;
  },
});
