import { parse } from "yaml";
import { findOption } from "../../config/airflow-options/catalogue";
import { airflowMetricName, metricsAllowList } from "../../modules/metrics/airflow-metric-catalogue";
import { COLLECTOR_CONFIG_VARIABLE, collectorReplicas } from "../../modules/metrics/metrics-collector";
import { PUBLISHER_SAMPLING } from "../../modules/operations/queue-depth-scaling";
import { RUNTIME_ENV } from "../../runtime/airflow-image";
import { airflowMetricsNamespace, containerMetricsNamespace, QUEUE_METRICS } from "../../runtime/metrics";
import { repoEnvironments, resources, stackJson, type StackJson } from "../support/synth";

/**
 * Airflow's own metrics, per environment, read from the synthesized stacks: every Airflow container exports to the
 * collector, the collector runs and may do what it does, and the alarms and the dashboard read what it publishes.
 */
const ref = (contract: string, output: string) => `\${data.terraform_remote_state.${contract}_contract.outputs.${output}}`;
type Container = { name: string; environment: { name: string; value: string }[] };
const envOf = (c: Container) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
const containersOf = (json: StackJson) =>
  Object.values(resources(json, "aws_ecs_task_definition")).flatMap((t) =>
    (JSON.parse(t.container_definitions as string) as Container[]).map((c) => ({ family: t.family as string, container: c })),
  );

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("Airflow metrics (%s)", (_name, config) => {
  const services = stackJson(config.name, "services");
  const compute = stackJson(config.name, "compute");
  const all = (json: StackJson, type: string) => Object.values(resources(json, type)) as Record<string, any>[];
  const base = `${config.namePrefix}-${config.name}`;
  const airflowNamespace = airflowMetricsNamespace(config.name);

  describe("every Airflow container", () => {
    // GIVEN every container of the services and compute stacks that runs an Airflow component
    const airflow = [...containersOf(services), ...containersOf(compute)].filter(({ container }) => envOf(container)[RUNTIME_ENV.component] !== undefined);

    it("covers each component, its init containers, the migration task and the scheduled db clean", () => {
      const components = new Set(airflow.map(({ container }) => envOf(container)[RUNTIME_ENV.component]));
      expect([...components].sort()).toEqual(
        ["api-server", "dag-processor", "db-clean", "migrate", "scheduler", "triggerer", "worker", ...(config.airflow.flower.enabled ? ["flower"] : [])].sort(),
      );
    });

    it("has OpenTelemetry on, exporting once a minute over OTLP/HTTP to the collector's service-discovery name, only the allow-list", () => {
      for (const { family, container } of airflow) {
        const env = envOf(container);
        const namespace = family.endsWith("-migrate") ? "${aws_service_discovery_private_dns_namespace" : ref("compute", "service_discovery_namespace_name");
        expect([family, container.name, env.AIRFLOW__METRICS__OTEL_ON, env.AIRFLOW__METRICS__OTEL_PORT, env.AIRFLOW__METRICS__OTEL_SSL_ACTIVE]).toEqual([
          family,
          container.name,
          "True",
          "4318",
          "False",
        ]);
        expect(env.AIRFLOW__METRICS__OTEL_HOST.startsWith(`metrics-collector.${namespace}`)).toBe(true);
        expect(env.AIRFLOW__METRICS__OTEL_INTERVAL_MILLISECONDS).toBe("60000");
        expect(env.AIRFLOW__METRICS__OTEL_PREFIX).toBe("airflow");
        expect(env.AIRFLOW__METRICS__METRICS_ALLOW_LIST).toBe(metricsAllowList());
        // AND no StatsD or DogStatsD logger takes precedence over OpenTelemetry
        expect(env.AIRFLOW__METRICS__STATSD_ON ?? "False").toBe("False");
        expect(env.AIRFLOW__METRICS__STATSD_DATADOG_ENABLED ?? "False").toBe("False");
      }
    });

    it("sets only [metrics] options Airflow 3.1 knows", () => {
      const names = new Set(airflow.flatMap(({ container }) => Object.keys(envOf(container)).filter((n) => n.startsWith("AIRFLOW__METRICS__"))));
      for (const name of names) {
        const key = name.slice("AIRFLOW__METRICS__".length).toLowerCase();
        expect([name, findOption("metrics", key) !== undefined]).toEqual([name, true]);
      }
    });
  });

  describe("the collector", () => {
    const service = all(services, "aws_ecs_service").find((s) => s.name === `${base}-metrics-collector`)!;
    const task = all(services, "aws_ecs_task_definition").find((t) => t.family === `${base}-metrics-collector`)!;
    const [container] = JSON.parse(task.container_definitions) as Container[];
    const config_ = parse(envOf(container)[COLLECTOR_CONFIG_VARIABLE]) as Record<string, any>;

    it(`runs ${collectorReplicas(config)} task(s) in the collector's security group, registered in service discovery`, () => {
      expect(service).toMatchObject({
        desired_count: collectorReplicas(config),
        network_configuration: { security_groups: [ref("network", "metrics_collector_security_group_id")], assign_public_ip: false },
      });
      expect(task.task_role_arn).toBe(ref("iam", "metrics_collector_task_role_arn"));
      expect(all(services, "aws_service_discovery_service").map((d) => d.name)).toContain("metrics-collector");
    });

    it("publishes to this environment's namespaces and scrapes this environment's cluster", () => {
      expect(config_.exporters["awsemf/airflow"].namespace).toBe(airflowNamespace);
      expect(config_.exporters["awsemf/containers"].namespace).toBe(containerMetricsNamespace(config.name));
      expect(config_.extensions.ecs_observer.cluster_name).toBe(ref("compute", "cluster_name"));
      expect(config_.extensions.ecs_observer.cluster_region).toBe(config.account.region);
    });
  });

  describe("the alarms on Airflow's signals", () => {
    const alarms = all(services, "aws_cloudwatch_metric_alarm");
    const onAirflow = alarms.filter((a) => a.namespace === airflowNamespace);
    const t = config.alarms.thresholds;
    const alarm = (id: string) => alarms.find((a) => a.alarm_name === `${base}-${id}`)!;

    it("are at least six on Airflow's own metrics, each with a runbook line and the topic as its action", () => {
      expect(onAirflow.length).toBeGreaterThanOrEqual(6);
      const topic = `\${aws_sns_topic.${Object.keys(resources(services, "aws_sns_topic"))[0]}.arn}`;
      for (const a of onAirflow) {
        expect([a.alarm_name, a.alarm_description]).toEqual([a.alarm_name, expect.stringMatching(/\. Runbook: \S.+/)]);
        expect(a).toMatchObject({ actions_enabled: true, alarm_actions: [topic], ok_actions: [topic] });
      }
    });

    it("take their thresholds from the environment's config", () => {
      expect(alarm("airflow-scheduler-heartbeat")).toMatchObject({
        metric_name: airflowMetricName("scheduler_heartbeat"),
        evaluation_periods: t.schedulerHeartbeatMissingMinutes,
        treat_missing_data: "breaching",
      });
      expect(alarm("airflow-scheduler-loop-slow").threshold).toBe(t.schedulerLoopSeconds * 1000);
      expect(alarm("airflow-dag-import-errors").threshold).toBe(t.dagImportErrors);
      expect(alarm("airflow-executor-slots-exhausted").evaluation_periods).toBe(t.executorSlotsExhaustedMinutes);
      expect(alarm("airflow-tasks-starving").threshold).toBe(t.starvingTasks);
      expect(alarm("airflow-zombie-tasks").threshold).toBe(t.tasksWithoutHeartbeatKilled);
      expect(alarm("airflow-tasks-killed-externally").threshold).toBe(t.tasksKilledExternally);
      expect(alarm("airflow-dag-parsing-slow").threshold).toBe(t.dagParseSeconds);
      expect(alarm("airflow-triggerer-capacity-low").threshold).toBe(t.triggererCapacityLeft);
    });

    it("watch each worker pool's p95 scheduling latency and failed tasks from the publisher", () => {
      for (const pool of config.workerPools) {
        expect(alarm(`pool-${pool.name}-scheduling-latency`)).toMatchObject({
          namespace: QUEUE_METRICS.namespace,
          metric_name: QUEUE_METRICS.queuedToRunningSeconds,
          extended_statistic: "p95",
          threshold: t.schedulingLatencyP95Seconds,
          dimensions: { Environment: config.name, Pool: pool.name },
        });
        expect(alarm(`pool-${pool.name}-scheduling-latency`).statistic).toBeUndefined();
        expect(alarm(`pool-${pool.name}-failed-tasks`)).toMatchObject({ metric_name: QUEUE_METRICS.failedTasks, threshold: t.failedTasksPer5Minutes });
      }
    });

    it("watch the collector: fewer running tasks than it should have", () => {
      expect(alarm("metrics-collector-not-running")).toMatchObject({
        namespace: "ECS/ContainerInsights",
        dimensions: { ClusterName: ref("compute", "cluster_name"), ServiceName: `${base}-metrics-collector` },
        threshold: collectorReplicas(config),
        comparison_operator: "LessThanThreshold",
        treat_missing_data: "breaching",
      });
    });

    it("rely on a publisher that reports each minute once: it runs once a minute", () => {
      expect(PUBLISHER_SAMPLING.scheduleSeconds).toBe(60);
    });
  });

  it("show on the dashboard: Airflow's signals, scheduling latency per pool, and the containers of each pool on EC2", () => {
    const body = JSON.parse(Object.values(resources(services, "aws_cloudwatch_dashboard"))[0].dashboard_body as string);
    const titles = body.widgets.map((w: any) => w.properties.title).filter(Boolean);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Scheduler: heartbeats and loop duration",
        "Executor slots: open, queued, running",
        "Airflow pools: open slots and starving tasks",
        "DAG processing: parse time and import errors",
        "Triggerer: running triggers and capacity left",
        "Scheduling latency: queued to running (s)",
        "Containers on EC2: memory working set, largest per family and container (cAdvisor)",
        ...config.workerPools.filter((p) => !p.capacity.startsWith("fargate")).map((p) => `Pool ${p.name}: worker CPU, memory and throttling (cAdvisor)`),
      ]),
    );
    const text = JSON.stringify(body);
    expect(text).toContain(`"${airflowNamespace}"`);
    expect(text).toContain(containerMetricsNamespace(config.name));
  });
});
