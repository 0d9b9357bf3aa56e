import { defineRule } from "../../rule";
import { literalString } from "../../values";

/** Checkov CKV2_AWS_11 (cdk-nag AwsSolutions-VPC7, Trivy AVD-AWS-0178). */
export const vpcFlowLogs = defineRule({
  id: "CKV2_AWS_11",
  aliases: ["AwsSolutions-VPC7", "AVD-AWS-0178"],
  title: "VPC flow logs",
  rationale: "Without flow logs there is no record of who talked to what inside the VPC when investigating an incident.",
  resourceTypes: ["aws_vpc"],
  companions: ["aws_flow_log"],
  check: (vpc, stack) => {
    const logs = stack.referrers("aws_flow_log", "vpc_id", vpc);
    if (logs.length === 0) return "no aws_flow_log in this stack records the VPC's traffic";
    if (!logs.some((l) => literalString(l.get("traffic_type")) === "ALL"))
      return 'no flow log of the VPC records traffic_type "ALL" (accepted and rejected traffic)';
    return undefined;
  },
});
