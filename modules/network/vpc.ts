import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import type { NatGatewayMode, SubnetLayout } from "../../config/schema";

export interface AirflowVpcProps {
  /** Base of every Name tag, e.g. `airflow-prod`. */
  readonly name: string;
  /** The VPC's IPv4 CIDR. */
  readonly cidr: string;
  /** The AZs, in the order of the subnet lists. */
  readonly availabilityZones: readonly string[];
  /** One public and one private CIDR per AZ. */
  readonly subnets: SubnetLayout;
  /** "per-az": each private subnet routes through the NAT gateway in its own AZ; "single": all share the first. */
  readonly natGateways: NatGatewayMode;
  /** Region of the S3 gateway endpoint. */
  readonly region: string;
}

/**
 * The VPC: one public and one private subnet per AZ, an internet gateway, NAT gateway(s), one private route table
 * per AZ, the free S3 gateway endpoint on the private route tables, and the default security group stripped of
 * all rules. No subnet assigns public IPs on launch: the ALB and NAT gateways do not need it.
 */
export class AirflowVpc extends Construct {
  /** The VPC. */
  readonly vpc: Vpc;
  /** One public subnet per AZ, in the order of the availability zones. */
  readonly publicSubnets: Subnet[];
  /** One private subnet per AZ, in the order of the availability zones. */
  readonly privateSubnets: Subnet[];
  /** The NAT gateways: one per AZ, or one. */
  readonly natGateways: NatGateway[];
  /** Elastic IPs of the NAT gateways. */
  readonly natIps: Eip[];
  /** One private route table per AZ. */
  readonly privateRouteTables: RouteTable[];
  /** The S3 gateway endpoint on the private route tables. */
  readonly s3Endpoint: VpcEndpoint;

  constructor(scope: Construct, id: string, props: AirflowVpcProps) {
    super(scope, id);
    const tag = (name: string, extra: Record<string, string> = {}) => ({ Name: `${props.name}-${name}`, ...extra });
    const azs = props.availabilityZones;

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsSupport: true,
      // awsvpc tasks get resolvable hostnames only with DNS hostnames on (worker log URLs, service discovery).
      enableDnsHostnames: true,
      tags: tag("vpc"),
    });
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, tags: tag("default-closed") });

    const subnet = (tier: "public" | "private", i: number) =>
      new Subnet(this, `${tier}-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: props.subnets[tier][i],
        availabilityZone: azs[i],
        mapPublicIpOnLaunch: false,
        tags: tag(`${tier}-${azs[i]}`, { tier }),
      });
    this.publicSubnets = azs.map((_, i) => subnet("public", i));
    this.privateSubnets = azs.map((_, i) => subnet("private", i));

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: tag("igw") });
    const publicRoutes = new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: tag("public") });
    new Route(this, "public-default", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
    this.publicSubnets.forEach((s, i) => new RouteTableAssociation(this, `public-rta-${i}`, { subnetId: s.id, routeTableId: publicRoutes.id }));

    const natCount = props.natGateways === "per-az" ? azs.length : 1;
    this.natIps = [];
    this.natGateways = [];
    for (let i = 0; i < natCount; i++) {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: tag(`nat-${azs[i]}`) });
      this.natIps.push(eip);
      this.natGateways.push(
        new NatGateway(this, `nat-${i}`, { allocationId: eip.id, subnetId: this.publicSubnets[i].id, tags: tag(`nat-${azs[i]}`), dependsOn: [igw] }),
      );
    }

    this.privateRouteTables = azs.map((az, i) => {
      const table = new RouteTable(this, `private-rt-${i}`, { vpcId: this.vpc.id, tags: tag(`private-${az}`) });
      new Route(this, `private-default-${i}`, {
        routeTableId: table.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: this.natGateways[Math.min(i, natCount - 1)].id,
      });
      new RouteTableAssociation(this, `private-rta-${i}`, { subnetId: this.privateSubnets[i].id, routeTableId: table.id });
      return table;
    });

    this.s3Endpoint = new VpcEndpoint(this, "s3-endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: this.privateRouteTables.map((t) => t.id),
      tags: tag("s3"),
    });
  }

  get vpcId(): string {
    return this.vpc.id;
  }

  get cidrBlock(): string {
    return this.vpc.cidrBlock;
  }

  get publicSubnetIds(): string[] {
    return this.publicSubnets.map((s) => s.id);
  }

  get privateSubnetIds(): string[] {
    return this.privateSubnets.map((s) => s.id);
  }

  /** Egress addresses of the environment (what third parties allow-list). */
  get natPublicIps(): string[] {
    return this.natIps.map((ip) => ip.publicIp);
  }
}
