import { defineRule } from "../../rule";
import { blocks, literalString } from "../../values";

const described = (value: unknown) => {
  const text = literalString(value);
  return text !== undefined && text.trim() !== "" && text !== "Managed by Terraform";
};

/** Checkov CKV_AWS_23 (cdk-nag AwsSolutions-EC27, Trivy AVD-AWS-0099 / AVD-AWS-0124). */
export const securityGroupDescriptions = defineRule({
  id: "CKV_AWS_23",
  aliases: ["AwsSolutions-EC27", "AVD-AWS-0099", "AVD-AWS-0124"],
  title: "Security groups and rules are described",
  rationale: "A reviewer can only tell a needed opening from a forgotten one when every group and rule says what it is for.",
  resourceTypes: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"],
  check: (resource) => {
    const problems: string[] = [];
    if (!described(resource.get("description")))
      problems.push(resource.type === "aws_security_group" ? "the security group has no description" : "the rule has no description");
    if (resource.type === "aws_security_group") {
      for (const direction of ["ingress", "egress"] as const) {
        blocks(resource.get(direction)).forEach((rule, i) => {
          if (!described(rule.description)) problems.push(`inline ${direction} rule #${i + 1} has no description`);
        });
      }
    }
    return problems;
  },
});
