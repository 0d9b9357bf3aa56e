import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { VpcFlowLogs } from "../modules/network/flow-logs";
import { InterfaceEndpoints } from "../modules/network/interface-endpoints";
import { AirflowSecurityGroups, SECURITY_GROUP_ROLES } from "../modules/network/security-groups";
import { AirflowVpc } from "../modules/network/vpc";
import { EncryptionKey } from "../modules/security/encryption-key";
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
    const name = this.naming.base;

    this.logsKey = new EncryptionKey(this, "logs-key", {
      alias: this.naming.name("logs"),
      description: `CloudWatch Logs encryption for ${name}`,
      arns: this.arns,
      serviceGrants: [
        {
          sid: "CloudWatchLogsUseKey",
          actions: [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncryptFrom",
            "kms:ReEncryptTo",
            "kms:GenerateDataKey",
            "kms:GenerateDataKeyWithoutPlaintext",
            "kms:DescribeKey",
          ],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [`logs.${account.region}.amazonaws.com`] }],
          conditions: [
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:logs:arn",
              // The environment's own log groups, and those RDS creates for its log exports.
              values: [
                this.arns.of("logs", `log-group:${this.naming.logGroupPrefix}/*`),
                this.arns.of("logs", `log-group:/aws/rds/instance/${this.naming.base}-*`),
              ],
            },
          ],
        },
      ],
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
      vpcId: this.vpc.vpc.id,
      roleName: this.naming.name("vpc-flow-logs"),
      logGroupName: this.naming.logGroup("vpc-flow-logs"),
      retentionDays: network.flowLogRetentionDays,
      kmsKeyArn: this.logsKey.arn,
      arns: this.arns,
    });

    this.securityGroups = new AirflowSecurityGroups(this, "security-groups", {
      vpcId: this.vpc.vpc.id,
      namePrefix: name,
      vpcCidr: network.vpcCidr,
      albAllowedCidrs: alb.allowedCidrs,
      albHttps: alb.certificateArn !== undefined,
      flowerBehindAlb: airflow.flower.enabled && airflow.flower.exposure === "alb",
      bastion: compute.bastion.enabled,
    });

    if (network.interfaceEndpoints) {
      new InterfaceEndpoints(this, "endpoints", {
        vpcId: this.vpc.vpc.id,
        region: account.region,
        subnetIds: this.vpc.privateSubnets.map((s) => s.id),
        securityGroupId: this.securityGroups.groups.endpoints.id,
        namePrefix: name,
      });
    }

    const groups = this.securityGroups.groups;
    this.publish({
      vpc_id: this.vpc.vpc.id,
      vpc_cidr_block: this.vpc.vpc.cidrBlock,
      availability_zones: [...network.availabilityZones],
      public_subnet_ids: this.vpc.publicSubnets.map((s) => s.id),
      private_subnet_ids: this.vpc.privateSubnets.map((s) => s.id),
      nat_public_ips: this.vpc.natIps.map((ip) => ip.publicIp),
      logs_kms_key_arn: this.logsKey.arn,
      ...(Object.fromEntries(SECURITY_GROUP_ROLES.map((role) => [`${role}_security_group_id`, groups[role].id])) as Record<
        `${(typeof SECURITY_GROUP_ROLES)[number]}_security_group_id`,
        string
      >),
    });
  }
}
