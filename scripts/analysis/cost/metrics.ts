/**
 * CloudWatch custom metrics and their embedded-metric-format (EMF) log ingestion, from what the stack declares: the
 * metrics collector's `awsemf` metric declarations (read from its task definition), bounded per dimension from the
 * synthesized resources where they say it (the worker pools' queues from the publisher's environment, the task
 * families and containers of the services cAdvisor sees) and from the table's `usage` where they cannot (Airflow
 * pools, which live in Airflow's database), and the queue-depth publisher's metrics per worker pool.
 */
import { parse } from "yaml";
import { COLLECTOR_CONFIG_VARIABLE } from "../../../modules/metrics/metrics-collector";
import { CONTAINER_DIMENSIONS } from "../../../modules/metrics/collector-config";
import { PUBLISHER_ENV } from "../../../runtime/lambda";
import { AIRFLOW_METRICS, QUEUE_METRICS } from "../../../runtime/metrics";
import { ecsServices, type EcsServiceFacts } from "../ecs-services";
import type { Body, ResourceRef } from "../model";
import type { PriceTable } from "../prices-eu-west-1";
import { MissingPriceError, round, usd, type CostScope, type LineItem } from "./pricing";

/** The names of QUEUE_METRICS that are metrics (not the namespace or a dimension): what the publisher sends per pool. */
const PUBLISHER_METRICS = Object.entries(QUEUE_METRICS)
  .filter(([key]) => key !== "namespace" && !key.endsWith("Dimension"))
  .map(([, name]) => name);

interface EmfExporter {
  readonly namespace: string;
  readonly logGroup: string;
  readonly declarations: readonly { readonly dimensions: readonly (readonly string[])[]; readonly metric_name_selectors: readonly string[] }[];
}

interface Collector {
  readonly service: EcsServiceFacts;
  readonly exporters: readonly EmfExporter[];
}

/** The stack's metrics collectors: services whose container carries the collector configuration. */
function collectors(scope: CostScope): Collector[] {
  return ecsServices(scope.model)
    .filter((s) => s.ref.stack === scope.stack.id && s.taskDefinition)
    .flatMap((service) => {
      const definitions = JSON.parse(String(service.taskDefinition!.body.container_definitions)) as { environment?: { name: string; value: string }[] }[];
      const text = definitions.flatMap((c) => c.environment ?? []).find((e) => e.name === COLLECTOR_CONFIG_VARIABLE)?.value;
      if (text === undefined) return [];
      const config = parse(text) as { exporters?: Record<string, Body> };
      const exporters = Object.entries(config.exporters ?? {})
        .filter(([id]) => id === "awsemf" || id.startsWith("awsemf/"))
        .map(([, e]) => ({
          namespace: String(e.namespace),
          logGroup: String(e.log_group_name),
          declarations: (e.metric_declarations ?? []) as EmfExporter["declarations"],
        }));
      return [{ service, exporters }];
    });
}

/** The queue-depth publisher of the stack (the function with AIRFLOW_ECS_POOLS) and the worker pools it samples. */
function publisher(scope: CostScope): { fn: ResourceRef; pools: { name: string; queues: string[] }[] } | undefined {
  for (const fn of scope.of("aws_lambda_function")) {
    const variables = ((fn.body.environment as Body | undefined)?.variables ?? {}) as Record<string, unknown>;
    const pools = variables[PUBLISHER_ENV.pools];
    if (typeof pools === "string") return { fn, pools: JSON.parse(pools) as { name: string; queues: string[] }[] };
  }
  return undefined;
}

/** Each service cAdvisor sees (EC2 capacity: cAdvisor runs on the container instances), with its long-running containers. */
function scrapedServices(scope: CostScope): { service: EcsServiceFacts; family: string; containers: string[] }[] {
  return ecsServices(scope.model)
    .filter((s) => s.ref.stack === scope.stack.id && s.capacity.kind === "ec2" && s.taskDefinition)
    .map((service) => ({
      service,
      family: String(scope.model.literal(service.ref.stack, service.taskDefinition!.body.family)),
      // Init containers (essential: false) run for seconds; custom metrics are billed by the hour they are sent.
      containers: service.containers.filter((c) => c.essential !== false && c.name).map((c) => c.name!),
    }));
}

