import type { EnvironmentConfig } from "../../config/schema";
import { ArnBuilder } from "../../modules/core/arn";
import { defineContract, output, type OutputSpec } from "../../modules/core/contract";
import { SECURITY_GROUP_PURPOSE, SECURITY_GROUP_ROLES, type SecurityGroupRole } from "../../modules/network/security-groups";

const perAz = (prefix: string) => (c: EnvironmentConfig) => c.network.availabilityZones.map((_, i) => `${prefix}-0${i}a1b2c3d4e5f6789`);

const securityGroupOutputs = Object.fromEntries(
  SECURITY_GROUP_ROLES.map((role, i) => [
    `${role}_security_group_id`,
    output.string(`Security group: ${SECURITY_GROUP_PURPOSE[role]}`, () => `sg-0${i.toString(16).padStart(2, "0")}b2c3d4e5f678901`),
  ]),
) as Record<`${SecurityGroupRole}_security_group_id`, OutputSpec<"string">>;

/** What the network stack publishes: the VPC, its subnets per AZ, the security groups and the logs key. */
export const networkContract = defineContract("network", {
  vpc_id: output.string("VPC id", () => "vpc-0a1b2c3d4e5f67890"),
  vpc_cidr_block: output.string("VPC IPv4 CIDR", (c) => c.network.vpcCidr),
  availability_zones: output.list("Availability zones, in the order of the subnet lists", (c) => c.network.availabilityZones),
  public_subnet_ids: output.list("Public subnet ids, one per AZ (ALB)", perAz("subnet-pub")),
  private_subnet_ids: output.list("Private subnet ids, one per AZ (tasks, hosts, data stores, Lambda)", perAz("subnet-prv")),
  nat_public_ips: output.list("Elastic IPs of the NAT gateways (egress addresses to allow-list)", (c) =>
    Array.from({ length: c.network.natGateways === "per-az" ? c.network.azCount : 1 }, (_, i) => `203.0.113.${10 + i}`),
  ),
  logs_kms_key_arn: output.string("KMS key for every CloudWatch log group of the environment", (c) =>
    new ArnBuilder(c).of("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
  ),
  ...securityGroupOutputs,
});

export type NetworkContract = typeof networkContract.outputs;
