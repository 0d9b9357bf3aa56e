/** Application load balancers: a node in every AZ of its subnets, so it serves on with two or more AZs. */
import { isTrue, uniqueSorted, type Body } from "../model";
import type { AzContext } from "./context";
import { list, tier, uniform, type TierResult } from "./verdict";

export function analyzeLoadBalancers({ model, azs }: AzContext): TierResult[] {
  const albs = model.resources("aws_lb").filter((lb) => (model.literal(lb.stack, lb.body.load_balancer_type) ?? "application") === "application");
  return albs.map((lb) => {
    const mappings = Array.isArray(lb.body.subnet_mapping) ? (lb.body.subnet_mapping as Body[]).map((m) => m.subnet_id) : [];
    const lbAzs = uniqueSorted(model.subnets(lb.stack, lb.body.subnets ?? mappings).subnets.map((s) => s.az));
    const name = String(model.literal(lb.stack, lb.body.name) ?? lb.name);
    const scheme = isTrue(model.literal(lb.stack, lb.body.internal)) ? "internal" : "internet-facing";
    return tier(
      albs.length === 1 ? "alb" : `alb:${name}`,
      `ALB (${name})`,
      true,
      lbAzs.length >= 2
        ? uniform(
            azs,
            "serving",
            `${scheme} ALB with nodes in ${lbAzs.length} AZs (${list(lbAzs)}): DNS stops answering with the failed AZ's node and cross-zone balancing sends requests to healthy targets in the other AZs.`,
          )
        : uniform(azs, "outage", `ALB subnets span ${lbAzs.length === 1 ? `only ${lbAzs[0]}` : "no resolvable AZ"}: losing it takes the entry point down.`),
    );
  });
}
