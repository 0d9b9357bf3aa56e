import { defineRule } from "../../rule";
import { block, blocks, isTrue, type Attributes } from "../../values";

const ephemeral = (device: Attributes) => device.no_device !== undefined || device.virtual_name !== undefined;

/** Checkov CKV_AWS_8 and CKV_AWS_3 (cdk-nag AwsSolutions-EC26, Trivy AVD-AWS-0131 / AVD-AWS-0026 / AVD-AWS-0027). */
export const ebsEncrypted = defineRule({
  id: "CKV_AWS_8",
  aliases: ["CKV_AWS_3", "AwsSolutions-EC26", "AVD-AWS-0131", "AVD-AWS-0026", "AVD-AWS-0027"],
  title: "EBS volumes encrypted",
  rationale: "Unencrypted volumes and their snapshots expose host data (container layers, logs, credentials) to anyone who can copy them.",
  resourceTypes: ["aws_launch_template", "aws_instance", "aws_launch_configuration", "aws_ebs_volume"],
  check: (resource) => {
    switch (resource.type) {
      case "aws_ebs_volume":
        return isTrue(resource.get("encrypted")) ? undefined : "the volume is not encrypted (encrypted = true)";
      case "aws_launch_template": {
        const mappings = blocks(resource.get("block_device_mappings")).filter((m) => !ephemeral(m));
        if (mappings.length === 0) return "no block_device_mappings: the root volume's encryption is left to the AMI; map it with ebs.encrypted = true";
        return mappings
          .filter((m) => !isTrue(block(m.ebs)?.encrypted))
          .map((m) => `block device ${String(m.device_name ?? "?")} is not encrypted (ebs.encrypted = true)`);
      }
      default: {
        const problems: string[] = [];
        const root = block(resource.get("root_block_device"));
        if (!root || !isTrue(root.encrypted)) problems.push("the root block device is not encrypted (root_block_device.encrypted = true)");
        for (const device of blocks(resource.get("ebs_block_device"))) {
          if (!ephemeral(device) && !isTrue(device.encrypted)) problems.push(`EBS block device ${String(device.device_name ?? "?")} is not encrypted`);
        }
        return problems;
      }
    }
  },
});
