import { defineRule } from "../../rule";
import { blocks, literalString } from "../../values";

/** Checkov CKV_AWS_65 (cdk-nag AwsSolutions-ECS4, Trivy AVD-AWS-0034). */
export const clusterContainerInsights = defineRule({
  id: "CKV_AWS_65",
  aliases: ["AwsSolutions-ECS4", "AVD-AWS-0034"],
  title: "ECS Container Insights",
  rationale: "Per-task CPU, memory and restart metrics are what the alarms and an incident investigation run on.",
  resourceTypes: ["aws_ecs_cluster"],
  check: (cluster) => {
    const setting = blocks(cluster.get("setting")).find((s) => literalString(s.name) === "containerInsights");
    const value = literalString(setting?.value);
    return value === "enabled" || value === "enhanced" ? undefined : 'Container Insights is off; add setting { name = "containerInsights", value = "enabled" }';
  },
});