/** How many values one dimension set takes, or an error naming a dimension the estimate cannot bound. */
function dimensionSetValues(set: readonly string[], scope: CostScope, collector: Collector): { count: number; why: string } {
  if (set.length === 0) return { count: 1, why: "no dimension" };
  if (set.length === CONTAINER_DIMENSIONS.length && set.every((d, i) => d === CONTAINER_DIMENSIONS[i])) {
    const pairs = scrapedServices(scope).reduce((n, s) => n + s.containers.length, 0);
    return { count: pairs, why: `${pairs} task-family × container pairs on EC2` };
  }
  if (set.length === 1 && set[0] === AIRFLOW_METRICS.queueDimension) {
    const queues = new Set((publisher(scope)?.pools ?? []).flatMap((p) => p.queues)).size;
    return { count: queues, why: `${queues} queues of the worker pools` };
  }
  if (set.length === 1 && set[0] === AIRFLOW_METRICS.poolDimension) {
    return { count: scope.table.usage.airflowPools, why: `assumed ${scope.table.usage.airflowPools} Airflow pools` };
  }
  throw new MissingPriceError(
    `cannot bound the dimension set [${set.join(", ")}] of the metrics collector ${collector.service.name} (${scope.stack.id}): the estimate knows the worker pools' queues, the Airflow pools (usage.airflowPools) and the task families; a dimension with values per task or DAG has no bound (scripts/analysis/cost/metrics.ts)`,
  );
}

/** The custom metrics one exporter publishes: every selector (one exact metric name) times the values of each dimension set. */
function exporterMetrics(exporter: EmfExporter, scope: CostScope, collector: Collector): { count: number; basis: string } {
  const parts = exporter.declarations.flatMap((d) =>
    d.dimensions.map((set) => {
      const values = dimensionSetValues(set, scope, collector);
      return { count: d.metric_name_selectors.length * values.count, text: `${d.metric_name_selectors.length} × ${values.why}` };
    }),
  );
  return { count: parts.reduce((n, p) => n + p.count, 0), basis: parts.map((p) => p.text).join(" + ") };
}

/** Price of the custom metrics ranked `first + 1 ... first + count` of the stack under the table's tiers. */
export function tieredMetricCost(table: PriceTable, first: number, count: number): number {
  let cost = 0;
  let floor = 0;
  for (const tier of table.customMetricTiers) {
    const ceiling = tier.upTo ?? Infinity;
    const inTier = Math.max(0, Math.min(first + count, ceiling) - Math.max(first, floor));
    cost += inTier * tier.perMetricMonth;
    floor = ceiling;
  }
  return cost;
}

/** Datapoints a series sends per month at one per minute. */
const perMonth = (table: PriceTable, perMinute: number) => perMinute * table.hoursPerMonth * 60;

/** Namespaces whose metrics this family prices (the alarm-based count in management.ts skips them). */
export function pricedNamespaces(scope: CostScope): Set<string> {
  const namespaces = new Set(collectors(scope).flatMap((c) => c.exporters.map((e) => e.namespace)));
  if (publisher(scope)) namespaces.add(QUEUE_METRICS.namespace);
  return namespaces;
}

/** The log groups the EMF exporters write to (their ingestion is estimated here, not assumed in storage.ts). */
export function emfLogGroups(scope: CostScope): Set<string> {
  return new Set(collectors(scope).flatMap((c) => c.exporters.map((e) => e.logGroup)));
}

/**
 * EMF datapoints per minute. Airflow: each series from each scheduler process (the component that emits most of the
 * catalogue; the dag-processor and triggerer emit fewer series, so this errs high for them). Containers: one series
 * per running container and metric, scraped by every collector task.
 */
