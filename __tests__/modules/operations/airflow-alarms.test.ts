import { Testing } from "cdktf";
import { airflowMetricAlarms, collectorAlarms, workerPoolAlarms } from "../../../modules/operations/airflow-alarms";
import { AIRFLOW_METRIC_CATALOGUE, airflowMetricName } from "../../../modules/metrics/airflow-metric-catalogue";
import { PlatformAlarms } from "../../../modules/operations/platform-alarms";
import { repoEnvironment } from "../../support/synth";

const thresholds = repoEnvironment("prod").alarms.thresholds;
const NS = "AirflowEcs/prod/Airflow";

describe("alarms on Airflow's own metrics", () => {
  // GIVEN prod's thresholds WHEN the specs are built
  const specs = airflowMetricAlarms(NS, thresholds);

  it("are at least six, in the environment's namespace, each on a metric of the catalogue", () => {
    expect(specs.length).toBeGreaterThanOrEqual(6);
    const published = new Set(AIRFLOW_METRIC_CATALOGUE.map((m) => airflowMetricName(m.name)));
    for (const spec of specs) expect([spec.id, spec.namespace, published.has(spec.metric)]).toEqual([spec.id, NS, true]);
  });

  it("cover heartbeat, loop, import errors, executor slots, starving tasks, zombies, kills, parse time and triggerer capacity", () => {
    expect(specs.map((s) => s.metric)).toEqual(
      [
        "scheduler_heartbeat",
        "scheduler.scheduler_loop_duration",
        "dag_processing.import_errors",
        "executor.open_slots",
        "scheduler.tasks.starving",
        "task_instances_without_heartbeats_killed",
        "scheduler.tasks.killed_externally",
        "dag_processing.total_parse_time",
        "triggerer.capacity_left",
      ].map(airflowMetricName),
    );
  });

  it("end every description with a one-line runbook", () => {
    for (const spec of [...specs, ...workerPoolAlarms("prod", ["default"], thresholds), ...collectorAlarms("c", { serviceName: "s", desiredCount: 2 })]) {
      expect(spec.description).toMatch(/^[^\n]+\. Runbook: [^\n]{20,}$/);
    }
  });

  it("treat a missing heartbeat as breaching (a dead scheduler or collector sends nothing) and compare loop times in ms", () => {
    const byId = Object.fromEntries(specs.map((s) => [s.id, s]));
    expect(byId["airflow-scheduler-heartbeat"]).toMatchObject({ statistic: "Sum", threshold: 1, comparison: "LessThanThreshold", missing: "breaching" });
    expect(byId["airflow-scheduler-loop-slow"].threshold).toBe(thresholds.schedulerLoopSeconds * 1000);
  });
});

describe("worker pool alarms from the publisher", () => {
  it("alarm per pool on the p95 of queued-to-running and on failed tasks, with the pool's dimensions", () => {
    // GIVEN two pools WHEN their alarms are built
    const specs = workerPoolAlarms("prod", ["default", "heavy"], thresholds);
    // THEN each pool has both, dimensioned by Environment and Pool
    expect(specs.map((s) => [s.id, s.metric, s.statistic, s.threshold, s.dimensions])).toEqual([
      ["pool-default-scheduling-latency", "QueuedToRunningSeconds", "p95", 120, { Environment: "prod", Pool: "default" }],
      ["pool-default-failed-tasks", "FailedTasks", "Sum", 10, { Environment: "prod", Pool: "default" }],
      ["pool-heavy-scheduling-latency", "QueuedToRunningSeconds", "p95", 120, { Environment: "prod", Pool: "heavy" }],
      ["pool-heavy-failed-tasks", "FailedTasks", "Sum", 10, { Environment: "prod", Pool: "heavy" }],
    ]);
  });

  it("become a CloudWatch alarm on the extended statistic p95, notifying the topic", () => {
    // GIVEN the latency alarm WHEN it is synthesized
    const [latency] = workerPoolAlarms("prod", ["default"], thresholds);
    const json = JSON.parse(
      Testing.synthScope((scope) => new PlatformAlarms(scope, "alarms", { name: "airflow-prod", notificationTopicArn: "arn:topic", specs: [latency] })),
    );
    const [alarm] = Object.values(json.resource.aws_cloudwatch_metric_alarm) as Record<string, any>[];
    // THEN it compares the p95 (no standard statistic) and notifies on alarm and recovery
    expect(alarm).toMatchObject({ extended_statistic: "p95", period: 300, evaluation_periods: 3, alarm_actions: ["arn:topic"], ok_actions: ["arn:topic"] });
    expect(alarm.statistic).toBeUndefined();
  });
});

describe("the collector's alarm", () => {
  it("fires when fewer tasks run than the service should have, missing data counting as none", () => {
    expect(collectorAlarms("airflow-prod-cluster", { serviceName: "airflow-prod-metrics-collector", desiredCount: 2 })).toEqual([
      expect.objectContaining({
        namespace: "ECS/ContainerInsights",
        metric: "RunningTaskCount",
        dimensions: { ClusterName: "airflow-prod-cluster", ServiceName: "airflow-prod-metrics-collector" },
        statistic: "Minimum",
        threshold: 2,
        comparison: "LessThanThreshold",
        missing: "breaching",
      }),
    ]);
  });
});
