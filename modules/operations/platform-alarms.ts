import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { constructError } from "../core/construct-error";

/** One CloudWatch alarm, as data: the specs below are reviewable and testable without synthesizing. */
export interface AlarmSpec {
  /** Suffix of the alarm name and construct id. */
  readonly id: string;
  /** What the alarm means, shown in the notification. */
  readonly description: string;
  /** Metric namespace, e.g. `AWS/RDS`. */
  readonly namespace: string;
  /** Metric name. */
  readonly metric: string;
  /** Metric dimensions. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Statistic compared with the threshold: a standard one, or a percentile such as `p95` (an extended statistic). */
  readonly statistic: "Average" | "Maximum" | "Minimum" | "Sum" | `p${number}`;
  /** Length of one datapoint. */
  readonly periodSeconds: number;
  /** Consecutive breaching datapoints that raise the alarm. */
  readonly evaluationPeriods: number;
  /** Threshold the statistic is compared with. */
  readonly threshold: number;
  /** How the statistic is compared with the threshold. */
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  /**
   * How missing datapoints count.
   * @default "notBreaching"
   */
  readonly missing?: "breaching" | "notBreaching" | "missing";
}

/** Container Insights' RunningTaskCount: below 1 means no scheduler task is running and healthy. */
export function schedulerAlarms(cluster: string, service: string): AlarmSpec[] {
  return [
    {
      id: "scheduler-not-running",
      description: "No healthy scheduler task: no task gets scheduled",
      namespace: "ECS/ContainerInsights",
      metric: "RunningTaskCount",
      dimensions: { ClusterName: cluster, ServiceName: service },
      statistic: "Minimum",
      periodSeconds: 60,
      evaluationPeriods: 3,
      threshold: 1,
      comparison: "LessThanThreshold",
      missing: "breaching",
    },
  ];
}

/** CPU and memory of each ECS service (AWS/ECS service metrics). */
export function serviceAlarms(cluster: string, services: readonly { readonly id: string; readonly name: string }[]): AlarmSpec[] {
  return services.flatMap(({ id, name }) =>
    [
      { id: `${id}-cpu`, description: `${name}: CPU above 85% for 15 minutes`, metric: "CPUUtilization", threshold: 85 },
      { id: `${id}-memory`, description: `${name}: memory above 90% for 15 minutes`, metric: "MemoryUtilization", threshold: 90 },
    ].map((a) => ({
      ...a,
      namespace: "AWS/ECS",
      dimensions: { ClusterName: cluster, ServiceName: name },
      statistic: "Average" as const,
      periodSeconds: 300,
      evaluationPeriods: 3,
      comparison: "GreaterThanThreshold" as const,
    })),
  );
}

/** The api-server behind the ALB: 5xx from targets and from the ALB itself, unhealthy targets. */
export function apiServerAlarms(loadBalancer: string, targetGroup: string): AlarmSpec[] {
  const lb = { LoadBalancer: loadBalancer };
  return [
    {
      id: "api-target-5xx",
      description: "api-server answers more than 10 5xx a minute for 5 minutes",
      namespace: "AWS/ApplicationELB",
      metric: "HTTPCode_Target_5XX_Count",
      dimensions: { ...lb, TargetGroup: targetGroup },
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: 5,
      threshold: 10,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "alb-5xx",
      description: "The ALB answers more than 10 5xx a minute for 5 minutes (no healthy target, timeouts)",
      namespace: "AWS/ApplicationELB",
      metric: "HTTPCode_ELB_5XX_Count",
      dimensions: lb,
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: 5,
      threshold: 10,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "api-unhealthy-targets",
      description: "An api-server target fails its health check for 3 minutes",
      namespace: "AWS/ApplicationELB",
      metric: "UnHealthyHostCount",
      dimensions: { ...lb, TargetGroup: targetGroup },
      statistic: "Maximum",
      periodSeconds: 60,
      evaluationPeriods: 3,
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
    },
  ];
}

/** Memory (GiB) of an RDS instance class, by size; what PostgreSQL's default max_connections derives from. */
function instanceClassMemoryGiB(instanceClass: string): number {
  const [, family, size] = instanceClass.split(".");
  const perSize: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32, "4xlarge": 64, "8xlarge": 128 };
  const base = perSize[size] ?? 4;
  return family?.startsWith("r") || family?.startsWith("x") ? base * 2 : base;
}

/** RDS PostgreSQL's default max_connections: LEAST(DBInstanceClassMemory / 9531392, 5000), with ~10% of memory reserved. */
export function estimatedMaxConnections(instanceClass: string): number {
  return Math.min(5000, Math.floor((instanceClassMemoryGiB(instanceClass) * 1024 ** 3 * 0.9) / 9531392));
}

