import { Testing } from "cdktf";
import { parse } from "yaml";
import { CADVISOR_KEPT_LABELS, cadvisorLabel, PROMETHEUS_DISCOVERY_LABELS } from "../../../modules/ecs/cadvisor";
import { AIRFLOW_METRIC_CATALOGUE, airflowMetricName, exactPattern } from "../../../modules/metrics/airflow-metric-catalogue";
import { CADVISOR_METRICS, SCRAPE_TARGETS_FILE } from "../../../modules/metrics/collector-config";
import {
  ADOT_COLLECTOR_IMAGE,
  COLLECTOR_CONFIG_VARIABLE,
  collectorReplicas,
  EMF_LOG_RETENTION_DAYS,
  METRICS_COLLECTOR_DISCOVERY_NAME,
  MetricsCollector,
  otlpHost,
} from "../../../modules/metrics/metrics-collector";
import { repoEnvironments } from "../../support/synth";

/** A collector for the dev environment, synthesized alone. */
function synth(): Record<string, any> {
  return JSON.parse(
    Testing.synthScope(
      (scope) =>
        new MetricsCollector(scope, "metrics-collector", {
          name: "airflow-dev-metrics-collector",
          environment: "dev",
          region: "eu-west-1",
          cluster: {
            clusterArn: "arn:cluster",
            clusterName: "airflow-dev-cluster",
            capacityProviderName: "airflow-dev-ec2",
            subnetIds: ["subnet-a", "subnet-b"],
          },
          desiredCount: 1,
          securityGroupId: "sg-collector",
          executionRoleArn: "arn:execution",
          taskRoleArn: "arn:collector-task",
          discoveryNamespaceId: "ns-123",
          logGroupName: "/airflow/dev/metrics-collector",
          emfLogGroupName: "/airflow/dev/metrics",
          logRetentionDays: 30,
          logsKmsKeyArn: "arn:logs-key",
        }),
    ),
  );
}

