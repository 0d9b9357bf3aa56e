/**
 * Compute: EC2 (Auto Scaling groups at min_size and max_size with their root volumes, on demand or Spot; single instances), Fargate
 * services (task CPU/memory × autoscaling min and max, Spot share; EC2-placed services are paid through the
 * instances) and Lambda functions (schedule × timeout × memory).
 */
import { ecsServices, type EcsServiceFacts } from "../ecs-services";
import { asNumber, type Body, type EnvironmentModel, type ResourceRef } from "../model";
import type { PriceTable } from "../prices-eu-west-1";
import { fixed, lookup, MissingPriceError, round, sum, usd, type CostScope, type LineItem } from "./pricing";

export function ec2Items(scope: CostScope): LineItem[] {
  const { table: t, hours: H, of, literal } = scope;
  const groups = of("aws_autoscaling_group").flatMap((asg) => autoScalingGroupItems(scope, asg));
  const instances = of("aws_instance").flatMap((instance) => {
    const type = String(literal(instance, "instance_type"));
    const hourly = lookup(t, t.ec2Hourly, "EC2 instance type", "ec2Hourly", type, instance);
    return fixed(`EC2 ${type} (instance ${instance.name})`, "aws_instance", 1, hourly * H, `1 × ${usd(hourly)}/h × ${H} h`);
  });
  return [...groups, ...instances];
}

/** What an Auto Scaling group buys: its instance type(s) and hourly price, on demand or as Spot. */
function groupPurchase(
  { model, table: t }: CostScope,
  asg: ResourceRef,
  name: string,
): { label: string; hourly: number; priceBasis: string; template: ResourceRef } {
  const mixed = asg.body.mixed_instances_policy as Body | undefined;
  const spec =
    (mixed
      ? ((mixed.launch_template as Body | undefined)?.launch_template_specification as Body | undefined)
      : (asg.body.launch_template as Body | undefined)) ?? {};
  const template = model.referencedResources(asg.stack, spec.id ?? spec.launch_template_id ?? spec.name ?? spec.launch_template_name, "aws_launch_template")[0];
  if (!template) throw new MissingPriceError(`cannot determine the launch template of Auto Scaling group ${name} (${asg.stack})`);
  if (!mixed) {
    const type = model.literal(template.stack, template.body.instance_type);
    if (typeof type !== "string")
      throw new MissingPriceError(
        `cannot determine the instance type of Auto Scaling group ${name} (${asg.stack}): no launch template with a literal instance_type`,
      );
    const hourly = lookup(t, t.ec2Hourly, "EC2 instance type", "ec2Hourly", type, template);
    return { label: `EC2 ${type}`, hourly, priceBasis: `${usd(hourly)}/h`, template };
  }
  const distribution = (mixed.instances_distribution as Body | undefined) ?? {};
  const onDemand = [distribution.on_demand_base_capacity, distribution.on_demand_percentage_above_base_capacity].map((v) =>
    asNumber(model.literal(asg.stack, v)),
  );
  if (onDemand.some((v) => v !== 0)) {
    throw new MissingPriceError(
      `Auto Scaling group ${name} (${asg.stack}) mixes on-demand and Spot instances, which the estimate does not price (only all-Spot groups)`,
    );
  }
  const overrides = ((mixed.launch_template as Body).override as Body[] | undefined) ?? [];
  const types = overrides.map((o) => String(model.literal(asg.stack, o.instance_type)));
  if (types.length === 0) throw new MissingPriceError(`Spot Auto Scaling group ${name} (${asg.stack}) lists no instance types`);
  const dearest = Math.max(...types.map((type) => lookup(t, t.ec2Hourly, "EC2 instance type", "ec2Hourly", type, asg)));
  const hourly = Math.round(dearest * (1 - t.ec2SpotDiscount) * 1e4) / 1e4;
  return {
    label: `EC2 Spot ${types.join("/")}`,
    hourly,
    priceBasis: `${usd(hourly)}/h (on-demand ${usd(dearest)} − ${Math.round(t.ec2SpotDiscount * 100)}% Spot)`,
    template,
  };
}

/**
 * An Auto Scaling group's instances (headline at min_size, ceiling at max_size) and their gp3 volumes. The groups
 * behind ECS capacity providers stop while the environment hibernates; the others (the bastion) do not.
 */
function autoScalingGroupItems(scope: CostScope, asg: ResourceRef): LineItem[] {
  const { model, table: t, hours: H, literal } = scope;
  const name = String(literal(asg, "name") ?? asg.name);
  const { label, hourly, priceBasis, template } = groupPurchase(scope, asg, name);
  const hibernates = model
    .resources("aws_ecs_capacity_provider")
    .some((p) =>
      model
        .referencedResources(p.stack, (p.body.auto_scaling_group_provider as Body | undefined)?.auto_scaling_group_arn, "aws_autoscaling_group")
        .some((g) => g.stack === asg.stack && g.name === asg.name),
    );
  const min = asNumber(literal(asg, "min_size")) ?? 0;
  const max = asNumber(literal(asg, "max_size")) ?? min;
  const items: LineItem[] = [
    {
      item: `${label} (ASG ${name}; headline at min_size ${min}, at max ${max})`,
      resourceType: "aws_autoscaling_group",
      quantity: min,
      monthly: min * hourly * H,
      monthlyAtMax: max * hourly * H,
      basis: `${min} × ${priceBasis} × ${H} h (max: ${max} ×)`,
      ...(hibernates ? { hibernates } : {}),
    },
  ];
  const gb = sum(((template.body.block_device_mappings as Body[] | undefined) ?? []).map((m) => asNumber((m.ebs as Body | undefined)?.volume_size) ?? 0));
  if (gb > 0) {
    items.push({
      item: `EBS gp3 (ASG ${name}: ${gb} GB per instance)`,
      resourceType: "aws_launch_template",
      quantity: min * gb,
      monthly: min * gb * t.ebsGp3GbMonth,
      monthlyAtMax: max * gb * t.ebsGp3GbMonth,
      basis: `${min} × ${gb} GB × ${usd(t.ebsGp3GbMonth)}/GB-month (max: ${max} ×)`,
      ...(hibernates ? { hibernates } : {}),
    });
  }
  return items;
}

