import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import { HEARTBEAT, QUEUE_METRICS } from "../../runtime/metrics";
import { airflowSignalWidgets, type AirflowDashboardMetrics } from "./airflow-dashboard";
import { logMetricName } from "./log-metrics";

export interface OperationsDashboardProps {
  /** Dashboard name, e.g. `airflow-prod`. */
  readonly name: string;
  /** Region of the metrics. */
  readonly region: string;
  /** Environment dimension of the queue and heartbeat metrics. */
  readonly environment: string;
  /** Worker pool names, one widget each. */
  readonly pools: readonly string[];
  /** Components with log metrics, in display order. */
  readonly components: readonly string[];
  /** Namespace of the log metrics. */
  readonly logNamespace: string;
  /** The ECS cluster (Container Insights dimension). */
  readonly clusterName: string;
  /** Auto Scaling group of the container instances. */
  readonly asgName: string;
  /** The cAdvisor service, compared with the instances. */
  readonly cadvisorService: string;
  /** RDS instance identifier. */
  readonly dbInstanceId: string;
  /** Broker node ids (`<group>-001`, ...). */
  readonly brokerNodes: readonly string[];
  /** The ALB's ARN suffix (`LoadBalancer` dimension). */
  readonly loadBalancer: string;
  /** The api-server target group's ARN suffix (`TargetGroup` dimension). */
  readonly targetGroup: string;
  /** Where the rows on Airflow's own metrics and the pools' containers read from. */
  readonly airflowMetrics: AirflowDashboardMetrics;
}

type Metric = (string | Record<string, unknown>)[];

/** Widgets of the environment's dashboard, as data (tests read them without synthesizing a stack). */
export function dashboardWidgets(props: OperationsDashboardProps): Record<string, unknown>[] {
  const q = (metric: string, pool: string): Metric => [
    QUEUE_METRICS.namespace,
    metric,
    QUEUE_METRICS.environmentDimension,
    props.environment,
    QUEUE_METRICS.poolDimension,
    pool,
  ];
  const widget = (title: string, metrics: Metric[], extra: Record<string, unknown> = {}) => ({
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region: props.region, view: "timeSeries", stat: "Maximum", period: 60, metrics, ...extra },
  });
  return [
    {
      type: "text",
      width: 24,
      height: 2,
      properties: {
        markdown: `# Airflow ${props.environment}\nQueue-depth autoscaling, heartbeat, component errors and data stores. Scaling samples every ${10} s.`,
      },
    },
    ...props.pools.map((pool) =>
      widget(
        `Pool ${pool}: workers and queue depth`,
        [
          [...q(QUEUE_METRICS.desiredWorkers, pool), { label: "desired workers" }],
          [...q(QUEUE_METRICS.currentWorkers, pool), { label: "current workers" }],
          [...q(QUEUE_METRICS.queuedTasks, pool), { label: "queued tasks", yAxis: "right" }],
          [...q(QUEUE_METRICS.runningTasks, pool), { label: "running tasks", yAxis: "right" }],
        ],
        { period: 10 },
      ),
    ),
    widget(
      "Running and queued tasks, all pools",
      props.pools.flatMap((pool) => [
        [...q(QUEUE_METRICS.runningTasks, pool), { label: `${pool} running` }],
        [...q(QUEUE_METRICS.queuedTasks, pool), { label: `${pool} queued` }],
      ]),
      { stacked: true },
    ),
    widget("Heartbeat: successful runs", [[HEARTBEAT.namespace, HEARTBEAT.metricName, HEARTBEAT.environmentDimension, props.environment]], {
      stat: "Sum",
      period: HEARTBEAT.intervalSeconds,
    }),
    widget(
      "Errors by component (log lines)",
      props.components.map((c) => [props.logNamespace, logMetricName(c, "Errors"), { label: c }]),
      { stat: "Sum", stacked: true },
    ),
    widget("Metadata database", [
      ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", props.dbInstanceId, { label: "CPU %" }],
      ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", props.dbInstanceId, { label: "connections", yAxis: "right" }],
    ]),
    widget(
      "Broker",
      props.brokerNodes.flatMap((node) => [
        ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", node, { label: `${node} memory %` }],
        ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", node, { label: `${node} CPU %` }],
      ]),
    ),
    widget("Hosts covered by cAdvisor", [
      ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", props.asgName, { label: "container instances" }],
      ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", props.clusterName, "ServiceName", props.cadvisorService, { label: "cAdvisor tasks" }],
    ]),
    widget("API: requests, 5xx and latency", [
      ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", props.loadBalancer, { stat: "Sum", label: "requests" }],
      [
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "LoadBalancer",
        props.loadBalancer,
        "TargetGroup",
        props.targetGroup,
        { stat: "Sum", label: "target 5xx" },
      ],
      ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", props.loadBalancer, { stat: "p95", label: "p95 latency (s)", yAxis: "right" }],
    ]),
    ...airflowSignalWidgets(props.region, props.environment, props.pools, props.airflowMetrics),
  ];
}

/** The environment's CloudWatch dashboard. */
export class OperationsDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      dashboardBody: JSON.stringify({ widgets: dashboardWidgets(props) }),
    });
  }
}
