import { defineRule } from "../../rule";

/** Checkov CKV_AWS_149 (Trivy AVD-AWS-0098). */
export const secretCmk = defineRule({
  id: "CKV_AWS_149",
  aliases: ["AVD-AWS-0098"],
  title: "Secrets encrypted with a customer-managed key",
  rationale: "With the environment's own key, reading a secret also needs kms:Decrypt on it, which IAM limits to Secrets Manager calls.",
  resourceTypes: ["aws_secretsmanager_secret"],
  check: (secret) =>
    secret.get("kms_key_id") !== undefined && secret.get("kms_key_id") !== "" ? undefined : "kms_key_id is not set (the AWS managed key is used)",
});
