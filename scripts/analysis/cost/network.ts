/** Network: NAT gateways (hourly; data processing excluded), Elastic IPs, and interface endpoints × their subnets. */
import { counted, fixed, sum, usd, type CostScope, type LineItem } from "./pricing";

export function networkItems({ model, table: t, hours: H, of, literal }: CostScope): LineItem[] {
  const nats = of("aws_nat_gateway").length;
  const eips = of("aws_eip").length;
  const interfaceEndpoints = of("aws_vpc_endpoint").filter((e) => literal(e, "vpc_endpoint_type") === "Interface");
  const endpointAzs = sum(interfaceEndpoints.map((e) => model.resolve(e.stack, e.body.subnet_ids ?? []).length));
  return [
    ...fixed(
      "NAT gateways (hourly; data processing excluded)",
      "aws_nat_gateway",
      nats,
      nats * t.natGatewayHourly * H,
      `${nats} × ${usd(t.natGatewayHourly)}/h × ${H} h`,
    ),
    ...fixed("public IPv4 addresses (Elastic IPs)", "aws_eip", eips, eips * t.publicIpv4Hourly * H, `${eips} × ${usd(t.publicIpv4Hourly)}/h × ${H} h`),
    ...fixed(
      `interface VPC endpoints (${counted(interfaceEndpoints.length, "endpoint")})`,
      "aws_vpc_endpoint",
      endpointAzs,
      endpointAzs * t.interfaceEndpointAzHourly * H,
      `${endpointAzs} endpoint-AZs (one per endpoint subnet) × ${usd(t.interfaceEndpointAzHourly)}/h × ${H} h`,
    ),
  ];
}
