import { Testing } from "cdktf";
import { HEARTBEAT } from "../../../runtime/metrics";
import { HeartbeatAlarm, heartbeatAlarmSettings } from "../../../modules/operations/heartbeat-alarm";
import { LOG_PATTERNS, logMetricName, LogMetrics } from "../../../modules/operations/log-metrics";

describe("HeartbeatAlarm", () => {
  const json = JSON.parse(
    Testing.synthScope((scope) => new HeartbeatAlarm(scope, "hb", { name: "airflow-dev-heartbeat", environment: "dev", notificationTopicArn: "arn:topic" })),
  );
  const alarm = Object.values(json.resource.aws_cloudwatch_metric_alarm)[0] as any;

  it("watches the metric the heartbeat DAG publishes, from the shared names", () => {
    expect(alarm).toMatchObject({ namespace: HEARTBEAT.namespace, metric_name: HEARTBEAT.metricName, dimensions: { [HEARTBEAT.environmentDimension]: "dev" } });
  });

  it("treats silence as failure and alarms only after three scheduled intervals without a success", () => {
    expect(alarm).toMatchObject({
      treat_missing_data: "breaching",
      statistic: "Sum",
      threshold: 1,
      comparison_operator: "LessThanThreshold",
      period: HEARTBEAT.intervalSeconds,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
    });
    expect(alarm.alarm_actions).toEqual(["arn:topic"]);
    expect(alarm.ok_actions).toEqual(["arn:topic"]);
  });

  it("derives its period from the DAG schedule, so a 75 s late run only moves its datapoint to the next period", () => {
    const settings = heartbeatAlarmSettings(300);
    // A run that ends 75 s after its slot still lands in a period that has no other run; three empty periods = 15 min.
    expect([settings.periodSeconds, settings.periodSeconds * settings.datapointsToAlarm]).toEqual([300, 900]);
    expect(75).toBeLessThan(settings.periodSeconds);
  });
});

describe("LogMetrics", () => {
  const json = JSON.parse(
    Testing.synthScope(
      (scope) =>
        new LogMetrics(scope, "logs", {
          namespace: "AirflowEcs/Logs/airflow-dev",
          logGroups: { scheduler: "/airflow/dev/scheduler", "worker-default": "/airflow/dev/worker-default" },
          name: "airflow-dev",
          notificationTopicArn: "arn:topic",
        }),
    ),
  );
  const filters = Object.values(json.resource.aws_cloudwatch_log_metric_filter) as any[];

  it("counts errors, warnings and tracebacks in every component's log group", () => {
    expect(filters.map((f) => [f.log_group_name, f.metric_transformation.name, f.pattern]).sort()).toEqual(
      [
        ["/airflow/dev/scheduler", "SchedulerErrors", LOG_PATTERNS.Errors],
        ["/airflow/dev/scheduler", "SchedulerWarnings", LOG_PATTERNS.Warnings],
        ["/airflow/dev/scheduler", "SchedulerTracebacks", LOG_PATTERNS.Tracebacks],
        ["/airflow/dev/worker-default", "WorkerDefaultErrors", LOG_PATTERNS.Errors],
        ["/airflow/dev/worker-default", "WorkerDefaultWarnings", LOG_PATTERNS.Warnings],
        ["/airflow/dev/worker-default", "WorkerDefaultTracebacks", LOG_PATTERNS.Tracebacks],
      ].sort(),
    );
    expect(filters.every((f) => f.metric_transformation.default_value === "0" && f.metric_transformation.namespace === "AirflowEcs/Logs/airflow-dev")).toBe(
      true,
    );
  });

  it("alarms on a sustained error rate per component", () => {
    const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[];
    expect(alarms.map((a) => [a.alarm_name, a.metric_name, a.threshold, a.evaluation_periods])).toEqual([
      ["airflow-dev-scheduler-errors", "SchedulerErrors", 10, 5],
      ["airflow-dev-worker-default-errors", "WorkerDefaultErrors", 10, 5],
    ]);
  });

  it("names metrics after the component in PascalCase", () => {
    expect([logMetricName("api-server", "Errors"), logMetricName("dag-processor", "Tracebacks")]).toEqual(["ApiServerErrors", "DagProcessorTracebacks"]);
  });
});
