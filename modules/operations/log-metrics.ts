import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/**
 * Log-derived metrics (the seeds' "metric filters for errors, warnings and tracebacks"): what each component's log
 * lines count as, for Python logging (`... ERROR - ...`) and Airflow 3's structlog console format (`[error    ]`).
 */
export const LOG_PATTERNS = {
  Errors: '?"ERROR" ?"CRITICAL" ?"[error" ?"[critical"',
  Warnings: '?"WARNING" ?"[warning"',
  Tracebacks: '"Traceback (most recent call last)"',
} as const;
export type LogSignal = keyof typeof LOG_PATTERNS;

/** Sustained errors: more than this many error lines a minute, five minutes in a row. */
export const ERROR_RATE_ALARM = { perMinute: 10, periodSeconds: 60, evaluationPeriods: 5 } as const;

/** Namespace of an environment's log metrics (metric filters cannot add dimensions from outside the log line). */
export function logMetricsNamespace(prefix: string, environment: string): string {
  return `AirflowEcs/Logs/${prefix}-${environment}`;
}

/** `<Component><Signal>`, e.g. `SchedulerErrors`. */
export function logMetricName(component: string, signal: LogSignal): string {
  return `${component
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("")}${signal}`;
}

export interface LogMetricsProps {
  /** Metric namespace (`logMetricsNamespace`). */
  readonly namespace: string;
  /** Component -> its log group name. */
  readonly logGroups: Readonly<Record<string, string>>;
  /** Alarm name prefix. */
  readonly name: string;
  /** Topic notified on ALARM and on recovery. */
  readonly notificationTopicArn: string;
}

/** Metric filters counting errors, warnings and tracebacks in every component's log group, and an alarm on sustained errors. */
export class LogMetrics extends Construct {
  /** One sustained-errors alarm per component. */
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: LogMetricsProps) {
    super(scope, id);
    for (const [component, logGroupName] of Object.entries(props.logGroups)) {
      for (const signal of Object.keys(LOG_PATTERNS) as LogSignal[]) {
        new CloudwatchLogMetricFilter(this, `${component}-${signal}`, {
          name: `${component}-${signal.toLowerCase()}`,
          logGroupName,
          pattern: LOG_PATTERNS[signal],
          metricTransformation: { name: logMetricName(component, signal), namespace: props.namespace, value: "1", defaultValue: "0", unit: "Count" },
        });
      }
      this.alarms.push(
        new CloudwatchMetricAlarm(this, `${component}-error-rate`, {
          alarmName: `${props.name}-${component}-errors`,
          alarmDescription: `${component} logs more than ${ERROR_RATE_ALARM.perMinute} errors a minute for ${ERROR_RATE_ALARM.evaluationPeriods} minutes`,
          namespace: props.namespace,
          metricName: logMetricName(component, "Errors"),
          statistic: "Sum",
          period: ERROR_RATE_ALARM.periodSeconds,
          evaluationPeriods: ERROR_RATE_ALARM.evaluationPeriods,
          threshold: ERROR_RATE_ALARM.perMinute,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          actionsEnabled: true,
          alarmActions: [props.notificationTopicArn],
          okActions: [props.notificationTopicArn],
        }),
      );
    }
  }
}
