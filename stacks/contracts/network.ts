import { defineContract, output, type OutputSpec } from "../../modules/core/contract";
import { SECURITY_GROUP_PURPOSE, SECURITY_GROUP_ROLES, type SecurityGroupRole } from "../../modules/network/security-groups";

const securityGroupOutputs = Object.fromEntries(
  SECURITY_GROUP_ROLES.map((role) => [`${role}_security_group_id`, output.string(`Security group: ${SECURITY_GROUP_PURPOSE[role]}`)]),
) as Record<`${SecurityGroupRole}_security_group_id`, OutputSpec<"string">>;

/** What the network stack publishes: the VPC, its subnets per AZ, the security groups and the logs key. */
export const networkContract = defineContract("network", {
  vpc_id: output.string("VPC id"),
  vpc_cidr_block: output.string("VPC IPv4 CIDR"),
  availability_zones: output.list("Availability zones, in the order of the subnet lists"),
  public_subnet_ids: output.list("Public subnet ids, one per AZ (ALB)"),
  private_subnet_ids: output.list("Private subnet ids, one per AZ (tasks, hosts, data stores, Lambda)"),
  nat_public_ips: output.list("Elastic IPs of the NAT gateways (egress addresses to allow-list)"),
  logs_kms_key_arn: output.string("KMS key for every CloudWatch log group of the environment"),
  ...securityGroupOutputs,
});

export type NetworkContract = typeof networkContract.outputs;
