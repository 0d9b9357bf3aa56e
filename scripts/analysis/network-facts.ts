/**
 * The network facts the AZ-failure analysis needs, read from the synthesized resources: subnets and their AZs, which
 * route table each subnet uses and where that table's default route goes (a NAT gateway in some AZ, or the internet
 * gateway), the S3 gateway endpoint's route tables, and the interface endpoints with the AZs of their subnets. From
 * those it answers "can a private subnet still reach service X when AZ L is lost?".
 */
import { sameAddress, uniqueSorted, type EnvironmentModel, type ResourceAddress, type ResourceRef, type SubnetRef } from "./model";

/** Where a route table's default (0.0.0.0/0) route goes. */
export type DefaultRoute =
  { readonly kind: "nat"; readonly nat: ResourceAddress; readonly natAz?: string } | { readonly kind: "internet-gateway" } | { readonly kind: "none" };

export interface SubnetRouting {
  readonly subnet: SubnetRef;
  readonly routeTable?: ResourceAddress;
  readonly defaultRoute: DefaultRoute;
  /** The S3 gateway endpoint is on the subnet's route table. */
  readonly s3Gateway: boolean;
}

export interface NatGatewayFact {
  readonly address: ResourceAddress;
  readonly az?: string;
}

/** `ecr.api` for `com.amazonaws.eu-west-1.ecr.api`. */
export function endpointServiceName(serviceName: string): string {
  return serviceName.replace(/^com\.amazonaws\.[a-z0-9-]+\./, "").replace(/^aws\.api\.[a-z0-9-]+\./, "");
}

/** Pseudo-service for destinations outside AWS (public registries, external APIs): only NAT reaches it. */
export const INTERNET = "internet";

export class NetworkFacts {
  readonly subnets: readonly SubnetRef[];
  readonly availabilityZones: readonly string[];
  readonly natGateways: readonly NatGatewayFact[];
  readonly routing: readonly SubnetRouting[];
  /** Interface endpoint service (short name) → AZs of its endpoint network interfaces. */
  readonly interfaceEndpoints: ReadonlyMap<string, readonly string[]>;
  /** Gateway endpoint services (short names), e.g. `s3`. */
  readonly gatewayEndpoints: readonly string[];

  constructor(private readonly model: EnvironmentModel) {
    this.subnets = model.resources("aws_subnet").flatMap((s) => {
      const az = model.literal(s.stack, s.body.availability_zone);
      return typeof az === "string" ? [{ address: strip(s), az }] : [];
    });
    this.availabilityZones = uniqueSorted(this.subnets.map((s) => s.az));
    this.natGateways = model.resources("aws_nat_gateway").map((nat) => ({
      address: strip(nat),
      az: model.subnets(nat.stack, nat.body.subnet_id).subnets[0]?.az,
    }));

    const s3Tables: ResourceAddress[] = [];
    const gateways = new Set<string>();
    const interfaces = new Map<string, Set<string>>();
    for (const endpoint of model.resources("aws_vpc_endpoint")) {
      const service = endpointServiceName(String(model.literal(endpoint.stack, endpoint.body.service_name) ?? ""));
      const type = String(model.literal(endpoint.stack, endpoint.body.vpc_endpoint_type) ?? "Gateway");
      if (type === "Interface") {
        const azs = interfaces.get(service) ?? new Set<string>();
        for (const subnet of model.subnets(endpoint.stack, endpoint.body.subnet_ids ?? []).subnets) azs.add(subnet.az);
        interfaces.set(service, azs);
      } else if (type === "Gateway") {
        gateways.add(service);
        if (service === "s3") s3Tables.push(...model.referencedResources(endpoint.stack, endpoint.body.route_table_ids ?? [], "aws_route_table").map(strip));
      }
    }
    this.interfaceEndpoints = new Map([...interfaces].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, uniqueSorted(v)]));
    this.gatewayEndpoints = uniqueSorted(gateways);

    const associations = model.resources("aws_route_table_association");
    this.routing = this.subnets.map((subnet) => {
      const association = associations.find((a) => model.subnets(a.stack, a.body.subnet_id).subnets.some((s) => sameAddress(s.address, subnet.address)));
      const table = association ? model.referencedResources(association.stack, association.body.route_table_id, "aws_route_table")[0] : undefined;
      return {
        subnet,
        routeTable: table ? strip(table) : undefined,
        defaultRoute: table ? this.defaultRoute(table) : { kind: "none" },
        s3Gateway: table !== undefined && s3Tables.some((t) => sameAddress(t, table)),
      };
    });
  }

  private defaultRoute(table: ResourceRef): DefaultRoute {
    const model = this.model;
    const targets: { stack: string; route: Readonly<Record<string, unknown>> }[] = [];
    for (const route of model.resources("aws_route")) {
      if (model.literal(route.stack, route.body.destination_cidr_block) !== "0.0.0.0/0") continue;
      if (model.referencedResources(route.stack, route.body.route_table_id, "aws_route_table").some((t) => sameAddress(t, table)))
        targets.push({ stack: route.stack, route: route.body });
    }
    const inline = Array.isArray(table.body.route) ? (table.body.route as Readonly<Record<string, unknown>>[]) : [];
    for (const route of inline) if (route.cidr_block === "0.0.0.0/0") targets.push({ stack: table.stack, route });
    for (const { stack, route } of targets) {
      const nat = model.referencedResources(stack, route.nat_gateway_id, "aws_nat_gateway")[0];
      if (nat) return { kind: "nat", nat: strip(nat), natAz: this.natGateways.find((n) => sameAddress(n.address, nat))?.az };
      if (model.referencedResources(stack, route.gateway_id, "aws_internet_gateway").length > 0) return { kind: "internet-gateway" };
    }
    return { kind: "none" };
  }

  routingOf(subnet: ResourceAddress): SubnetRouting | undefined {
    return this.routing.find((r) => sameAddress(r.subnet.address, subnet));
  }

  /** Subnets whose default route goes through a NAT gateway or nowhere (not through the internet gateway). */
  privateSubnets(): SubnetRouting[] {
    return this.routing.filter((r) => r.defaultRoute.kind !== "internet-gateway");
  }

  /** How a private subnet reaches `service` when `lostAz` is down, or undefined when it cannot. */
  pathTo(subnet: ResourceAddress, service: string, lostAz: string): string | undefined {
    const routing = this.routingOf(subnet);
    if (!routing || routing.subnet.az === lostAz) return undefined;
    if (service === "s3" && routing.s3Gateway) return "S3 gateway endpoint";
    if (service !== INTERNET && (this.interfaceEndpoints.get(service) ?? []).some((az) => az !== lostAz)) return "interface endpoint";
    const route = routing.defaultRoute;
    if (route.kind === "nat" && route.natAz !== undefined && route.natAz !== lostAz) return `NAT gateway in ${route.natAz}`;
    return undefined;
  }

  /** The services of `needs` a subnet cannot reach while `lostAz` is down. */
  unreachable(subnet: ResourceAddress, needs: readonly string[], lostAz: string): string[] {
    return needs.filter((n) => this.pathTo(subnet, n, lostAz) === undefined);
  }
}

function strip(ref: ResourceAddress): ResourceAddress {
  return { stack: ref.stack, type: ref.type, name: ref.name };
}
