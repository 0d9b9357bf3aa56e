import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { HEARTBEAT } from "../../runtime/metrics";

/**
 * The heartbeat alarm, derived from the DAG's schedule: one period per scheduled run, alarming only after three
 * consecutive periods without a success. A run that is late (the seeds saw 75 s for four small tasks) lands in the
 * next period instead, which still has its datapoint; only a platform that completes no run for three intervals
 * (15 minutes with a 5-minute schedule) alarms. Missing data is breaching: silence is the failure it exists to catch.
 */
export function heartbeatAlarmSettings(intervalSeconds: number = HEARTBEAT.intervalSeconds) {
  return {
    periodSeconds: intervalSeconds,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    statistic: "Sum",
    threshold: 1,
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "breaching",
  } as const;
}

export interface HeartbeatAlarmProps {
  /** Alarm name, e.g. `airflow-prod-heartbeat`. */
  readonly name: string;
  /** The environment dimension the heartbeat DAG publishes under. */
  readonly environment: string;
  /** Topic notified on ALARM and on recovery. */
  readonly notificationTopicArn: string;
}

/** Alarms when the heartbeat DAG stops publishing successes (scheduler, workers, broker, DB, logs or secrets down). */
export class HeartbeatAlarm extends Construct {
  /** The alarm. */
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: HeartbeatAlarmProps) {
    super(scope, id);
    const settings = heartbeatAlarmSettings();
    this.alarm = new CloudwatchMetricAlarm(this, "alarm", {
      alarmName: props.name,
      alarmDescription: `No successful ${HEARTBEAT.dagId} run in ${(settings.periodSeconds * settings.datapointsToAlarm) / 60} minutes: Airflow is not running tasks end to end`,
      namespace: HEARTBEAT.namespace,
      metricName: HEARTBEAT.metricName,
      dimensions: { [HEARTBEAT.environmentDimension]: props.environment },
      statistic: settings.statistic,
      period: settings.periodSeconds,
      evaluationPeriods: settings.evaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm,
      threshold: settings.threshold,
      comparisonOperator: settings.comparisonOperator,
      treatMissingData: settings.treatMissingData,
      actionsEnabled: true,
      alarmActions: [props.notificationTopicArn],
      okActions: [props.notificationTopicArn],
    });
  }
}
