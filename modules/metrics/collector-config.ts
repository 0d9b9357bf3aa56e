import { PORTS } from "../../runtime/ports";
import { airflowMetricsNamespace, CONTAINER_METRICS, containerMetricsNamespace } from "../../runtime/metrics";
import { CADVISOR_KEPT_LABELS, cadvisorLabel, PROMETHEUS_DISCOVERY_LABELS } from "../ecs/cadvisor";
import { airflowMetricDeclarations, exactPattern, type MetricDeclaration } from "./airflow-metric-catalogue";

/**
 * cAdvisor's series the collector keeps: CPU time, CFS periods and throttled periods (the throttling ratio ECS's
 * one-minute CPUUtilization hides), and the working set (what the kernel's OOM killer looks at). cAdvisor's docs name
 * them (docs/storage/prometheus.md).
 */
export const CADVISOR_METRICS = [
  "container_cpu_usage_seconds_total",
  "container_cpu_cfs_periods_total",
  "container_cpu_cfs_throttled_periods_total",
  "container_memory_working_set_bytes",
] as const;

/** The one dimension set of the container metrics: per task family and container, never per task (one series per task). */
export const CONTAINER_DIMENSIONS: readonly string[] = [CONTAINER_METRICS.taskFamilyDimension, CONTAINER_METRICS.containerDimension];

/** Where `ecs_observer` writes the scrape targets it discovers: the image's only directory its user owns (a task volume). */
export const COLLECTOR_STATE_DIR = "/home/aoc";
export const SCRAPE_TARGETS_FILE = `${COLLECTOR_STATE_DIR}/ecs_sd_targets.yaml`;

/** Seconds between cAdvisor scrapes and between discoveries: one datapoint per container and minute, like Airflow's export. */
export const SCRAPE_INTERVAL_SECONDS = 60;

/** The log streams (in the EMF log group) each exporter writes to. */
export const EMF_LOG_STREAMS = { airflow: "airflow", containers: "containers" } as const;

export interface CollectorConfigOptions {
  /** Environment name: the namespaces `AirflowEcs/<env>/Airflow` and `AirflowEcs/<env>/Containers`. */
  readonly environment: string;
  /** Region of CloudWatch and of the cluster. */
  readonly region: string;
  /** The ECS cluster whose cAdvisor tasks are discovered. */
  readonly clusterName: string;
  /** The log group the EMF events go to (created in Terraform with retention and KMS, so the exporter never creates it). */
  readonly emfLogGroupName: string;
  /** Memory the collector's task may use (MiB): the memory limiter refuses data before the task reaches it. */
  readonly taskMemoryMiB: number;
}

/** An `awsemf` exporter publishing exactly `declarations` (no dimension roll-up, no resource attributes as dimensions). */
function emfExporter(options: CollectorConfigOptions, namespace: string, stream: string, declarations: readonly MetricDeclaration[]) {
  return {
    namespace,
    region: options.region,
    log_group_name: options.emfLogGroupName,
    log_stream_name: stream,
    dimension_rollup_option: "NoDimensionRollup",
    resource_to_telemetry_conversion: { enabled: false },
    metric_declarations: declarations,
  };
}

/**
 * The cAdvisor scrape: targets from `ecs_observer`'s file, only the kept series of containers ECS started, with the
 * task family and container name copied to the dimension names (the series keep cAdvisor's own `name`, which tells the
 * containers of one family apart).
 */
function cadvisorScrape() {
  const family = cadvisorLabel(CADVISOR_KEPT_LABELS.taskDefinitionFamily);
  const container = cadvisorLabel(CADVISOR_KEPT_LABELS.containerName);
  return {
    job_name: "cadvisor",
    scrape_interval: `${SCRAPE_INTERVAL_SECONDS}s`,
    scrape_timeout: "10s",
    file_sd_configs: [{ files: [SCRAPE_TARGETS_FILE], refresh_interval: `${SCRAPE_INTERVAL_SECONDS}s` }],
    metric_relabel_configs: [
      { source_labels: ["__name__"], regex: CADVISOR_METRICS.join("|"), action: "keep" },
      // The host's own cgroups and containers ECS did not start (the ECS agent) carry no task family.
      { source_labels: [family], regex: "", action: "drop" },
      // The ECS agent's pause container of each awsvpc task: no workload of its own.
      { source_labels: [container], regex: "~internal~.*", action: "drop" },
      { source_labels: [family], target_label: CONTAINER_METRICS.taskFamilyDimension },
      { source_labels: [container], target_label: CONTAINER_METRICS.containerDimension },
    ],
  };
}

/**
 * The ADOT collector's configuration: OTLP/HTTP in from every Airflow component, cAdvisor scraped on every container
 * instance (found by `ecs_observer` through cAdvisor's Docker labels), each published to its own namespace through
 * embedded metric format, and a health-check endpoint for the container health check. Plain data; rendered as JSON,
 * which the collector reads as YAML.
 */
export function collectorConfig(options: CollectorConfigOptions): Record<string, unknown> {
  // Keep a fifth of the task's memory for the Go runtime and spikes.
  const limitMib = Math.floor(options.taskMemoryMiB * 0.8);
  return {
    extensions: {
      health_check: { endpoint: `127.0.0.1:${PORTS.collectorHealth}` },
      ecs_observer: {
        cluster_name: options.clusterName,
        cluster_region: options.region,
        result_file: SCRAPE_TARGETS_FILE,
        refresh_interval: `${SCRAPE_INTERVAL_SECONDS}s`,
        docker_labels: [
          {
            port_label: PROMETHEUS_DISCOVERY_LABELS.port,
            metrics_path_label: PROMETHEUS_DISCOVERY_LABELS.metricsPath,
            job_name_label: PROMETHEUS_DISCOVERY_LABELS.jobName,
          },
        ],
      },
    },
    receivers: {
      otlp: { protocols: { http: { endpoint: `0.0.0.0:${PORTS.otlpHttp}` } } },
      prometheus: { config: { scrape_configs: [cadvisorScrape()] } },
    },
    processors: {
      memory_limiter: { check_interval: "1s", limit_mib: limitMib, spike_limit_mib: Math.floor(limitMib / 4) },
      // Airflow's counters are cumulative and created on first use. awsemf's own conversion takes a series' first
      // point as its baseline and drops it, so the first zombie after a scheduler start would never count; this
      // processor (its initial_value "auto", the upstream default in current releases) keeps the first point of a
      // series that started after the collector did, and drops it only for series older than the collector.
      cumulativetodelta: {},
      batch: { timeout: "10s" },
    },
    exporters: {
      "awsemf/airflow": emfExporter(options, airflowMetricsNamespace(options.environment), EMF_LOG_STREAMS.airflow, airflowMetricDeclarations()),
      "awsemf/containers": emfExporter(options, containerMetricsNamespace(options.environment), EMF_LOG_STREAMS.containers, [
        { dimensions: [[...CONTAINER_DIMENSIONS]], metric_name_selectors: CADVISOR_METRICS.map(exactPattern) },
      ]),
    },
    service: {
      extensions: ["health_check", "ecs_observer"],
      pipelines: {
        "metrics/airflow": { receivers: ["otlp"], processors: ["memory_limiter", "cumulativetodelta", "batch"], exporters: ["awsemf/airflow"] },
        "metrics/containers": { receivers: ["prometheus"], processors: ["memory_limiter", "batch"], exporters: ["awsemf/containers"] },
      },
    },
  };
}
