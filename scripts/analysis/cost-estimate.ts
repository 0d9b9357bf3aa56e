/**
 * Monthly run-rate estimate of one environment, per stack, from its synthesized stacks and a dated price table
 * (scripts/analysis/prices-eu-west-1.ts). Quantities and sizes come from the resources, priced per resource family in
 * cost/: network (NAT gateways, Elastic IPs, interface endpoints × their subnets), compute (Auto Scaling groups with
 * their launch template's instance type and root volumes; Fargate worker pools by task CPU/memory, autoscaling min
 * and max and Spot share; Lambda by schedule, timeout and memory), databases (RDS instance class, Multi-AZ, storage,
 * managed secret; ElastiCache node type × nodes), storage with assumed usage, the ALB and WAF, and account services
 * (KMS keys, secrets, alarms by resolution, dashboards, custom metrics, hosted zones), the metrics pipeline (the
 * custom metrics the collector and the publisher declare, tiered, and their EMF log ingestion), and the saving of the
 * environment's hibernation schedules (cost/hibernation.ts). A size with no price (an instance type missing from the
 * table) is an error naming the type and the table file.
 */
import { databaseItems } from "./cost/databases";
import { ec2Items, fargateItems, lambdaItems } from "./cost/compute";
import { loadBalancingItems } from "./cost/load-balancing";
import { managementItems } from "./cost/management";
import { metricsItems } from "./cost/metrics";
import { networkItems } from "./cost/network";
import { hibernationEstimate, type HibernationEstimate } from "./cost/hibernation";
import { costScope, MissingPriceError, round, sum, type CostFamily, type LineItem } from "./cost/pricing";
import { storageItems } from "./cost/storage";
import { EnvironmentModel } from "./model";
import { PRICE_TABLES, type PriceTable } from "./prices-eu-west-1";
import type { SynthStack } from "./synthesized";

export { MissingPriceError, type LineItem } from "./cost/pricing";

export interface StackCost {
  readonly stack: string;
  readonly items: readonly LineItem[];
  readonly monthly: number;
  readonly monthlyAtMax: number;
}

export interface CostReport {
  readonly environment: string;
  readonly region: string;
  readonly currency: "USD";
  readonly priceTable: Pick<PriceTable, "file" | "compiled" | "pricesAsOf" | "source" | "verified" | "hoursPerMonth" | "assumptions" | "excluded">;
  readonly stacks: readonly StackCost[];
  readonly total: { readonly monthly: number; readonly monthlyAtMax: number };
  /** The configured hibernation windows' saving on the steady state; absent without hibernation. */
  readonly hibernation?: HibernationEstimate & { readonly monthlyWithHibernation: number };
  /** The state bootstrap stack, shared by every environment of its bucket: listed, not in the total. */
  readonly shared: readonly StackCost[];
}

/** The resource families in the order a stack's line items are listed. */
const FAMILIES: readonly CostFamily[] = [
  networkItems,
  ec2Items,
  databaseItems,
  storageItems,
  loadBalancingItems,
  fargateItems,
  lambdaItems,
  managementItems,
  metricsItems,
];

/** The price table of the environment's region (error when there is none). */
export function priceTableFor(model: EnvironmentModel): PriceTable {
  const region = model.region();
  const table = region ? PRICE_TABLES[region] : undefined;
  if (!table) {
    throw new MissingPriceError(
      `no price table for region ${region ?? "(none found in the provider blocks)"} of environment ${model.name}; priced regions: ${Object.keys(PRICE_TABLES).join(", ")} (scripts/analysis/prices-eu-west-1.ts)`,
    );
  }
  return table;
}

export function estimateCost(model: EnvironmentModel, table: PriceTable = priceTableFor(model)): CostReport {
  const stacks = model.stacks.map((s) => stackCost(model, s, table));
  const shared = model.bootstrap ? [stackCost(new EnvironmentModel({ name: model.name, stacks: [model.bootstrap] }), model.bootstrap, table)] : [];
  const total = { monthly: round(sum(stacks.map((s) => s.monthly))), monthlyAtMax: round(sum(stacks.map((s) => s.monthlyAtMax))) };
  const hibernation = hibernationEstimate(
    model,
    stacks.flatMap((s) => s.items),
  );
  return {
    environment: model.name,
    region: table.region,
    currency: table.currency,
    priceTable: {
      file: table.file,
      compiled: table.compiled,
      pricesAsOf: table.pricesAsOf,
      source: table.source,
      verified: table.verified,
      hoursPerMonth: table.hoursPerMonth,
      assumptions: table.assumptions,
      excluded: table.excluded,
    },
    stacks,
    total,
    ...(hibernation ? { hibernation: { ...hibernation, monthlyWithHibernation: round(total.monthly - hibernation.monthlySaving) } } : {}),
    shared,
  };
}

function stackCost(model: EnvironmentModel, stack: SynthStack, table: PriceTable): StackCost {
  const scope = costScope(model, stack, table);
  const items = FAMILIES.flatMap((family) => family(scope)).map((i) => ({ ...i, monthly: round(i.monthly), monthlyAtMax: round(i.monthlyAtMax) }));
  return { stack: stack.id, items, monthly: round(sum(items.map((i) => i.monthly))), monthlyAtMax: round(sum(items.map((i) => i.monthlyAtMax))) };
}
