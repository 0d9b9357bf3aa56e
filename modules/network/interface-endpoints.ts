import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";

/**
 * Services reached through interface endpoints, so task placement (the ECS agent), image pulls, secrets, logs,
 * metrics and Session Manager keep working when a NAT gateway or its AZ is down.
 */
export const INTERFACE_ENDPOINT_SERVICES = [
  "ecs",
  "ecs-agent",
  "ecs-telemetry",
  "ecr.api",
  "ecr.dkr",
  "logs",
  "secretsmanager",
  "ssm",
  "ssmmessages",
  "ec2messages",
  "sts",
  "monitoring",
] as const;

export interface InterfaceEndpointsProps {
  /** The VPC. */
  readonly vpcId: string;
  /** Region of the endpoint services (`com.amazonaws.<region>.<service>`). */
  readonly region: string;
  /** Private subnets, one endpoint network interface in each. */
  readonly subnetIds: readonly string[];
  /** Security group of the endpoints (HTTPS from the VPC). */
  readonly securityGroupId: string;
  /** Name tag prefix, e.g. `airflow-prod`. */
  readonly namePrefix: string;
}

/** One interface endpoint per service, in every private subnet, with private DNS. */
export class InterfaceEndpoints extends Construct {
  /** The endpoints, by service. */
  readonly endpoints: Readonly<Record<string, VpcEndpoint>>;

  constructor(scope: Construct, id: string, props: InterfaceEndpointsProps) {
    super(scope, id);
    const endpoints: Record<string, VpcEndpoint> = {};
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      endpoints[service] = new VpcEndpoint(this, service.replace(/\./g, "-"), {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [props.securityGroupId],
        tags: { Name: `${props.namePrefix}-${service}` },
      });
    }
    this.endpoints = endpoints;
  }
}
