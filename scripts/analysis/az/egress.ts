/** NAT / internet egress: which private subnets lose their default route when an AZ (and its NAT gateway) is lost. */
import { uniqueSorted } from "../model";
import { INTERNET, type NetworkFacts } from "../network-facts";
import type { AzContext } from "./context";
import { lambdaFunctions } from "./lambda";
import { combine, list, plural, tier, uniform, type TierResult } from "./verdict";

export function analyzeEgress(context: AzContext): TierResult[] {
  const { model, network, azs, services } = context;
  // Functions outside the VPC reach AWS APIs from the Lambda service's network, never through NAT.
  const vpcFunctions = lambdaFunctions(model).filter((f) => f.subnets !== undefined);
  const workloadNeeds = uniqueSorted([...services.flatMap((s) => s.startNeeds), ...vpcFunctions.flatMap((f) => f.needs)]);
  const note = endpointNote(network, workloadNeeds);
  if (network.natGateways.length === 0) {
    return [
      tier(
        "egress",
        "NAT / internet egress",
        true,
        uniform(azs, "serving", `No NAT gateways: private subnets have no internet egress by design, so no AZ carries it. ${note}`),
      ),
    ];
  }
  const privateSubnets = network.privateSubnets().filter((r) => r.defaultRoute.kind === "nat");
  const natAzOf = (p: (typeof privateSubnets)[number]) => (p.defaultRoute.kind === "nat" ? p.defaultRoute.natAz : undefined);
  const natAzs = uniqueSorted(network.natGateways.map((n) => n.az ?? "unknown AZ"));
  const usage = natAzs.map((natAz) => `${natAz} ← ${list(uniqueSorted(privateSubnets.filter((p) => natAzOf(p) === natAz).map((p) => p.subnet.az)))}`);
  const gateways = plural(network.natGateways.length, "NAT gateway");
  const verdict = combine(azs, (lost) => {
    const cut = uniqueSorted(privateSubnets.filter((p) => p.subnet.az !== lost && natAzOf(p) === lost).map((p) => p.subnet.az));
    if (cut.length > 0) {
      return {
        verdict: "outage",
        why: `${gateways} (in ${list(natAzs)}; NAT AZ ← private subnet AZs routed to it: ${usage.join("; ")}): losing ${lost} cuts internet egress from the private subnets in ${list(cut)} as well. ${note}`,
      };
    }
    return {
      verdict: "serving",
      why: `${gateways}, one per AZ (${list(natAzs)}); each private route table uses the NAT gateway of its own AZ (${usage.join("; ")}), so losing an AZ removes only that AZ's egress. ${note}`,
    };
  });
  return [tier("egress", "NAT / internet egress", true, verdict)];
}

/** Which AWS APIs the workloads reach through endpoints, and which still through NAT. */
function endpointNote(network: NetworkFacts, workloadNeeds: readonly string[]): string {
  const privateSubnets = network.privateSubnets().filter((r) => r.defaultRoute.kind === "nat");
  const endpointServices = [...network.interfaceEndpoints.keys()];
  const endpointAzs = uniqueSorted([...network.interfaceEndpoints.values()].flat());
  const throughNat = workloadNeeds.filter(
    (n) => n === INTERNET || (!network.interfaceEndpoints.has(n) && !(n === "s3" && privateSubnets.every((p) => p.s3Gateway))),
  );
  const gatewayEndpoints = network.gatewayEndpoints;
  if (endpointServices.length > 0) {
    return `Interface endpoints (${plural(endpointServices.length, "service")}: ${list(endpointServices)}) in ${list(endpointAzs)}${gatewayEndpoints.length > 0 ? ` and the ${list(gatewayEndpoints)} gateway endpoint` : ""} keep those AWS APIs off NAT; through NAT still: ${list(throughNat)}.`;
  }
  return `No interface endpoints: ${list(throughNat)} (image pulls, secrets, logs, the ECS agent) ${throughNat.length === 1 ? "goes" : "go"} through NAT${gatewayEndpoints.length > 0 ? `; only ${list(gatewayEndpoints)} has a gateway endpoint` : ""}.`;
}
