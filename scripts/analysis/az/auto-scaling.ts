/**
 * Auto Scaling groups: the EC2 capacity behind the ECS capacity providers (on the serving path), then the other
 * groups (operator access such as the bastion).
 */
import { asgSubnets, ECS_AGENT_SERVICES } from "../ecs-services";
import { asNumber, uniqueSorted, type Body, type EnvironmentModel, type ResourceRef } from "../model";
import { shortNameOf, type AzContext } from "./context";
import { combine, list, plural, tier, type TierResult, type TierVerdict } from "./verdict";

/** Session Manager: what an SSM-managed instance needs to be reachable. */
const SESSION_MANAGER_SERVICES = ["ec2messages", "ssm", "ssmmessages"];

export function analyzeAutoScalingGroups(context: AzContext): TierResult[] {
  const { model, services } = context;
  const capacityAsgs = uniqueByAddress(services.flatMap((s) => s.capacity.asgs).concat(capacityProviderAsgs(model)));
  const capacity = capacityAsgs.map((asg) =>
    tier(
      capacityAsgs.length === 1 ? "ecs-capacity" : `ecs-capacity:${asgName(model, asg)}`,
      `ECS ${spotTypes(model, asg) ? "Spot " : ""}container instances (ASG ${asgName(model, asg)})`,
      true,
      analyzeCapacity(asg, context),
    ),
  );
  const standalone = model
    .resources("aws_autoscaling_group")
    .filter((a) => !capacityAsgs.some((c) => c.stack === a.stack && c.name === a.name))
    .map((asg) => {
      const name = asgName(model, asg);
      return tier(shortNameOf(name, model.name), `${shortNameOf(name, model.name)} (ASG ${name}, operator access)`, false, analyzeStandaloneAsg(asg, context));
    });
  return [...capacity, ...standalone];
}

/**
 * EC2 capacity rule: the group spreads its instances evenly over its N AZs, so at steady state (min_size instances)
 * one AZ holds ceil(min/N). Losing an AZ keeps the other instances (and their tasks) running; the capacity provider
 * then grows the group in the surviving AZs to re-place the lost AZ's tasks. The lost instances may still count
 * until their health checks fail, so the group needs max_size ≥ min_size + ceil(min_size/N) to add the replacements
 * at once. New instances and the surviving agents must also reach the ECS APIs. A group of min_size 0 holds nothing
 * to lose: it launches instances where tasks need them. A Spot group's replacements depend on Spot capacity in the
 * surviving AZs, which nothing guarantees (its several instance types widen the pools it draws from).
 */
function analyzeCapacity(asg: ResourceRef, { model, azs, startBlocked }: AzContext): TierVerdict {
  const subnets = asgSubnets(model, asg);
  const asgAzs = uniqueSorted(subnets.map((s) => s.az));
  const min = asNumber(model.literal(asg.stack, asg.body.min_size)) ?? 0;
  const max = asNumber(model.literal(asg.stack, asg.body.max_size)) ?? min;
  const n = asgAzs.length;
  const share = n > 0 ? Math.ceil(min / n) : min;
  const spot = spotTypes(model, asg);
  const facts = `min_size ${min}, max_size ${max}, subnets in ${list(asgAzs)}${spot ? `, Spot from ${spot.join(", ")}` : ""}`;
  const spotCaveat = spot ? " Spot capacity in the surviving AZs is not guaranteed: replacements wait when none of its types is available there." : "";
  return combine(azs, (lost) => {
    if (n < 2) return { verdict: "outage", why: `${facts}: new instances can launch only in ${list(asgAzs)}.` };
    const blocked = startBlocked(subnets, [...ECS_AGENT_SERVICES], lost);
    if (blocked)
      return {
        verdict: "outage",
        why: `${facts}; when ${lost} fails the ECS agents in the surviving AZs lose the ECS control plane (${blocked}): running tasks keep running, but no task can be placed.`,
      };
    if (min === 0)
      return {
        verdict: "serving",
        why: `${facts}: the steady state holds no instance, so losing an AZ loses none; the capacity provider launches instances in the surviving AZs when tasks need them.${spotCaveat}`,
      };
    if (min < 2)
      return {
        verdict: "degraded",
        why: `${facts}: the steady state is ${plural(min, "instance")}, so losing its AZ stops every EC2-placed task until the capacity provider launches a replacement in a surviving AZ (minutes).`,
      };
    if (max < min + share)
      return {
        verdict: "degraded",
        why: `${facts}: losing an AZ removes up to ${share} of ${min} instances; max_size ${max} < ${min} + ${share}, so replacements wait until the lost instances are terminated.`,
      };
    return {
      verdict: "serving",
      why: `${facts}: the ASG balances instances over ${n} AZs, so losing one removes up to ${share} of ${min}; the others keep their tasks and max_size ${max} ≥ ${min} + ${share} lets the capacity provider add replacements in the surviving AZs at once.${spotCaveat}`,
    };
  });
}