describe("MetricsCollector", () => {
  // GIVEN the dev collector WHEN it is synthesized
  const json = synth();
  const all = (type: string) => Object.entries(json.resource[type] ?? {}) as [string, Record<string, any>][];
  const [[, task]] = all("aws_ecs_task_definition");
  const [container] = JSON.parse(task.container_definitions) as Record<string, any>[];
  const env = Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
  const config = parse(env[COLLECTOR_CONFIG_VARIABLE]) as Record<string, any>;

  it("runs the ADOT collector image pinned to a release, never a moving tag", () => {
    // THEN the image is the public ADOT collector at an exact version (or digest)
    expect(container.image).toBe(ADOT_COLLECTOR_IMAGE);
    expect(container.image).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector(:v\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})$/);
  });

  it("runs as the image's non-root user on a read-only root, writing only its discovery file to a task volume", () => {
    expect(container).toMatchObject({ user: "4317:4317", readonlyRootFilesystem: true, privileged: false });
    expect(container.mountPoints).toEqual([{ sourceVolume: "state", containerPath: "/home/aoc", readOnly: false }]);
    expect(task.volume).toEqual([{ name: "state" }]);
    expect(SCRAPE_TARGETS_FILE.startsWith("/home/aoc/")).toBe(true);
  });

  it("is healthy when the image's /healthcheck reaches the health-check extension (no shell in the image)", () => {
    // THEN the check is an exec form (CMD), and the extension listens where /healthcheck asks (127.0.0.1:13133)
    expect(container.healthCheck).toEqual({ command: ["CMD", "/healthcheck"], interval: 30, timeout: 5, retries: 3, startPeriod: 30 });
    expect(config.extensions.health_check).toEqual({ endpoint: "127.0.0.1:13133" });
    expect(config.service.extensions).toEqual(["health_check", "ecs_observer"]);
  });

  it("receives OTLP over HTTP on 4318 from other tasks, into the Airflow pipeline", () => {
    expect(config.receivers.otlp).toEqual({ protocols: { http: { endpoint: "0.0.0.0:4318" } } });
    expect(container.portMappings).toEqual([{ containerPort: 4318, hostPort: 4318, protocol: "tcp", name: "otlp-http" }]);
    expect(config.service.pipelines["metrics/airflow"]).toEqual({
      receivers: ["otlp"],
      processors: ["memory_limiter", "cumulativetodelta", "batch"],
      exporters: ["awsemf/airflow"],
    });
    // AND counters become deltas before awsemf, which would drop the first count of a counter created after start
    expect(config.processors.cumulativetodelta).toEqual({});
  });

  it("discovers cAdvisor through its Docker labels in this cluster and scrapes it every minute", () => {
    // THEN ecs_observer looks in the dev cluster for containers carrying cAdvisor's discovery labels
    expect(config.extensions.ecs_observer).toEqual({
      cluster_name: "airflow-dev-cluster",
      cluster_region: "eu-west-1",
      result_file: SCRAPE_TARGETS_FILE,
      refresh_interval: "60s",
      docker_labels: [
        {
          port_label: PROMETHEUS_DISCOVERY_LABELS.port,
          metrics_path_label: PROMETHEUS_DISCOVERY_LABELS.metricsPath,
          job_name_label: PROMETHEUS_DISCOVERY_LABELS.jobName,
        },
      ],
    });
    // AND the prometheus receiver reads the targets ecs_observer writes
    const [scrape] = config.receivers.prometheus.config.scrape_configs;
    expect(scrape).toMatchObject({ job_name: "cadvisor", scrape_interval: "60s", file_sd_configs: [{ files: [SCRAPE_TARGETS_FILE] }] });
    // AND keeps the CPU, throttling and memory series of containers ECS started (not the pause containers), naming
    // their task family and container as the dimensions
    const family = cadvisorLabel(CADVISOR_KEPT_LABELS.taskDefinitionFamily);
    const name = cadvisorLabel(CADVISOR_KEPT_LABELS.containerName);
    expect(family).toBe("container_label_com_amazonaws_ecs_task_definition_family");
    expect(scrape.metric_relabel_configs).toEqual([
      { source_labels: ["__name__"], regex: CADVISOR_METRICS.join("|"), action: "keep" },
      { source_labels: [family], regex: "", action: "drop" },
      { source_labels: [name], regex: "~internal~.*", action: "drop" },
      { source_labels: [family], target_label: "TaskFamily" },
      { source_labels: [name], target_label: "Container" },
    ]);
    expect(config.service.pipelines["metrics/containers"]).toEqual({
      receivers: ["prometheus"],
      processors: ["memory_limiter", "batch"],
      exporters: ["awsemf/containers"],
    });
  });

  it("publishes Airflow's metrics to the environment's namespace with only the catalogue's names and dimensions", () => {
    const emf = config.exporters["awsemf/airflow"];
    // THEN nothing is rolled up and no resource attribute (host, service) becomes a dimension
    expect(emf).toMatchObject({
      namespace: "AirflowEcs/dev/Airflow",
      region: "eu-west-1",
      log_group_name: "/airflow/dev/metrics",
      log_stream_name: "airflow",
      dimension_rollup_option: "NoDimensionRollup",
      resource_to_telemetry_conversion: { enabled: false },
    });
    // AND every catalogue metric is selected exactly once, by its exact name, with its own dimension sets
    const selected = (emf.metric_declarations as { dimensions: string[][]; metric_name_selectors: string[] }[]).flatMap((d) =>
      d.metric_name_selectors.map((selector) => [selector, d.dimensions]),
    );
    const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(selected.sort(byName)).toEqual(AIRFLOW_METRIC_CATALOGUE.map((m) => [exactPattern(airflowMetricName(m.name)), m.dimensions]).sort(byName));
    expect(emf.metric_declarations.map((d: { dimensions: string[][] }) => d.dimensions)).toEqual([[[]], [["pool_name"]], [["queue"]]]);
  });

  it("publishes the containers' metrics per task family and container, never per task", () => {
    expect(config.exporters["awsemf/containers"]).toMatchObject({
      namespace: "AirflowEcs/dev/Containers",
      log_group_name: "/airflow/dev/metrics",
      log_stream_name: "containers",
      dimension_rollup_option: "NoDimensionRollup",
      resource_to_telemetry_conversion: { enabled: false },
      metric_declarations: [{ dimensions: [["TaskFamily", "Container"]], metric_name_selectors: CADVISOR_METRICS.map((m) => `^${m}$`) }],
    });
  });

  it("creates the EMF log group (retention, KMS) before the task definition, so the exporter never creates one", () => {
    const groups = Object.fromEntries(all("aws_cloudwatch_log_group").map(([id, g]) => [g.name, { id, g }]));
    expect(groups["/airflow/dev/metrics"].g).toMatchObject({ retention_in_days: EMF_LOG_RETENTION_DAYS, kms_key_id: "arn:logs-key" });
    expect(groups["/airflow/dev/metrics-collector"].g).toMatchObject({ retention_in_days: 30, kms_key_id: "arn:logs-key" });
    expect(task.depends_on).toEqual(
      expect.arrayContaining([
        `aws_cloudwatch_log_group.${groups["/airflow/dev/metrics"].id}`,
        `aws_cloudwatch_log_group.${groups["/airflow/dev/metrics-collector"].id}`,
      ]),
    );
  });

  it("registers in service discovery, where Airflow finds it, and runs in the private subnets on the cluster's capacity", () => {
    const [[discoveryId, discovery]] = all("aws_service_discovery_service");
    expect(discovery).toMatchObject({ name: METRICS_COLLECTOR_DISCOVERY_NAME, dns_config: { namespace_id: "ns-123", routing_policy: "MULTIVALUE" } });
    expect(otlpHost("airflow-dev.internal")).toBe("metrics-collector.airflow-dev.internal");
    const [[, service]] = all("aws_ecs_service");
    expect(service).toMatchObject({
      name: "airflow-dev-metrics-collector",
      desired_count: 1,
      service_registries: { registry_arn: `\${aws_service_discovery_service.${discoveryId}.arn}` },
      network_configuration: { subnets: ["subnet-a", "subnet-b"], security_groups: ["sg-collector"], assign_public_ip: false },
      capacity_provider_strategy: [{ capacity_provider: "airflow-dev-ec2", weight: 1, base: 0 }],
    });
  });
});

describe("collectorReplicas", () => {
  it.each(repoEnvironments().map((c) => [c.name, c.production, c.production ? 2 : 1] as const))(
    "%s (production %s) runs %i collector task(s)",
    (name, _production, expected) => {
      // GIVEN the repository's environment WHEN its collector count is derived THEN production keeps two, others one
      expect(collectorReplicas(repoEnvironments().find((c) => c.name === name)!)).toBe(expected);
    },
  );
});
