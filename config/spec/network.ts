/** The VPC: its CIDR, availability zones, subnets, NAT gateways, endpoints and flow logs. */
import { carveSubnets, parseCidr } from "../cidr";
import type { EnvironmentConfig, NetworkConfig, SubnetLayout } from "../schema";
import { cidr, logRetention } from "./common";
import { bool, derived, int, list, obj, oneOf, str } from "./language";

/** The region's AZs in order: `eu-west-1a`, `eu-west-1b`, ... */
function firstZones(network: NetworkConfig, config: EnvironmentConfig): readonly string[] {
  return Array.from({ length: network.azCount }, (_, i) => `${config.account.region}${String.fromCharCode(97 + i)}`);
}

/** Subnets carved from the VPC CIDR (see `carveSubnets`). */
function carvedSubnets(network: NetworkConfig): SubnetLayout {
  const vpc = parseCidr(network.vpcCidr);
  // An invalid VPC CIDR is reported by validateEnvironment; leave the layout empty rather than guess one.
  return vpc && vpc.prefix >= 16 && vpc.prefix <= 20 ? carveSubnets(vpc, network.azCount) : { public: [], private: [] };
}

export const network = obj(
  {
    vpcCidr: cidr({ doc: "VPC IPv4 CIDR, prefix /16 to /20." }),
    azCount: int(2, 6, { default: 2, doc: "Number of availability zones." }),
    availabilityZones: list(
      str("an AZ name in the environment's region, such as eu-west-1a", { pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/ }),
      2,
      6,
      {
        doc: "AZ names, one per `azCount`.",
        derive: derived("the region name followed by a, b, c, ... (e.g. `eu-west-1a`, `eu-west-1b`)", firstZones),
      },
    ),
    subnets: obj(
      {
        public: list(cidr({}), 2, 6, { doc: "One public subnet per AZ (ALB, NAT gateways)." }),
        private: list(cidr({}), 2, 6, { doc: "One private subnet per AZ (ECS tasks and hosts, RDS, Redis, EFS, Lambda, bastion)." }),
      },
      {
        doc: "Subnet CIDRs. Leave out to carve them from the VPC CIDR: private subnets are the first `azCount` blocks of prefix+3, public subnets /+6 blocks at the end of the VPC range.",
        derive: derived("carved from `vpcCidr`", carvedSubnets),
      },
    ),
    natGateways: oneOf(["per-az", "single"], {
      default: "per-az",
      doc: "One NAT gateway per AZ (survives an AZ loss) or one shared NAT gateway (cheaper, single point of failure).",
    }),
    interfaceEndpoints: bool({
      default: true,
      doc: "Interface VPC endpoints (ECR, CloudWatch Logs, Secrets Manager, SSM, STS, ECS, CloudWatch) so image pulls, secrets and logs do not depend on NAT. The S3 gateway endpoint is always created (it is free).",
    }),
    flowLogRetentionDays: logRetention({ default: 365, doc: "Retention of the VPC flow logs, in days." }),
  },
  { doc: "The VPC." },
);
