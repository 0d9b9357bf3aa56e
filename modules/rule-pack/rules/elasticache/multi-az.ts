import { defineRule } from "../../rule";
import { isTrue, literalNumber } from "../../values";

/** Checkov CKV2_AWS_50 (cdk-nag AwsSolutions-AEC4), production environments only. */
export const redisMultiAz = defineRule({
  id: "CKV2_AWS_50",
  aliases: ["AwsSolutions-AEC4"],
  title: "Redis Multi-AZ failover in production",
  rationale: "A single broker node loses queued and in-flight tasks and stops every worker when its AZ fails.",
  resourceTypes: ["aws_elasticache_replication_group"],
  check: (group, stack) => {
    if (!stack.production) return undefined;
    const problems: string[] = [];
    if (!isTrue(group.get("automatic_failover_enabled"))) problems.push("automatic_failover_enabled is not true in a production environment");
    if (!isTrue(group.get("multi_az_enabled"))) problems.push("multi_az_enabled is not true in a production environment");
    const nodes = literalNumber(group.get("num_cache_clusters"));
    if (nodes !== undefined && nodes < 2) problems.push(`num_cache_clusters is ${nodes}; production needs a replica (2 or more)`);
    return problems;
  },
});
