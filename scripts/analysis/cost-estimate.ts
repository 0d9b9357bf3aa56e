/**
 * Monthly run-rate estimate of one environment, per stack, from its synthesized stacks and a dated price table
 * (scripts/analysis/prices-eu-west-1.ts). Quantities and sizes come from the resources: NAT gateways, Elastic IPs,
 * interface endpoints × their subnets, Auto Scaling groups (instance type from the launch template, min and max
 * size, root volumes), RDS (instance class, Multi-AZ, storage, managed secret), ElastiCache (node type × nodes),
 * Fargate worker pools (task CPU/memory × autoscaling min and max, Spot share), Lambda (schedule, timeout, memory),
 * KMS keys, secrets, alarms (standard vs high resolution), dashboards, log groups, buckets, the ALB and WAF. A size
 * with no price (an instance type missing from the table) is an error naming the type and the table file.
 */
import { ecsServices } from "./ecs-services";
import { asNumber, EnvironmentModel, isTrue, type Body, type ResourceRef } from "./model";
import { PRICE_TABLES, type PriceTable } from "./prices-eu-west-1";
import { AnalysisInputError, type SynthStack } from "./synthesized";

export interface LineItem {
  readonly item: string;
  readonly resourceType: string;
  /** Steady-state quantity of the billed unit (instances, gateways, endpoint-AZs, GB, ...). */
  readonly quantity: number;
  readonly monthly: number;
  readonly monthlyAtMax: number;
  /** The computation with the table's prices, e.g. `3 × $0.048/h × 730 h`. */
  readonly basis: string;
}

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
  /** The state bootstrap stack, shared by every environment of its bucket: listed, not in the total. */
  readonly shared: readonly StackCost[];
}