/** Metadata database: CPU, free storage (10% of the allocation) and connections (80% of the estimated maximum). */
export function databaseAlarms(instanceId: string, instanceClass: string, allocatedStorageGb: number): AlarmSpec[] {
  const dimensions = { DBInstanceIdentifier: instanceId };
  return [
    {
      id: "db-cpu",
      description: "Metadata DB CPU above 80% for 15 minutes",
      namespace: "AWS/RDS",
      metric: "CPUUtilization",
      dimensions,
      statistic: "Average",
      periodSeconds: 300,
      evaluationPeriods: 3,
      threshold: 80,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "db-free-storage",
      description: `Metadata DB free storage below 10% of ${allocatedStorageGb} GiB`,
      namespace: "AWS/RDS",
      metric: "FreeStorageSpace",
      dimensions,
      statistic: "Minimum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: Math.round(allocatedStorageGb * 1024 ** 3 * 0.1),
      comparison: "LessThanThreshold",
    },
    {
      id: "db-connections",
      description: `Metadata DB connections above 80% of the ~${estimatedMaxConnections(instanceClass)} allowed`,
      namespace: "AWS/RDS",
      metric: "DatabaseConnections",
      dimensions,
      statistic: "Maximum",
      periodSeconds: 300,
      evaluationPeriods: 3,
      threshold: Math.floor(estimatedMaxConnections(instanceClass) * 0.8),
      comparison: "GreaterThanThreshold",
    },
  ];
}

/** Broker nodes (`<group>-001` ...): memory, engine CPU, and evictions (which `noeviction` must keep at zero). */
export function brokerAlarms(replicationGroupId: string, nodeCount: number): AlarmSpec[] {
  return Array.from({ length: nodeCount }, (_, i) => String(i + 1).padStart(3, "0")).flatMap((number) => {
    const node = `${replicationGroupId}-${number}`;
    const dimensions = { CacheClusterId: node };
    return [
      {
        id: `broker-${number}-memory`,
        description: `Broker node ${node}: memory above 75% (writes fail when full)`,
        namespace: "AWS/ElastiCache",
        metric: "DatabaseMemoryUsagePercentage",
        dimensions,
        statistic: "Maximum",
        periodSeconds: 300,
        evaluationPeriods: 3,
        threshold: 75,
        comparison: "GreaterThanThreshold",
      },
      {
        id: `broker-${number}-cpu`,
        description: `Broker node ${node}: engine CPU above 80%`,
        namespace: "AWS/ElastiCache",
        metric: "EngineCPUUtilization",
        dimensions,
        statistic: "Average",
        periodSeconds: 300,
        evaluationPeriods: 3,
        threshold: 80,
        comparison: "GreaterThanThreshold",
      },
      {
        id: `broker-${number}-evictions`,
        description: `Broker node ${node}: keys evicted (queued messages lost)`,
        namespace: "AWS/ElastiCache",
        metric: "Evictions",
        dimensions,
        statistic: "Sum",
        periodSeconds: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparison: "GreaterThanThreshold",
      },
    ] satisfies AlarmSpec[];
  });
}

/** A Lambda: failed invocations, throttles, and messages in its dead-letter queue. */
export function lambdaAlarms(id: string, functionName: string, deadLetterQueue: string, errorsIn5Minutes: number): AlarmSpec[] {
  return [
    {
      id: `${id}-errors`,
      description: `${functionName}: ${errorsIn5Minutes} or more failed invocations in 5 minutes`,
      namespace: "AWS/Lambda",
      metric: "Errors",
      dimensions: { FunctionName: functionName },
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: errorsIn5Minutes,
      comparison: "GreaterThanOrEqualToThreshold",
    },
    {
      id: `${id}-throttles`,
      description: `${functionName}: throttled (an invocation overran its schedule)`,
      namespace: "AWS/Lambda",
      metric: "Throttles",
      dimensions: { FunctionName: functionName },
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 2,
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
    },
    deadLetterAlarm(`${id}-dead-letters`, `${functionName}: failed events in ${deadLetterQueue}`, deadLetterQueue),
  ];
}

/** Any message in a dead-letter queue: something gave up on a delivery (checked every five minutes). */
export function deadLetterAlarm(id: string, description: string, deadLetterQueue: string): AlarmSpec {
  return {
    id,
    description,
    namespace: "AWS/SQS",
    metric: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: deadLetterQueue },
    statistic: "Maximum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparison: "GreaterThanOrEqualToThreshold",
  };
}

export interface PlatformAlarmsProps {
  /** Alarm name prefix, e.g. `airflow-prod`. */
  readonly name: string;
  /** The alarms, each with an id unique among them. */
  readonly specs: readonly AlarmSpec[];
  /** Topic notified on ALARM and on recovery. */
  readonly notificationTopicArn: string;
}

/** Creates an alarm per spec, notifying the topic on ALARM and on recovery. */
export class PlatformAlarms extends Construct {
  /** The alarms, in spec order. */
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    const ids = new Set<string>();
    this.alarms = props.specs.map((spec) => {
      if (ids.has(spec.id)) throw constructError(this, `alarm id "${spec.id}" is used twice`);
      ids.add(spec.id);
      return new CloudwatchMetricAlarm(this, spec.id, {
        alarmName: `${props.name}-${spec.id}`,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metric,
        dimensions: { ...spec.dimensions },
        ...(spec.statistic.startsWith("p") ? { extendedStatistic: spec.statistic } : { statistic: spec.statistic }),
        period: spec.periodSeconds,
        evaluationPeriods: spec.evaluationPeriods,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        treatMissingData: spec.missing ?? "notBreaching",
        actionsEnabled: true,
        alarmActions: [props.notificationTopicArn],
        okActions: [props.notificationTopicArn],
      });
    });
  }
}
