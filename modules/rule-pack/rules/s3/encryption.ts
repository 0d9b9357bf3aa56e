import { defineRule } from "../../rule";
import { algorithmOf, encryptionRules } from "./companions";

/** Checkov CKV_AWS_19. */
export const s3Encryption = defineRule({
  id: "CKV_AWS_19",
  title: "S3 default encryption",
  rationale: "Every object must be encrypted at rest without relying on each writer to ask for it.",
  resourceTypes: ["aws_s3_bucket"],
  companions: ["aws_s3_bucket_server_side_encryption_configuration"],
  check: (bucket, stack) =>
    encryptionRules(stack, bucket).some((r) => algorithmOf(r) !== undefined)
      ? undefined
      : "no default encryption (aws_s3_bucket_server_side_encryption_configuration) in this stack",
});