function emfDatapointsPerMinute(
  scope: CostScope,
  collector: Collector,
  exporter: EmfExporter,
  metrics: number,
  at: "steady" | "max",
): { perMinute: number; basis: string } {
  const replicas = at === "steady" ? collector.service.count : collector.service.maxCount;
  const isContainers = exporter.declarations.some((d) => d.dimensions.some((set) => set.length === CONTAINER_DIMENSIONS.length));
  if (isContainers) {
    const containers = scrapedServices(scope).reduce((n, s) => n + (at === "steady" ? s.service.count : s.service.maxCount) * s.containers.length, 0);
    const names = exporter.declarations.reduce((n, d) => n + d.metric_name_selectors.length, 0);
    return { perMinute: containers * names * replicas, basis: `${containers} containers × ${names} series × ${replicas} collector(s)` };
  }
  const schedulers = ecsServices(scope.model).find((s) => s.ref.stack === scope.stack.id && s.role === "scheduler");
  const emitters = Math.max(1, at === "steady" ? (schedulers?.count ?? 1) : (schedulers?.maxCount ?? 1));
  return { perMinute: metrics * emitters, basis: `${metrics} series × ${emitters} scheduler(s)` };
}

export function metricsItems(scope: CostScope): LineItem[] {
  const { table: t } = scope;
  const items: LineItem[] = [];
  let ranked = 0;
  const metricLine = (item: string, resource: ResourceRef, count: number, basis: string) => {
    const monthly = tieredMetricCost(t, ranked, count);
    items.push({
      item,
      resourceType: resource.type,
      quantity: count,
      monthly,
      monthlyAtMax: monthly,
      basis: `${basis} = ${count} metrics, tiered from metric ${ranked + 1} (${t.customMetricTiers.map((x) => `${usd(x.perMetricMonth)} up to ${x.upTo ?? "∞"}`).join(", ")})`,
    });
    ranked += count;
  };
  const ingestion: { steady: number; max: number; basis: string[] } = { steady: 0, max: 0, basis: [] };
  for (const collector of collectors(scope)) {
    for (const exporter of collector.exporters) {
      const { count, basis } = exporterMetrics(exporter, scope, collector);
      metricLine(`CloudWatch custom metrics: ${exporter.namespace} (EMF, estimate)`, collector.service.ref, count, basis);
      const steady = emfDatapointsPerMinute(scope, collector, exporter, count, "steady");
      const max = emfDatapointsPerMinute(scope, collector, exporter, count, "max");
      ingestion.steady += steady.perMinute;
      ingestion.max += max.perMinute;
      ingestion.basis.push(`${exporter.namespace}: ${steady.basis}`);
    }
  }
  const sampler = publisher(scope);
  if (sampler) {
    const pools = sampler.pools.length;
    metricLine(
      `CloudWatch custom metrics: ${QUEUE_METRICS.namespace} (queue-depth publisher)`,
      sampler.fn,
      pools * PUBLISHER_METRICS.length,
      `${pools} worker pools × ${PUBLISHER_METRICS.length} metrics`,
    );
  }
  if (ingestion.steady > 0) {
    const gb = (perMinute: number) => (perMonth(t, perMinute) * t.usage.emfBytesPerDatapoint) / 1024 ** 3;
    items.push({
      item: "CloudWatch EMF log ingestion: metric events (estimate)",
      resourceType: "aws_cloudwatch_log_group",
      quantity: round(gb(ingestion.steady)),
      monthly: gb(ingestion.steady) * t.cloudwatchLogsIngestionGb,
      monthlyAtMax: gb(ingestion.max) * t.cloudwatchLogsIngestionGb,
      basis: `(${ingestion.basis.join("; ")}) = ${ingestion.steady} datapoints/min × ${t.hoursPerMonth * 60} min × assumed ${t.usage.emfBytesPerDatapoint} B = ${round(gb(ingestion.steady))} GB × ${usd(t.cloudwatchLogsIngestionGb)}/GB (max: ${ingestion.max}/min)`,
    });
  }
  return items;
}
