/**
 * Account services billed per resource: KMS keys, Secrets Manager secrets, CloudWatch alarms (standard vs high
 * resolution), dashboards and custom metrics, and Route 53 hosted zones (the Cloud Map private DNS namespace).
 */
import { asNumber, type Body, type EnvironmentModel, type ResourceRef } from "../model";
import { pricedNamespaces } from "./metrics";
import { fixed, usd, type CostScope, type LineItem } from "./pricing";

export function managementItems(scope: CostScope): LineItem[] {
  const { model, table: t, of } = scope;
  const keys = of("aws_kms_key").length;
  const secrets = of("aws_secretsmanager_secret").length;
  const alarms = alarmMetrics(model, of("aws_cloudwatch_metric_alarm"));
  const dashboards = of("aws_cloudwatch_dashboard").length;
  const metrics = customMetrics(model, of("aws_cloudwatch_log_metric_filter"), of("aws_cloudwatch_metric_alarm"), pricedNamespaces(scope));
  const zones = of("aws_service_discovery_private_dns_namespace").length + of("aws_route53_zone").length;
  return [
    ...fixed("KMS keys", "aws_kms_key", keys, keys * t.kmsKeyMonth, `${keys} × ${usd(t.kmsKeyMonth)}/key-month`),
    ...fixed("Secrets Manager secrets", "aws_secretsmanager_secret", secrets, secrets * t.secretMonth, `${secrets} × ${usd(t.secretMonth)}/secret-month`),
    ...fixed(
      "CloudWatch alarms, standard resolution",
      "aws_cloudwatch_metric_alarm",
      alarms.standard,
      alarms.standard * t.alarmStandardMetricMonth,
      `${alarms.standard} alarm metrics × ${usd(t.alarmStandardMetricMonth)}/month`,
    ),
    ...fixed(
      "CloudWatch alarms, high resolution (period < 60 s)",
      "aws_cloudwatch_metric_alarm",
      alarms.highResolution,
      alarms.highResolution * t.alarmHighResolutionMetricMonth,
      `${alarms.highResolution} alarm metrics × ${usd(t.alarmHighResolutionMetricMonth)}/month`,
    ),
    ...fixed("CloudWatch dashboards", "aws_cloudwatch_dashboard", dashboards, dashboards * t.dashboardMonth, `${dashboards} × ${usd(t.dashboardMonth)}/month`),
    ...fixed(
      "CloudWatch custom metrics (log metric filters, alarmed custom metrics)",
      "aws_cloudwatch_log_metric_filter",
      metrics,
      metrics * t.customMetricMonth,
      `${metrics} × ${usd(t.customMetricMonth)}/metric-month`,
    ),
    ...fixed(
      "Route 53 hosted zones (Cloud Map private DNS namespace)",
      "aws_service_discovery_private_dns_namespace",
      zones,
      zones * t.route53HostedZoneMonth,
      `${zones} × ${usd(t.route53HostedZoneMonth)}/zone-month`,
    ),
  ];
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

/**
 * Distinct custom metrics: those of log metric filters plus custom-namespace metrics that alarms watch, except in the
 * namespaces cost/metrics.ts prices from what publishes them.
 */
function customMetrics(model: EnvironmentModel, filters: readonly ResourceRef[], alarms: readonly ResourceRef[], pricedElsewhere: ReadonlySet<string>): number {
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
      if (!ns || ns.startsWith("AWS/") || ns.startsWith("ECS/ContainerInsights") || pricedElsewhere.has(ns)) continue;
      keys.add(`${ns}|${String(m.name)}|${JSON.stringify(m.dims ?? {})}`);
    }
  }
  return keys.size;
}
