import { Testing } from "cdktf";
import {
  apiServerAlarms,
  brokerAlarms,
  databaseAlarms,
  estimatedMaxConnections,
  lambdaAlarms,
  PlatformAlarms,
  schedulerAlarms,
  serviceAlarms,
} from "../../../modules/operations/platform-alarms";
import { dashboardWidgets } from "../../../modules/operations/operations-dashboard";

describe("platform alarms", () => {
  it("alarm when no scheduler task is running, treating missing data as no scheduler", () => {
    expect(schedulerAlarms("c", "airflow-dev-scheduler")).toEqual([
      expect.objectContaining({
        namespace: "ECS/ContainerInsights",
        metric: "RunningTaskCount",
        statistic: "Minimum",
        threshold: 1,
        comparison: "LessThanThreshold",
        missing: "breaching",
      }),
    ]);
  });

  it("watch api-server 5xx, ALB 5xx and unhealthy targets", () => {
    expect(apiServerAlarms("app/alb/1", "targetgroup/api/2").map((a) => [a.metric, a.dimensions])).toEqual([
      ["HTTPCode_Target_5XX_Count", { LoadBalancer: "app/alb/1", TargetGroup: "targetgroup/api/2" }],
      ["HTTPCode_ELB_5XX_Count", { LoadBalancer: "app/alb/1" }],
      ["UnHealthyHostCount", { LoadBalancer: "app/alb/1", TargetGroup: "targetgroup/api/2" }],
    ]);
  });

  it("watch the database's CPU, free storage (10% of the allocation) and connections (80% of the estimated maximum)", () => {
    const [cpu, storage, connections] = databaseAlarms("airflow-prod-metadata", "db.m7g.large", 100);
    expect([cpu.threshold, storage.threshold, connections.threshold]).toEqual([
      80,
      Math.round(100 * 1024 ** 3 * 0.1),
      Math.floor(estimatedMaxConnections("db.m7g.large") * 0.8),
    ]);
    // RDS PostgreSQL's default: DBInstanceClassMemory / 9531392 (8 GiB -> ~811 with 10% reserved).
    expect(estimatedMaxConnections("db.m7g.large")).toBe(811);
    expect(estimatedMaxConnections("db.r7g.large")).toBe(1622);
  });

  it("watch every broker node's memory, CPU and evictions", () => {
    expect(brokerAlarms("airflow-prod-broker", 2).map((a) => [a.id, a.dimensions.CacheClusterId])).toEqual([
      ["broker-001-memory", "airflow-prod-broker-001"],
      ["broker-001-cpu", "airflow-prod-broker-001"],
      ["broker-001-evictions", "airflow-prod-broker-001"],
      ["broker-002-memory", "airflow-prod-broker-002"],
      ["broker-002-cpu", "airflow-prod-broker-002"],
      ["broker-002-evictions", "airflow-prod-broker-002"],
    ]);
  });

  it("watch CPU and memory of each service, and a Lambda's errors, throttles and dead letters", () => {
    expect(serviceAlarms("c", [{ id: "scheduler", name: "airflow-dev-scheduler" }]).map((a) => [a.metric, a.threshold])).toEqual([
      ["CPUUtilization", 85],
      ["MemoryUtilization", 90],
    ]);
    expect(lambdaAlarms("publisher", "fn", "fn-dlq", 3).map((a) => [a.namespace, a.metric])).toEqual([
      ["AWS/Lambda", "Errors"],
      ["AWS/Lambda", "Throttles"],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible"],
    ]);
  });

  it("become enabled CloudWatch alarms that notify on alarm and recovery, and reject duplicate ids", () => {
    const json = JSON.parse(
      Testing.synthScope(
        (scope) => new PlatformAlarms(scope, "a", { name: "airflow-dev", notificationTopicArn: "arn:topic", specs: schedulerAlarms("c", "s") }),
      ),
    );
    expect(Object.values(json.resource.aws_cloudwatch_metric_alarm)).toEqual([
      expect.objectContaining({
        alarm_name: "airflow-dev-scheduler-not-running",
        actions_enabled: true,
        alarm_actions: ["arn:topic"],
        ok_actions: ["arn:topic"],
        treat_missing_data: "breaching",
      }),
    ]);
    expect(() =>
      Testing.synthScope(
        (scope) =>
          new PlatformAlarms(scope, "a", { name: "x", notificationTopicArn: "t", specs: [...schedulerAlarms("c", "s"), ...schedulerAlarms("c", "s")] }),
      ),
    ).toThrow(/^[^:]*\/a: alarm id "scheduler-not-running" is used twice$/);
  });
});

describe("operations dashboard", () => {
  const widgets = dashboardWidgets({
    name: "airflow-dev",
    region: "eu-west-1",
    environment: "dev",
    pools: ["default", "heavy"],
    components: ["scheduler", "worker-default"],
    logNamespace: "AirflowEcs/Logs/airflow-dev",
    clusterName: "airflow-dev-cluster",
    asgName: "airflow-dev-ec2",
    cadvisorService: "airflow-dev-cadvisor",
    dbInstanceId: "airflow-dev-metadata",
    brokerNodes: ["airflow-dev-broker-001"],
    loadBalancer: "app/a/1",
    targetGroup: "targetgroup/t/2",
    airflowMetrics: {
      airflowNamespace: "AirflowEcs/dev/Airflow",
      containerNamespace: "AirflowEcs/dev/Containers",
      poolFamilies: [
        { pool: "default", family: "airflow-dev-worker-default" },
        { pool: "heavy", family: "airflow-dev-worker-heavy" },
      ],
    },
  });
  const titles = widgets.map((w: any) => w.properties.title ?? "(text)");

  it("shows queue depth and workers per pool, tasks, heartbeat, errors by component, RDS, Redis and cAdvisor coverage first", () => {
    // (the rows on Airflow's own metrics follow: __tests__/modules/operations/airflow-dashboard.test.ts)
    expect(titles.slice(0, 10)).toEqual([
      "(text)",
      "Pool default: workers and queue depth",
      "Pool heavy: workers and queue depth",
      "Running and queued tasks, all pools",
      "Heartbeat: successful runs",
      "Errors by component (log lines)",
      "Metadata database",
      "Broker",
      "Hosts covered by cAdvisor",
      "API: requests, 5xx and latency",
    ]);
  });

  it("plots each pool's desired and current workers beside its queued and running tasks", () => {
    const pool = widgets[1] as any;
    expect(pool.properties.metrics.map((m: any[]) => m[1])).toEqual(["DesiredWorkers", "CurrentWorkers", "QueuedTasks", "RunningTasks"]);
  });
});
