import { defineRule } from "../../rule";
import { isTrue, literalString, show } from "../../values";

/** Checkov CKV_AWS_30 (cdk-nag AwsSolutions-AEC3, Trivy AVD-AWS-0051). */
export const redisInTransitEncryption = defineRule({
  id: "CKV_AWS_30",
  aliases: ["AwsSolutions-AEC3", "AVD-AWS-0051"],
  title: "Redis encrypted in transit",
  rationale: "Without TLS the auth token and every task message cross the VPC in plain text.",
  resourceTypes: ["aws_elasticache_replication_group"],
  check: (group) => {
    if (!isTrue(group.get("transit_encryption_enabled"))) return `transit_encryption_enabled is ${show(group.get("transit_encryption_enabled"))}; set true`;
    return literalString(group.get("transit_encryption_mode")) === "preferred"
      ? 'transit_encryption_mode is "preferred", which still accepts plain-text clients; use "required"'
      : undefined;
  },
});
