/**
 * Single-AZ failure analysis of one environment, from its synthesized stacks: for every tier, and for the loss of
 * each AZ in turn, whether the tier keeps serving, with the reason taken from the resources (cross-stack references
 * are followed to the network stack's subnets, so AZ membership is never read from configuration). One analyzer per
 * tier in az/ (egress, load balancers, ECS services, data stores, Auto Scaling groups, Lambda functions).
 *
 * Verdicts (the worst over all AZs is reported):
 * - serving:  keeps serving through the loss of any one AZ: capacity that already runs in another AZ takes over, at
 *             most after an automatic failover (RDS Multi-AZ ~60-120 s, Redis replica promotion).
 * - degraded: stops, or loses its only instance, but recovers by itself within minutes: ECS or the Auto Scaling group
 *             starts a replacement in a surviving AZ (a desired count of 1 is "degraded", not "serving").
 * - outage:   stays down until the AZ returns or an operator restores it (single-AZ database, single-node broker, a
 *             NAT gateway every AZ depends on, replacements that cannot start because what they need is unreachable).
 */
import type { EnvironmentModel } from "./model";
import { analyzeAutoScalingGroups } from "./az/auto-scaling";
import { azContext, type AzContext } from "./az/context";
import { analyzeBrokers, analyzeDatabases, analyzeFileSystems } from "./az/data-stores";
import { analyzeEgress } from "./az/egress";
import { analyzeLambdas } from "./az/lambda";
import { analyzeLoadBalancers } from "./az/load-balancers";
import { analyzeServices } from "./az/services";
import { list, VERDICTS, type TierResult, type Verdict } from "./az/verdict";

export { VERDICTS, type TierResult, type Verdict } from "./az/verdict";

export interface AzReport {
  readonly environment: string;
  readonly availabilityZones: readonly string[];
  readonly stacks: readonly string[];
  readonly verdicts: Readonly<Record<Verdict, string>>;
  readonly tiers: readonly TierResult[];
  /** One line: whether every serving-path tier keeps serving. */
  readonly summary: string;
}

/** The tier analyzers, in report order: the serving path from the edge inwards, operator tools among them. */
const ANALYZERS: readonly ((context: AzContext) => TierResult[])[] = [
  analyzeEgress,
  analyzeLoadBalancers,
  analyzeServices,
  analyzeDatabases,
  analyzeBrokers,
  analyzeFileSystems,
  analyzeAutoScalingGroups,
  analyzeLambdas,
];

export function analyzeAzFailure(model: EnvironmentModel): AzReport {
  const context = azContext(model);
  const tiers = ANALYZERS.flatMap((analyze) => analyze(context));
  const critical = tiers.filter((t) => t.critical);
  const failing = critical.filter((t) => t.verdict !== "serving");
  const summary =
    failing.length === 0
      ? `${model.name}: every serving-path tier (${critical.length}) keeps serving through the loss of any one of ${list(context.azs)}.`
      : `${model.name}: ${failing.length} of ${critical.length} serving-path tiers do not keep serving through the loss of one AZ: ${failing.map((t) => `${t.id} (${t.verdict})`).join(", ")}.`;
  return { environment: model.name, availabilityZones: context.azs, stacks: model.stacks.map((s) => s.id), verdicts: VERDICTS, tiers, summary };
}
