import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { VpcFlowLogs } from "../modules/network/flow-logs";
import { InterfaceEndpoints } from "../modules/network/interface-endpoints";
import { AirflowSecurityGroups, SECURITY_GROUP_ROLES, type SecurityGroupRole } from "../modules/network/security-groups";
import { AirflowVpc } from "../modules/network/vpc";
import { EncryptionKey } from "../modules/security/encryption-key";
import { cloudWatchLogsKeyGrant } from "../modules/security/logs-key-grant";
import { AirflowStack } from "./airflow-stack";
import { networkContract, type NetworkContract } from "./contracts/network";

/**
 * Network: the VPC across the configured AZs, NAT, endpoints, flow logs, every security group with its rules, and
 * the environment's log-encryption key (first stack applied, so every later log group can use it).
 */
export class NetworkStack extends AirflowStack<NetworkContract> {
  readonly vpc: AirflowVpc;
  readonly securityGroups: AirflowSecurityGroups;
  readonly logsKey: EncryptionKey;

  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, config, networkContract);
    const { network, alb, airflow, compute, account } = config;
    const { naming, arns } = this;
    const name = naming.base;

    this.logsKey = new EncryptionKey(this, "logs-key", {
      alias: naming.name("logs"),
      description: `CloudWatch Logs encryption for ${name}`,
      arns,
      serviceGrants: [cloudWatchLogsKeyGrant(arns, naming)],
    });

    this.vpc = new AirflowVpc(this, "vpc", {
      name,
      cidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      subnets: network.subnets,
      natGateways: network.natGateways,
      region: account.region,
    });

    new VpcFlowLogs(this, "flow-logs", {
      vpcId: this.vpc.vpcId,
      roleName: naming.name("vpc-flow-logs"),
      logGroupName: naming.logGroup("vpc-flow-logs"),
      retentionDays: network.flowLogRetentionDays,
      kmsKeyArn: this.logsKey.arn,
      arns,
    });

    this.securityGroups = new AirflowSecurityGroups(this, "security-groups", {
      vpcId: this.vpc.vpcId,
      namePrefix: name,
      vpcCidr: network.vpcCidr,
      albAllowedCidrs: alb.allowedCidrs,
      albHttps: alb.certificateArn !== undefined,
      flowerBehindAlb: airflow.flower.enabled && airflow.flower.exposure === "alb",
      bastion: compute.bastion.enabled,
    });

    if (network.interfaceEndpoints) {
      new InterfaceEndpoints(this, "endpoints", {
        vpcId: this.vpc.vpcId,
        region: account.region,
        subnetIds: this.vpc.privateSubnetIds,
        securityGroupId: this.securityGroups.securityGroupId("endpoints"),
        namePrefix: name,
      });
    }

    this.publish({
      vpc_id: this.vpc.vpcId,
      vpc_cidr_block: this.vpc.cidrBlock,
      availability_zones: [...network.availabilityZones],
      public_subnet_ids: this.vpc.publicSubnetIds,
      private_subnet_ids: this.vpc.privateSubnetIds,
      nat_public_ips: this.vpc.natPublicIps,
      logs_kms_key_arn: this.logsKey.arn,
      ...(Object.fromEntries(SECURITY_GROUP_ROLES.map((role) => [`${role}_security_group_id`, this.securityGroups.securityGroupId(role)])) as Record<
        `${SecurityGroupRole}_security_group_id`,
        string
      >),
    });
  }
}