export function fargateItems({ model, stack, table: t }: CostScope): LineItem[] {
  return ecsServices(model)
    .filter((s) => s.ref.stack === stack.id && s.capacity.kind !== "ec2")
    .map((service) => fargateItem(service, t));
}

function fargateItem(service: EcsServiceFacts, t: PriceTable): LineItem {
  const H = t.hoursPerMonth;
  if (service.cpuArchitecture && service.cpuArchitecture !== "X86_64") {
    throw new MissingPriceError(
      `unknown Fargate platform ${service.cpuArchitecture} (aws_ecs_service.${service.ref.name} in ${service.ref.stack}): ${t.file} prices x86_64 Fargate only`,
    );
  }
  const spotShare = service.capacity.spotShare;
  const vcpu = (service.cpu ?? 0) / 1024;
  const gb = (service.memory ?? 0) / 1024;
  const perTaskHour = (p: { vcpuHour: number; gbHour: number }) => vcpu * p.vcpuHour + gb * p.gbHour;
  const hourly = spotShare * perTaskHour(t.fargateSpot) + (1 - spotShare) * perTaskHour(t.fargate);
  const prices = spotShare === 1 ? t.fargateSpot : t.fargate;
  const label = spotShare === 1 ? "Fargate Spot" : spotShare === 0 ? "Fargate" : `Fargate (${Math.round(spotShare * 100)}% Spot)`;
  return {
    item: `${label} ${service.shortName} (${vcpu} vCPU, ${gb} GB; ${service.countSource}, max ${service.maxCount})`,
    resourceType: "aws_ecs_service",
    hibernates: true,
    quantity: service.count,
    monthly: service.count * hourly * H,
    monthlyAtMax: service.maxCount * hourly * H,
    basis:
      spotShare === 0 || spotShare === 1
        ? `${service.count} × (${vcpu} × ${usd(prices.vcpuHour)} + ${gb} × ${usd(prices.gbHour)})/h × ${H} h (max: ${service.maxCount} ×)`
        : `${service.count} × ${usd(round(hourly * 1e4) / 1e4)}/h (weighted Spot/on-demand) × ${H} h (max: ${service.maxCount} ×)`,
  };
}

export function lambdaItems({ model, table: t, hours: H, of, literal }: CostScope): LineItem[] {
  return of("aws_lambda_function").flatMap((fn) => {
    const name = String(literal(fn, "function_name") ?? fn.name);
    const memoryGb = (asNumber(literal(fn, "memory_size")) ?? 128) / 1024;
    const seconds = asNumber(literal(fn, "timeout")) ?? 3;
    const schedules = scheduleExpressions(model, fn);
    if (schedules.length === 0) {
      return [
        {
          item: `Lambda ${name} (event-driven)`,
          resourceType: "aws_lambda_function",
          quantity: 0,
          monthly: 0,
          monthlyAtMax: 0,
          basis: "no schedule: invoked by events (e.g. secret rotation), assumed negligible",
        },
      ];
    }
    const invocations = sum(schedules.map((s) => invocationsPerMonth(s, H, fn)));
    const gbSeconds = invocations * seconds * memoryGb;
    const monthly = gbSeconds * t.lambdaGbSecond + (invocations / 1e6) * t.lambdaMillionRequests;
    return fixed(
      `Lambda ${name} (${schedules.join(", ")}, ${seconds} s × ${memoryGb * 1024} MB per run)`,
      "aws_lambda_function",
      invocations,
      monthly,
      `${invocations} runs × ${seconds} s × ${memoryGb} GB = ${gbSeconds} GB-s × ${usd(t.lambdaGbSecond)} + ${invocations / 1e6}M requests × ${usd(t.lambdaMillionRequests)}`,
    );
  });
}

/** Schedule expressions of the EventBridge rules that target a function. */
function scheduleExpressions(model: EnvironmentModel, fn: ResourceRef): string[] {
  const schedules: string[] = [];
  for (const target of model.resources("aws_cloudwatch_event_target")) {
    const targetsFunction = model
      .resolve(target.stack, target.body.arn)
      .some((r) => r.kind === "attribute" && r.address.type === fn.type && r.address.name === fn.name && r.address.stack === fn.stack);
    if (!targetsFunction) continue;
    for (const rule of model.referencedResources(target.stack, target.body.rule, "aws_cloudwatch_event_rule")) {
      const expression = model.literal(rule.stack, rule.body.schedule_expression);
      if (typeof expression === "string") schedules.push(expression);
    }
  }
  return schedules;
}

function invocationsPerMonth(expression: string, hours: number, fn: ResourceRef): number {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!rate)
    throw new MissingPriceError(
      `cannot estimate the invocations of schedule "${expression}" (aws_lambda_function.${fn.name} in ${fn.stack}): only rate(...) schedules are supported`,
    );
  const every = Number(rate[1]);
  const perHour = rate[2].startsWith("minute") ? 60 / every : rate[2].startsWith("hour") ? 1 / every : 1 / (24 * every);
  return Math.round(hours * perHour);
}
