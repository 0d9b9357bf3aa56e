import { defineRule } from "../../rule";
import { block, strings } from "../../values";

/** Checkov CKV_AWS_117. */
export const lambdaInVpc = defineRule({
  id: "CKV_AWS_117",
  title: "Lambda in a VPC",
  rationale: "Functions that reach the database must run in the private subnets behind a security group, like every other client.",
  resourceTypes: ["aws_lambda_function"],
  check: (fn) => {
    const vpc = block(fn.get("vpc_config"));
    if (!vpc) return "the function runs outside the VPC (no vpc_config)";
    const problems: string[] = [];
    if (strings(vpc.subnet_ids).length === 0) problems.push("vpc_config names no subnet");
    if (strings(vpc.security_group_ids).length === 0) problems.push("vpc_config names no security group");
    return problems;
  },
});
