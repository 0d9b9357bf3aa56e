import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { SCALING } from "../../config/derived/queue-scaling";
import { QUEUE_METRICS } from "../../runtime/metrics";

// The sampling and alarm timing are derived values of the config layer (the queue-timing rule builds on them).
export { LATENCY_MARGINS, PUBLISHER_SAMPLING, SCALING, worstCaseScaleOutSeconds } from "../../config/derived/queue-scaling";

/**
 * The queue-backlog alarm: the oldest queued task instance of a pool has waited this long. It stays below the
 * derived `[scheduler] task_queued_timeout` (config/derived/queue-timing.ts), after which the scheduler requeues it.
 */
export const BACKLOG_ALARM = { thresholdSeconds: 300, periodSeconds: 60, evaluationPeriods: 3 } as const;

/** Step adjustments: k steps of exactly k workers (the alarm threshold is 1, so the lower bound k-1 means value k). */
export function exactSteps(
  maxChange: number,
  direction: 1 | -1,
): { metricIntervalLowerBound: string; metricIntervalUpperBound?: string; scalingAdjustment: number }[] {
  const steps = Math.max(1, Math.min(maxChange, SCALING.maxSteps));
  return Array.from({ length: steps }, (_, i) => ({
    metricIntervalLowerBound: String(i),
    metricIntervalUpperBound: i === steps - 1 ? undefined : String(i + 1),
    scalingAdjustment: direction * (i + 1),
  }));
}

export interface QueueDepthScalingProps {
  /** Environment dimension of the publisher's metrics. */
  readonly environment: string;
  /** The pool: its metric dimension, and the range its step adjustments span. */
  readonly pool: { readonly name: string; readonly minCount: number; readonly maxCount: number };
  /** The pool service's scalable target (`WorkerPool.scalableTarget`). */
  readonly target: AppautoscalingTarget;
  /** Alarm name prefix, e.g. `airflow-prod-worker-default`. */
  readonly name: string;
  /** Topic the backlog alarm notifies. */
  readonly notificationTopicArn: string;
}

/**
 * Queue-depth autoscaling of one worker pool, driven by the publisher's metrics: step scaling with adjustments equal
 * to the shortfall (scale out as soon as one sample shows more work than workers) or the surplus (scale in after five
 * minutes), bounded by the pool's min/max on the target. Scale-in never stops a busy worker: workers hold ECS task
 * scale-in protection while they run tasks.
 */
export class QueueDepthScaling extends Construct {
  /** Step policy adding the shortfall. */
  readonly scaleOut: AppautoscalingPolicy;
  /** Step policy removing the surplus. */
  readonly scaleIn: AppautoscalingPolicy;
  /** The scale-out, scale-in and backlog alarms. */
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: QueueDepthScalingProps) {
    super(scope, id);
    const { target, pool } = props;
    const dimensions = { [QUEUE_METRICS.environmentDimension]: props.environment, [QUEUE_METRICS.poolDimension]: pool.name };
    const range = pool.maxCount - pool.minCount;

    const policy = (kind: "out" | "in") =>
      new AppautoscalingPolicy(this, `scale-${kind}`, {
        name: `${props.name}-scale-${kind}`,
        policyType: "StepScaling",
        serviceNamespace: target.serviceNamespace,
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        stepScalingPolicyConfiguration: {
          adjustmentType: "ChangeInCapacity",
          metricAggregationType: "Maximum",
          cooldown: kind === "out" ? SCALING.scaleOut.cooldownSeconds : SCALING.scaleIn.cooldownSeconds,
          stepAdjustment: exactSteps(range, kind === "out" ? 1 : -1),
        },
      });
    this.scaleOut = policy("out");
    this.scaleIn = policy("in");

    const alarm = (
      kind: "out" | "in",
      metric: string,
      settings: { periodSeconds: number; evaluationPeriods: number; datapointsToAlarm: number },
      action: string,
    ) =>
      new CloudwatchMetricAlarm(this, `scale-${kind}-alarm`, {
        alarmName: `${props.name}-scale-${kind}`,
        alarmDescription: `${kind === "out" ? "More" : "Fewer"} workers needed in pool ${pool.name} (${metric}); drives its scale-${kind} policy`,
        namespace: QUEUE_METRICS.namespace,
        metricName: metric,
        dimensions,
        statistic: "Maximum",
        period: settings.periodSeconds,
        evaluationPeriods: settings.evaluationPeriods,
        datapointsToAlarm: settings.datapointsToAlarm,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // No data (publisher down) makes no decision; the publisher's own alarms report the outage.
        treatMissingData: "notBreaching",
        actionsEnabled: true,
        alarmActions: [action],
      });
    this.alarms = [
      alarm("out", QUEUE_METRICS.workerShortfall, SCALING.scaleOut, this.scaleOut.arn),
      alarm("in", QUEUE_METRICS.workerSurplus, SCALING.scaleIn, this.scaleIn.arn),
      new CloudwatchMetricAlarm(this, "backlog-alarm", {
        alarmName: `${props.name}-queue-backlog`,
        alarmDescription: `Pool ${pool.name}: a task has been queued for over ${BACKLOG_ALARM.thresholdSeconds} s (the scheduler requeues it after [scheduler] task_queued_timeout)`,
        namespace: QUEUE_METRICS.namespace,
        metricName: QUEUE_METRICS.oldestQueuedSeconds,
        dimensions,
        statistic: "Maximum",
        period: BACKLOG_ALARM.periodSeconds,
        evaluationPeriods: BACKLOG_ALARM.evaluationPeriods,
        threshold: BACKLOG_ALARM.thresholdSeconds,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        actionsEnabled: true,
        alarmActions: [props.notificationTopicArn],
        okActions: [props.notificationTopicArn],
      }),
    ];
  }
}
