import { defineRule } from "../../rule";
import { blocks } from "../../values";

/** Checkov CKV2_AWS_12 (Trivy AVD-AWS-0173). */
export const defaultSecurityGroupClosed = defineRule({
  id: "CKV2_AWS_12",
  aliases: ["AVD-AWS-0173"],
  title: "Default security group allows nothing",
  rationale: "Anything launched without an explicit security group lands in the default one, which must not let traffic in or out.",
  resourceTypes: ["aws_vpc", "aws_default_security_group"],
  companions: ["aws_default_security_group"],
  check: (resource, stack) => {
    if (resource.type === "aws_vpc") {
      return stack.referrers("aws_default_security_group", "vpc_id", resource).length === 0
        ? "the VPC's default security group is not managed in this stack; add an aws_default_security_group without rules"
        : undefined;
    }
    const ingress = blocks(resource.get("ingress")).length;
    const egress = blocks(resource.get("egress")).length;
    return ingress + egress > 0 ? `the default security group has ${ingress} ingress and ${egress} egress rule(s); it must have none` : undefined;
  },
});
