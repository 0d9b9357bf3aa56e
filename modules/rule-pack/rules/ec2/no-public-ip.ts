import { defineRule } from "../../rule";
import { blocks, isFalse, isTrue, show } from "../../values";

/** Checkov CKV_AWS_88 (Trivy AVD-AWS-0009). */
export const noPublicIp = defineRule({
  id: "CKV_AWS_88",
  aliases: ["AVD-AWS-0009"],
  title: "No public IP on instances",
  rationale: "Hosts sit in private subnets behind NAT; a public address makes them reachable whenever a security group slips.",
  resourceTypes: ["aws_launch_template", "aws_instance"],
  check: (resource) => {
    if (resource.type === "aws_instance") {
      return isTrue(resource.get("associate_public_ip_address")) ? "associate_public_ip_address is true" : undefined;
    }
    return blocks(resource.get("network_interfaces"))
      .map((ni, i) => ({ ni, i }))
      .filter(({ ni }) => !isFalse(ni.associate_public_ip_address) && ni.associate_public_ip_address !== undefined)
      .map(({ ni, i }) => `network interface #${i + 1} sets associate_public_ip_address to ${show(ni.associate_public_ip_address)}`);
  },
});