function analyzeStandaloneAsg(asg: ResourceRef, { model, azs, startBlocked }: AzContext): TierVerdict {
  const subnets = asgSubnets(model, asg);
  const asgAzs = uniqueSorted(subnets.map((s) => s.az));
  const min = asNumber(model.literal(asg.stack, asg.body.min_size)) ?? 0;
  const max = asNumber(model.literal(asg.stack, asg.body.max_size)) ?? min;
  const facts = `Auto Scaling group of min ${min} / max ${max} over subnets in ${list(asgAzs)}`;
  return combine(azs, (lost) => {
    if (asgAzs.filter((az) => az !== lost).length === 0) return { verdict: "outage", why: `${facts}: no subnet outside ${lost}.` };
    if (min >= 2) return { verdict: "serving", why: `${facts}: instances in more than one AZ.` };
    const blocked = startBlocked(subnets, SESSION_MANAGER_SERVICES, lost);
    return blocked
      ? { verdict: "outage", why: `${facts}: the replacement launched in a surviving AZ is unreachable by Session Manager when ${lost} fails (${blocked}).` }
      : {
          verdict: "degraded",
          why: `${facts}: losing its AZ loses the instance; the group launches a replacement in a surviving AZ within minutes (Session Manager: ${list(SESSION_MANAGER_SERVICES)} reachable).`,
        };
  });
}

/** ASGs behind the environment's ECS capacity providers (also when no service names the provider explicitly). */
function capacityProviderAsgs(model: EnvironmentModel): ResourceRef[] {
  return model.resources("aws_ecs_capacity_provider").flatMap((p) => {
    const provider = p.body.auto_scaling_group_provider as Body | undefined;
    return provider ? model.referencedResources(p.stack, provider.auto_scaling_group_arn, "aws_autoscaling_group") : [];
  });
}

function uniqueByAddress(refs: readonly ResourceRef[]): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const r of refs) if (!out.some((o) => o.stack === r.stack && o.name === r.name && o.type === r.type)) out.push(r);
  return out;
}

/** The instance types of an all-Spot group (mixed instances policy, no on-demand share); undefined for other groups. */
function spotTypes(model: EnvironmentModel, asg: ResourceRef): string[] | undefined {
  const mixed = asg.body.mixed_instances_policy as Body | undefined;
  const distribution = mixed?.instances_distribution as Body | undefined;
  if (!mixed || asNumber(model.literal(asg.stack, distribution?.on_demand_percentage_above_base_capacity)) !== 0) return undefined;
  const overrides = ((mixed.launch_template as Body | undefined)?.override as Body[] | undefined) ?? [];
  return overrides.map((o) => String(model.literal(asg.stack, o.instance_type)));
}

function asgName(model: EnvironmentModel, asg: ResourceRef): string {
  return String(model.literal(asg.stack, asg.body.name) ?? asg.name);
}