/** A size or kind the price table has no price for. */
export class MissingPriceError extends AnalysisInputError {
  constructor(message: string) {
    super(message);
    this.name = "MissingPriceError";
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;
const usd = (n: number): string => `$${String(n)}`;

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

function lookup(table: PriceTable, prices: Readonly<Record<string, number>>, kind: string, listName: string, size: string, where: ResourceRef): number {
  const price = prices[size];
  if (price === undefined) {
    throw new MissingPriceError(
      `unknown ${kind} "${size}" (${where.type}.${where.name} in ${where.stack}): no ${table.region} price in ${table.file}; add its on-demand hourly list price to ${listName} there`,
    );
  }
  return price;
}

export function estimateCost(model: EnvironmentModel, table: PriceTable = priceTableFor(model)): CostReport {
  const stacks = model.stacks.map((s) => stackCost(model, s, table));
  const shared = model.bootstrap ? [stackCost(new EnvironmentModel({ name: model.name, stacks: [model.bootstrap] }), model.bootstrap, table)] : [];
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
    total: { monthly: round(sum(stacks.map((s) => s.monthly))), monthlyAtMax: round(sum(stacks.map((s) => s.monthlyAtMax))) },
    shared,
  };
}

const counted = (n: number, singular: string, plural = `${singular}s`): string => `${n} ${n === 1 ? singular : plural}`;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function stackCost(model: EnvironmentModel, stack: SynthStack, table: PriceTable): StackCost {
  const items = lineItems(model, stack, table).map((i) => ({ ...i, monthly: round(i.monthly), monthlyAtMax: round(i.monthlyAtMax) }));
  return { stack: stack.id, items, monthly: round(sum(items.map((i) => i.monthly))), monthlyAtMax: round(sum(items.map((i) => i.monthlyAtMax))) };
}

function lineItems(model: EnvironmentModel, stack: SynthStack, t: PriceTable): LineItem[] {
  const H = t.hoursPerMonth;
  const items: LineItem[] = [];
  const of = (type: string) => model.resources(type, [stack]);
  const fixed = (item: string, resourceType: string, quantity: number, monthly: number, basis: string) => {
    if (quantity > 0) items.push({ item, resourceType, quantity, monthly, monthlyAtMax: monthly, basis });
  };
  const literal = (r: ResourceRef, attribute: string) => model.literal(r.stack, r.body[attribute]);

  // ---- network ----------------------------------------------------------------------------------------------------
  const nats = of("aws_nat_gateway").length;
  fixed(
    "NAT gateways (hourly; data processing excluded)",
    "aws_nat_gateway",
    nats,
    nats * t.natGatewayHourly * H,
    `${nats} × ${usd(t.natGatewayHourly)}/h × ${H} h`,
  );
  const eips = of("aws_eip").length;
  fixed("public IPv4 addresses (Elastic IPs)", "aws_eip", eips, eips * t.publicIpv4Hourly * H, `${eips} × ${usd(t.publicIpv4Hourly)}/h × ${H} h`);
  const interfaceEndpoints = of("aws_vpc_endpoint").filter((e) => literal(e, "vpc_endpoint_type") === "Interface");
  const endpointAzs = sum(interfaceEndpoints.map((e) => model.resolve(e.stack, e.body.subnet_ids ?? []).length));
  fixed(
    `interface VPC endpoints (${counted(interfaceEndpoints.length, "endpoint")})`,
    "aws_vpc_endpoint",
    endpointAzs,
    endpointAzs * t.interfaceEndpointAzHourly * H,
    `${endpointAzs} endpoint-AZs (one per endpoint subnet) × ${usd(t.interfaceEndpointAzHourly)}/h × ${H} h`,
  );

  // ---- EC2: Auto Scaling groups and instances -------------------------------------------------------------------------
  for (const asg of of("aws_autoscaling_group")) {
    const name = String(literal(asg, "name") ?? asg.name);
    if (asg.body.mixed_instances_policy !== undefined)
      throw new MissingPriceError(`Auto Scaling group ${name} (${asg.stack}) uses a mixed instances policy, which the estimate does not price`);
    const spec = asg.body.launch_template as Body | undefined;
    const template = spec ? model.referencedResources(asg.stack, spec.id ?? spec.name, "aws_launch_template")[0] : undefined;
    const type = template ? model.literal(template.stack, template.body.instance_type) : undefined;
    if (!template || typeof type !== "string")
      throw new MissingPriceError(
        `cannot determine the instance type of Auto Scaling group ${name} (${asg.stack}): no launch template with a literal instance_type`,
      );
    const hourly = lookup(t, t.ec2Hourly, "EC2 instance type", "ec2Hourly", type, template);
    const min = asNumber(literal(asg, "min_size")) ?? 0;
    const max = asNumber(literal(asg, "max_size")) ?? min;
    items.push({
      item: `EC2 ${type} (ASG ${name}; headline at min_size ${min}, at max ${max})`,
      resourceType: "aws_autoscaling_group",
      quantity: min,
      monthly: min * hourly * H,
      monthlyAtMax: max * hourly * H,
      basis: `${min} × ${usd(hourly)}/h × ${H} h (max: ${max} ×)`,
    });
    const gb = sum(((template.body.block_device_mappings as Body[] | undefined) ?? []).map((m) => asNumber((m.ebs as Body | undefined)?.volume_size) ?? 0));
    if (gb > 0) {
      items.push({
        item: `EBS gp3 (ASG ${name}: ${gb} GB per instance)`,
        resourceType: "aws_launch_template",
        quantity: min * gb,
        monthly: min * gb * t.ebsGp3GbMonth,
        monthlyAtMax: max * gb * t.ebsGp3GbMonth,
        basis: `${min} × ${gb} GB × ${usd(t.ebsGp3GbMonth)}/GB-month (max: ${max} ×)`,
      });
    }
  }
  for (const instance of of("aws_instance")) {
    const type = String(literal(instance, "instance_type"));
    const hourly = lookup(t, t.ec2Hourly, "EC2 instance type", "ec2Hourly", type, instance);
    fixed(`EC2 ${type} (instance ${instance.name})`, "aws_instance", 1, hourly * H, `1 × ${usd(hourly)}/h × ${H} h`);
  }

  // ---- RDS --------------------------------------------------------------------------------------------------------
  for (const db of of("aws_db_instance")) {
    const id = String(literal(db, "identifier") ?? db.name);
    const engine = String(literal(db, "engine") ?? "");
    if (engine !== "postgres")
      throw new MissingPriceError(`unknown RDS engine "${engine}" (aws_db_instance.${db.name} in ${db.stack}): ${t.file} prices PostgreSQL only`);
    const instanceClass = String(literal(db, "instance_class"));
    const hourly = lookup(t, t.rdsPostgresHourly, "RDS instance class", "rdsPostgresHourly", instanceClass, db);
    const copies = isTrue(literal(db, "multi_az")) ? 2 : 1;
    const deployment = copies === 2 ? "Multi-AZ: primary + standby" : "Single-AZ";
    fixed(`RDS PostgreSQL ${instanceClass} (${id}, ${deployment})`, "aws_db_instance", copies, copies * hourly * H, `${copies} × ${usd(hourly)}/h × ${H} h`);
    const gb = asNumber(literal(db, "allocated_storage")) ?? 0;
    const maxGb = asNumber(literal(db, "max_allocated_storage")) ?? gb;
    items.push({
      item: `RDS storage (${id}, ${String(literal(db, "storage_type") ?? "gp2")}, ${gb} GB allocated, autoscaling to ${maxGb} GB)`,
      resourceType: "aws_db_instance",
      quantity: gb * copies,
      monthly: gb * copies * t.rdsGp3GbMonth,
      monthlyAtMax: maxGb * copies * t.rdsGp3GbMonth,
      basis: `${gb} GB × ${copies} × ${usd(t.rdsGp3GbMonth)}/GB-month (max: ${maxGb} GB)`,
    });
    const retention = asNumber(literal(db, "performance_insights_retention_period")) ?? 7;
    if (isTrue(literal(db, "performance_insights_enabled")) && retention > 7) {
      throw new MissingPriceError(
        `Performance Insights retention of ${retention} days (aws_db_instance.${db.name} in ${db.stack}) is a paid tier with no price in ${t.file}`,
      );
    }
    if (isTrue(literal(db, "manage_master_user_password")))
      fixed(`RDS-managed master secret (${id})`, "aws_db_instance", 1, t.secretMonth, `1 × ${usd(t.secretMonth)}/secret-month`);
  }

  // ---- ElastiCache --------------------------------------------------------------------------------------------------
  for (const rg of of("aws_elasticache_replication_group")) {
    const nodeType = String(literal(rg, "node_type"));
    const hourly = lookup(t, t.elasticacheHourly, "ElastiCache node type", "elasticacheHourly", nodeType, rg);
    const groups = asNumber(literal(rg, "num_node_groups"));
    const replicas = asNumber(literal(rg, "replicas_per_node_group"));
    const nodes = asNumber(literal(rg, "num_cache_clusters")) ?? (groups !== undefined ? groups * ((replicas ?? 0) + 1) : 1);
    fixed(
      `ElastiCache ${nodeType} × ${nodes} (${String(literal(rg, "replication_group_id") ?? rg.name)})`,
      "aws_elasticache_replication_group",
      nodes,
      nodes * hourly * H,
      `${nodes} × ${usd(hourly)}/h × ${H} h`,
    );
  }

  // ---- storage with assumed usage -------------------------------------------------------------------------------
  const efs = of("aws_efs_file_system").length;
  fixed(
    `EFS Standard (${counted(efs, "file system")}, assumed ${t.usage.efsGb} GB each)`,
    "aws_efs_file_system",
    efs * t.usage.efsGb,
    efs * t.usage.efsGb * t.efsStandardGbMonth,
    `${efs} × ${t.usage.efsGb} GB × ${usd(t.efsStandardGbMonth)}/GB-month`,
  );
  const buckets = of("aws_s3_bucket").length;
  fixed(
    `S3 Standard (${counted(buckets, "bucket")}, assumed ${t.usage.s3GbPerBucket} GB each)`,
    "aws_s3_bucket",
    buckets * t.usage.s3GbPerBucket,
    buckets * t.usage.s3GbPerBucket * t.s3StandardGbMonth,
    `${buckets} × ${t.usage.s3GbPerBucket} GB × ${usd(t.s3StandardGbMonth)}/GB-month`,
  );
  const repositories = of("aws_ecr_repository").length;
  fixed(
    `ECR storage (${counted(repositories, "repository", "repositories")}, assumed ${t.usage.ecrGbPerRepository} GB each)`,
    "aws_ecr_repository",
    repositories * t.usage.ecrGbPerRepository,
    repositories * t.usage.ecrGbPerRepository * t.ecrStorageGbMonth,
    `${repositories} × ${t.usage.ecrGbPerRepository} GB × ${usd(t.ecrStorageGbMonth)}/GB-month`,
  );
  const logGroups = of("aws_cloudwatch_log_group").length;
  fixed(
    `CloudWatch Logs ingestion (${counted(logGroups, "log group")}, assumed ${t.usage.logsGbPerLogGroup} GB/month each)`,
    "aws_cloudwatch_log_group",
    logGroups * t.usage.logsGbPerLogGroup,
    logGroups * t.usage.logsGbPerLogGroup * t.cloudwatchLogsIngestionGb,
    `${logGroups} × ${t.usage.logsGbPerLogGroup} GB × ${usd(t.cloudwatchLogsIngestionGb)}/GB`,
  );

  // ---- load balancing and WAF ---------------------------------------------------------------------------------------
  for (const lb of of("aws_lb")) {
    const kind = String(literal(lb, "load_balancer_type") ?? "application");
    if (kind !== "application")
      throw new MissingPriceError(`unknown load balancer type "${kind}" (aws_lb.${lb.name} in ${lb.stack}): ${t.file} prices Application Load Balancers only`);
    const name = String(literal(lb, "name") ?? lb.name);
    fixed(`ALB ${name} (hourly)`, "aws_lb", 1, t.albHourly * H, `1 × ${usd(t.albHourly)}/h × ${H} h`);
    fixed(
      `ALB ${name} LCUs (assumed ${t.usage.albLcu} LCU)`,
      "aws_lb",
      t.usage.albLcu,
      t.usage.albLcu * t.albLcuHourly * H,
      `${t.usage.albLcu} × ${usd(t.albLcuHourly)}/LCU-h × ${H} h`,
    );
    if (!isTrue(literal(lb, "internal"))) {
      const nodes = model.resolve(lb.stack, lb.body.subnets ?? []).length;
      fixed(
        `ALB ${name} public IPv4 addresses (internet-facing, one per AZ)`,
        "aws_lb",
        nodes,
        nodes * t.publicIpv4Hourly * H,
        `${nodes} × ${usd(t.publicIpv4Hourly)}/h × ${H} h`,
      );
    }
  }
  for (const acl of of("aws_wafv2_web_acl")) {
    const rules =
      typeof acl.body.rule_json === "string" ? (JSON.parse(acl.body.rule_json) as unknown[]).length : Array.isArray(acl.body.rule) ? acl.body.rule.length : 0;
    const monthly = t.wafWebAclMonth + rules * t.wafRuleMonth + t.usage.wafMillionRequests * t.wafMillionRequests;
    fixed(
      `WAF web ACL ${String(literal(acl, "name") ?? acl.name)} (${rules} rules, assumed ${t.usage.wafMillionRequests}M requests)`,
      "aws_wafv2_web_acl",
      1,
      monthly,
      `${usd(t.wafWebAclMonth)} + ${rules} × ${usd(t.wafRuleMonth)} + ${t.usage.wafMillionRequests} × ${usd(t.wafMillionRequests)}/M requests`,
    );
  }

  // ---- Fargate services (EC2-placed services are paid through the instances) ---------------------------------------
  for (const service of ecsServices(model).filter((s) => s.ref.stack === stack.id && s.capacity.kind !== "ec2")) {
    if (service.cpuArchitecture && service.cpuArchitecture !== "X86_64") {
      throw new MissingPriceError(
        `unknown Fargate platform ${service.cpuArchitecture} (aws_ecs_service.${service.ref.name} in ${service.ref.stack}): ${t.file} prices x86_64 Fargate only`,
      );
    }
    const vcpu = (service.cpu ?? 0) / 1024;
    const gb = (service.memory ?? 0) / 1024;
    const perTaskHour = (p: { vcpuHour: number; gbHour: number }) => vcpu * p.vcpuHour + gb * p.gbHour;
    const hourly = service.capacity.spotShare * perTaskHour(t.fargateSpot) + (1 - service.capacity.spotShare) * perTaskHour(t.fargate);
    const prices = service.capacity.spotShare === 1 ? t.fargateSpot : t.fargate;
    const label =
      service.capacity.spotShare === 1
        ? "Fargate Spot"
        : service.capacity.spotShare === 0
          ? "Fargate"
          : `Fargate (${Math.round(service.capacity.spotShare * 100)}% Spot)`;
    items.push({
      item: `${label} ${service.shortName} (${vcpu} vCPU, ${gb} GB; ${service.countSource}, max ${service.maxCount})`,
      resourceType: "aws_ecs_service",
      quantity: service.count,
      monthly: service.count * hourly * H,
      monthlyAtMax: service.maxCount * hourly * H,
      basis:
        service.capacity.spotShare === 0 || service.capacity.spotShare === 1
          ? `${service.count} × (${vcpu} × ${usd(prices.vcpuHour)} + ${gb} × ${usd(prices.gbHour)})/h × ${H} h (max: ${service.maxCount} ×)`
          : `${service.count} × ${usd(round(hourly * 1e4) / 1e4)}/h (weighted Spot/on-demand) × ${H} h (max: ${service.maxCount} ×)`,
    });
  }

  // ---- Lambda -----------------------------------------------------------------------------------------------------
  for (const fn of of("aws_lambda_function")) {
    const name = String(literal(fn, "function_name") ?? fn.name);
    const memoryGb = (asNumber(literal(fn, "memory_size")) ?? 128) / 1024;
    const seconds = asNumber(literal(fn, "timeout")) ?? 3;
    const schedules = scheduleExpressions(model, fn);
    if (schedules.length === 0) {
      items.push({
        item: `Lambda ${name} (event-driven)`,
        resourceType: "aws_lambda_function",
        quantity: 0,
        monthly: 0,
        monthlyAtMax: 0,
        basis: "no schedule: invoked by events (e.g. secret rotation), assumed negligible",
      });
      continue;
    }
    const invocations = sum(schedules.map((s) => invocationsPerMonth(s, H, fn)));
    const gbSeconds = invocations * seconds * memoryGb;
    const monthly = gbSeconds * t.lambdaGbSecond + (invocations / 1e6) * t.lambdaMillionRequests;
    fixed(
      `Lambda ${name} (${schedules.join(", ")}, ${seconds} s × ${memoryGb * 1024} MB per run)`,
      "aws_lambda_function",
      invocations,
      monthly,
      `${invocations} runs × ${seconds} s × ${memoryGb} GB = ${gbSeconds} GB-s × ${usd(t.lambdaGbSecond)} + ${invocations / 1e6}M requests × ${usd(t.lambdaMillionRequests)}`,
    );
  }

  // ---- KMS, secrets, CloudWatch, DNS ----------------------------------------------------------------------------------
  const keys = of("aws_kms_key").length;
  fixed("KMS keys", "aws_kms_key", keys, keys * t.kmsKeyMonth, `${keys} × ${usd(t.kmsKeyMonth)}/key-month`);
  const secrets = of("aws_secretsmanager_secret").length;
  fixed("Secrets Manager secrets", "aws_secretsmanager_secret", secrets, secrets * t.secretMonth, `${secrets} × ${usd(t.secretMonth)}/secret-month`);
  const alarms = alarmMetrics(model, of("aws_cloudwatch_metric_alarm"));
  fixed(
    "CloudWatch alarms, standard resolution",
    "aws_cloudwatch_metric_alarm",
    alarms.standard,
    alarms.standard * t.alarmStandardMetricMonth,
    `${alarms.standard} alarm metrics × ${usd(t.alarmStandardMetricMonth)}/month`,
  );
  fixed(
    "CloudWatch alarms, high resolution (period < 60 s)",
    "aws_cloudwatch_metric_alarm",
    alarms.highResolution,
    alarms.highResolution * t.alarmHighResolutionMetricMonth,
    `${alarms.highResolution} alarm metrics × ${usd(t.alarmHighResolutionMetricMonth)}/month`,
  );
  const dashboards = of("aws_cloudwatch_dashboard").length;
  fixed("CloudWatch dashboards", "aws_cloudwatch_dashboard", dashboards, dashboards * t.dashboardMonth, `${dashboards} × ${usd(t.dashboardMonth)}/month`);
  const metrics = customMetrics(model, of("aws_cloudwatch_log_metric_filter"), of("aws_cloudwatch_metric_alarm"));
  fixed(
    "CloudWatch custom metrics (log metric filters, alarmed custom metrics)",
    "aws_cloudwatch_log_metric_filter",
    metrics,
    metrics * t.customMetricMonth,
    `${metrics} × ${usd(t.customMetricMonth)}/metric-month`,
  );
  const zones = of("aws_service_discovery_private_dns_namespace").length + of("aws_route53_zone").length;
  fixed(
    "Route 53 hosted zones (Cloud Map private DNS namespace)",
    "aws_service_discovery_private_dns_namespace",
    zones,
    zones * t.route53HostedZoneMonth,
    `${zones} × ${usd(t.route53HostedZoneMonth)}/zone-month`,
  );

  return items;
}

/** Schedule expressions of the EventBridge rules that target a function. */
function scheduleExpressions(model: EnvironmentModel, fn: ResourceRef): string[] {
  const schedules: string[] = [];
  for (const target of model.resources("aws_cloudwatch_event_target")) {
    if (
      !model
        .resolve(target.stack, target.body.arn)
        .some((r) => r.kind === "attribute" && r.address.type === fn.type && r.address.name === fn.name && r.address.stack === fn.stack)
    )
      continue;
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

/** Alarm metrics by resolution: one per alarm, or one per metric of a metric-math alarm; period < 60 s is high resolution. */
function alarmMetrics(model: EnvironmentModel, alarms: readonly ResourceRef[]): { standard: number; highResolution: number } {
  let standard = 0;
  let highResolution = 0;
  for (const alarm of alarms) {
    const queries = Array.isArray(alarm.body.metric_query) ? (alarm.body.metric_query as Body[]) : [];
    const metrics =
      queries.length > 0
        ? queries.filter((q) => q.metric !== undefined).map((q) => asNumber((q.metric as Body).period) ?? 60)
        : [asNumber(model.literal(alarm.stack, alarm.body.period)) ?? 60];
    for (const period of metrics) {
      if (period < 60) highResolution += 1;
      else standard += 1;
    }
  }
  return { standard, highResolution };
}

/** Distinct custom metrics: those of log metric filters plus custom-namespace metrics that alarms watch. */
function customMetrics(model: EnvironmentModel, filters: readonly ResourceRef[], alarms: readonly ResourceRef[]): number {
  const keys = new Set<string>();
  for (const filter of filters) {
    for (const m of [filter.body.metric_transformation ?? []].flat() as Body[])
      keys.add(`${String(m.namespace)}|${String(m.name)}|${JSON.stringify(m.dimensions ?? {})}`);
  }
  for (const alarm of alarms) {
    const queries = Array.isArray(alarm.body.metric_query)
      ? (alarm.body.metric_query as Body[]).map((q) => q.metric as Body | undefined).filter((m): m is Body => m !== undefined)
      : [];
    const metrics =
      queries.length > 0
        ? queries.map((m) => ({ ns: m.namespace, name: m.metric_name, dims: m.dimensions }))
        : [{ ns: alarm.body.namespace, name: alarm.body.metric_name, dims: alarm.body.dimensions }];
    for (const m of metrics) {
      const ns = String(model.literal(alarm.stack, m.ns) ?? "");
      if (!ns || ns.startsWith("AWS/") || ns.startsWith("ECS/ContainerInsights")) continue;
      keys.add(`${ns}|${String(m.name)}|${JSON.stringify(m.dims ?? {})}`);
    }
  }
  return keys.size;
}

const money = (n: number): string => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The report as Markdown: totals per stack, then every stack's line items, then the table's assumptions. */
export function renderCostReport(report: CostReport): string {
  const p = report.priceTable;
  const lines = [
    `# Monthly run-rate estimate: ${report.environment} (${report.region})`,
    "",
    `Approximate on-demand list prices in ${report.currency} from ${p.file} (compiled ${p.compiled}; ${p.pricesAsOf}; ${p.source}). ${p.hoursPerMonth} hours per month. **Steady state** (the headline) = Auto Scaling groups at min_size and worker pools at their autoscaling minimum; **at max** = ASGs at max_size, pools at their max count, RDS storage at its autoscaling ceiling.`,
    "",
    "| Stack | Steady state / month | At max / month |",
    "|---|---:|---:|",
    ...report.stacks.map((s) => `| ${s.stack} | ${money(s.monthly)} | ${money(s.monthlyAtMax)} |`),
    `| **${report.environment} total** | **${money(report.total.monthly)}** | **${money(report.total.monthlyAtMax)}** |`,
    ...report.shared.map(
      (s) => `| ${s.stack} (state bucket shared by the environments of its account; not in the total) | ${money(s.monthly)} | ${money(s.monthlyAtMax)} |`,
    ),
  ];
  for (const s of [...report.stacks, ...report.shared]) {
    lines.push("", `## ${s.stack}`, "");
    if (s.items.length === 0) {
      lines.push("No billable resources.");
      continue;
    }
    lines.push(
      "| Item | Steady state | At max | Basis |",
      "|---|---:|---:|---|",
      ...s.items.map((i) => `| ${cell(i.item)} | ${money(i.monthly)} | ${money(i.monthlyAtMax)} | ${cell(i.basis)} |`),
    );
  }
  lines.push("", "## Assumptions", "", ...p.assumptions.map((a) => `- ${a}`), "", "## Not included", "", ...p.excluded.map((e) => `- ${e}`), "");
  return lines.join("\n");
}
