import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Testing } from "cdktf";
import { QUEUE_METRICS } from "../../../runtime/metrics";
import { exactSteps, PUBLISHER_SAMPLING, QueueDepthScaling, SCALING, worstCaseScaleOutSeconds } from "../../../modules/operations/queue-depth-scaling";

function synth(pool = { name: "default", minCount: 2, maxCount: 12 }) {
  return JSON.parse(
    Testing.synthScope((scope) => {
      const target = new AppautoscalingTarget(scope, "target", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: "service/c/airflow-prod-worker-default",
        minCapacity: pool.minCount,
        maxCapacity: pool.maxCount,
      });
      new QueueDepthScaling(scope, "scaling", {
        environment: "prod",
        pool,
        target,
        name: "airflow-prod-worker-default",
        notificationTopicArn: "arn:aws:sns:eu-west-1:333333333333:alarms",
      });
    }),
  );
}

describe("QueueDepthScaling", () => {
  const json = synth();
  const policies = Object.values(json.resource.aws_appautoscaling_policy) as any[];
  const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[];
  const alarm = (suffix: string) => alarms.find((a) => a.alarm_name.endsWith(suffix));

  it("scales out by exactly the shortfall, fast: a 10 s high-resolution alarm, one datapoint, 30 s cooldown", () => {
    // GIVEN a pool of 2-12 workers WHEN synthesized THEN the scale-out alarm watches WorkerShortfall >= 1 every 10 s
    expect(alarm("-scale-out")).toMatchObject({
      namespace: QUEUE_METRICS.namespace,
      metric_name: QUEUE_METRICS.workerShortfall,
      dimensions: { Environment: "prod", Pool: "default" },
      statistic: "Maximum",
      period: 10,
      evaluation_periods: 1,
      datapoints_to_alarm: 1,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [expect.stringContaining("aws_appautoscaling_policy")],
    });
    const out = policies.find((p) => p.name.endsWith("scale-out")).step_scaling_policy_configuration;
    expect(out).toMatchObject({ adjustment_type: "ChangeInCapacity", metric_aggregation_type: "Maximum", cooldown: 30 });
    expect(out.step_adjustment.map((s: any) => s.scaling_adjustment)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("scales in by the surplus only after five minutes of it, with a 5-minute cooldown", () => {
    expect(alarm("-scale-in")).toMatchObject({ metric_name: QUEUE_METRICS.workerSurplus, period: 60, evaluation_periods: 5, datapoints_to_alarm: 5 });
    const inward = policies.find((p) => p.name.endsWith("scale-in")).step_scaling_policy_configuration;
    expect([inward.cooldown, inward.step_adjustment[0].scaling_adjustment, inward.step_adjustment.at(-1).scaling_adjustment]).toEqual([300, -1, -10]);
  });

  it("alarms when a task waits in the queue for more than 5 minutes", () => {
    expect(alarm("-queue-backlog")).toMatchObject({
      metric_name: QUEUE_METRICS.oldestQueuedSeconds,
      threshold: 300,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: ["arn:aws:sns:eu-west-1:333333333333:alarms"],
    });
  });

  it("builds contiguous steps whose bounds are offsets from the threshold, capped at 20 steps", () => {
    expect(exactSteps(3, 1)).toEqual([
      { metricIntervalLowerBound: "0", metricIntervalUpperBound: "1", scalingAdjustment: 1 },
      { metricIntervalLowerBound: "1", metricIntervalUpperBound: "2", scalingAdjustment: 2 },
      { metricIntervalLowerBound: "2", metricIntervalUpperBound: undefined, scalingAdjustment: 3 },
    ]);
    expect(exactSteps(500, -1)).toHaveLength(SCALING.maxSteps);
    expect(exactSteps(0, 1)).toEqual([{ metricIntervalLowerBound: "0", metricIntervalUpperBound: undefined, scalingAdjustment: 1 }]);
  });

  it("decides to scale out within 60 s of a backlog in the worst case", () => {
    // 5 samples 10 s apart, one invocation a minute: the longest gap is 60 - 40 + 3 s start-up = 23 s;
    // + 2 s publish + 10 s window + 10 s evaluation cadence = 45 s.
    expect(worstCaseScaleOutSeconds(PUBLISHER_SAMPLING, SCALING.scaleOut)).toBe(45);
    expect(worstCaseScaleOutSeconds(PUBLISHER_SAMPLING, SCALING.scaleOut)).toBeLessThanOrEqual(60);
  });
});
