import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";

/** Checkov CKV_AWS_29 (cdk-nag AwsSolutions-AEC3, Trivy AVD-AWS-0045). */
export const redisAtRestEncryption = defineRule({
  id: "CKV_AWS_29",
  aliases: ["AwsSolutions-AEC3", "AVD-AWS-0045"],
  title: "Redis encrypted at rest",
  rationale: "Queued Celery messages carry task arguments; snapshots and swapped pages must be encrypted.",
  resourceTypes: ["aws_elasticache_replication_group"],
  check: (group) =>
    isTrue(group.get("at_rest_encryption_enabled")) ? undefined : `at_rest_encryption_enabled is ${show(group.get("at_rest_encryption_enabled"))}; set true`,
});
