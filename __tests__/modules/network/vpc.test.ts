import { TerraformOutput, Testing } from "cdktf";
import { AirflowVpc, type AirflowVpcProps } from "../../../modules/network/vpc";

const props = (overrides: Partial<AirflowVpcProps> = {}): AirflowVpcProps => ({
  name: "airflow-test",
  cidr: "10.0.0.0/16",
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  subnets: { private: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"], public: ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"] },
  natGateways: "per-az",
  region: "eu-west-1",
  ...overrides,
});

function synth(p: AirflowVpcProps) {
  const json = JSON.parse(Testing.synthScope((scope) => new AirflowVpc(scope, "vpc", p)));
  const of = (type: string) => Object.values(json.resource[type] ?? {}) as Record<string, any>[];
  return { json, of };
}

describe("AirflowVpc", () => {
  it("creates one public and one private subnet per AZ, none assigning public IPs", () => {
    const { of } = synth(props());
    const subnets = of("aws_subnet");
    expect(subnets.map((s) => [s.tags.tier, s.availability_zone, s.cidr_block]).sort()).toEqual(
      [
        ["private", "eu-west-1a", "10.0.0.0/19"],
        ["private", "eu-west-1b", "10.0.32.0/19"],
        ["private", "eu-west-1c", "10.0.64.0/19"],
        ["public", "eu-west-1a", "10.0.224.0/22"],
        ["public", "eu-west-1b", "10.0.228.0/22"],
        ["public", "eu-west-1c", "10.0.232.0/22"],
      ].sort(),
    );
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  it("enables DNS support and hostnames (awsvpc task hostnames, service discovery)", () => {
    const { of } = synth(props());
    expect(of("aws_vpc")[0]).toMatchObject({ cidr_block: "10.0.0.0/16", enable_dns_support: true, enable_dns_hostnames: true });
  });

  it("routes each private subnet through the NAT gateway of its own AZ in per-az mode", () => {
    // GIVEN per-AZ NAT WHEN synthesized THEN three NAT gateways, each private route table using a different one
    const { of } = synth(props());
    expect(of("aws_nat_gateway")).toHaveLength(3);
    const natRoutes = of("aws_route").filter((r) => r.nat_gateway_id);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(3);
  });

  it("shares one NAT gateway in single mode", () => {
    const { of } = synth(props({ natGateways: "single" }));
    expect(of("aws_nat_gateway")).toHaveLength(1);
    expect(
      new Set(
        of("aws_route")
          .filter((r) => r.nat_gateway_id)
          .map((r) => r.nat_gateway_id),
      ).size,
    ).toBe(1);
    expect(of("aws_route_table").length).toBe(4);
  });

  it("sends public subnets to the internet gateway", () => {
    const { of } = synth(props());
    const igwRoutes = of("aws_route").filter((r) => r.gateway_id);
    expect(igwRoutes).toEqual([expect.objectContaining({ destination_cidr_block: "0.0.0.0/0", gateway_id: expect.stringMatching(/aws_internet_gateway/) })]);
    expect(of("aws_route_table_association")).toHaveLength(6);
  });

  it("attaches the S3 gateway endpoint to every private route table", () => {
    const { of } = synth(props());
    const endpoint = of("aws_vpc_endpoint")[0];
    expect(endpoint).toMatchObject({ service_name: "com.amazonaws.eu-west-1.s3", vpc_endpoint_type: "Gateway" });
    expect(endpoint.route_table_ids).toHaveLength(3);
  });

  it("manages the default security group with no rules (closed)", () => {
    const { of } = synth(props());
    const sg = of("aws_default_security_group")[0];
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  it("exposes its ids, subnets per tier (in AZ order) and NAT addresses as references to its resources", () => {
    // GIVEN a three-AZ VPC WHEN its members are published THEN each refers to the resources it names
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        const vpc = new AirflowVpc(scope, "vpc", props());
        const exposed = { id: vpc.vpcId, cidr: vpc.cidrBlock, public: vpc.publicSubnetIds, private: vpc.privateSubnetIds, nat: vpc.natPublicIps };
        for (const [name, value] of Object.entries(exposed)) new TerraformOutput(scope, name, { value });
      }),
    );
    const out = (name: string) => json.output[name].value;
    expect(out("id")).toMatch(/^\$\{aws_vpc\.vpc_\w+\.id\}$/);
    expect(out("cidr")).toMatch(/^\$\{aws_vpc\.vpc_\w+\.cidr_block\}$/);
    expect(out("private").map((id: string) => id.replace(/_[0-9A-F]{8}\./, "."))).toEqual([0, 1, 2].map((i) => `\${aws_subnet.vpc_private-${i}.id}`));
    expect(out("public").map((id: string) => id.replace(/_[0-9A-F]{8}\./, "."))).toEqual([0, 1, 2].map((i) => `\${aws_subnet.vpc_public-${i}.id}`));
    expect(out("nat")).toHaveLength(3);
  });
});
