import { defineRule } from "../../rule";

/** Checkov CKV_AWS_158 (Trivy AVD-AWS-0017). */
export const logGroupKms = defineRule({
  id: "CKV_AWS_158",
  aliases: ["AVD-AWS-0017"],
  title: "Log groups encrypted with KMS",
  rationale: "Task logs can contain connection strings and data; reading them should also need the environment's logs key.",
  resourceTypes: ["aws_cloudwatch_log_group"],
  check: (group) => (group.get("kms_key_id") !== undefined && group.get("kms_key_id") !== "" ? undefined : "kms_key_id is not set"),
});
