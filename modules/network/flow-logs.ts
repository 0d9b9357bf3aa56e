import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { ArnBuilder } from "../core/arn";
import { policyJson, serviceTrustPolicy } from "../iam/policy-document";

export interface VpcFlowLogsProps {
  /** The VPC whose traffic is logged. */
  readonly vpcId: string;
  /** Role name, e.g. `airflow-prod-vpc-flow-logs`. */
  readonly roleName: string;
  /** CloudWatch Logs group of the flow logs (created here). */
  readonly logGroupName: string;
  /** Retention of the log group. */
  readonly retentionDays: number;
  /** KMS key encrypting the log group. */
  readonly kmsKeyArn: string;
  /** ARNs of the environment's account and region (the delivery role's trust). */
  readonly arns: ArnBuilder;
}

/** VPC flow logs (all traffic, 1-minute aggregation) into a KMS-encrypted log group through a delivery role. */
export class VpcFlowLogs extends Construct {
  /** The flow logs' log group. */
  readonly logGroup: CloudwatchLogGroup;
  /** The flow log of the VPC. */
  readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    const { arns } = props;
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: props.logGroupName,
      retentionInDays: props.retentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const trust = serviceTrustPolicy([arns.servicePrincipal("vpc-flow-logs")], arns.account, [
      { test: "ArnLike", variable: "aws:SourceArn", values: [arns.of("ec2", "vpc-flow-log/*")] },
    ]);
    const role = new IamRole(this, "role", { name: props.roleName, assumeRolePolicy: trust });
    const write = policyJson([
      {
        sid: "WriteFlowLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [this.logGroup.arn, `${this.logGroup.arn}:*`],
      },
    ]);
    const rolePolicy = new IamRolePolicy(this, "policy", { name: "write-flow-logs", role: role.id, policy: write });
    this.flowLog = new FlowLog(this, "flow-log", {
      vpcId: props.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      // EC2 does not check the role; a flow log created before its permissions reports "Access error".
      dependsOn: [rolePolicy],
    });
  }
}
