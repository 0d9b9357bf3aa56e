import { Token } from "cdktf";
import { Construct } from "constructs";
import type { AlarmSubscriptionConfig } from "../../config/schema";
import { LAMBDA_ARTIFACTS } from "../../runtime/lambda";
import { PUBLISHER_ENV, REDEPLOYER_ENV } from "../../runtime/lambda";
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import { AlarmTopic } from "./alarm-topic";
import { BundledLambda, type BundledLambdaProps } from "./bundled-lambda";
import { HeartbeatAlarm } from "./heartbeat-alarm";
import { LogMetrics, logMetricsNamespace } from "./log-metrics";
import { airflowMetricAlarms, collectorAlarms, workerPoolAlarms } from "./airflow-alarms";
import type { MonitoredBroker, MonitoredDatabase, MonitoredLoadBalancer, MonitoredMetrics, OperatedService, ScalablePool } from "./operated-resources";
import { OperationsDashboard } from "./operations-dashboard";
import { apiServerAlarms, brokerAlarms, databaseAlarms, lambdaAlarms, PlatformAlarms, schedulerAlarms, serviceAlarms } from "./platform-alarms";
import { PUBLISHER_SAMPLING, QueueDepthScaling } from "./queue-depth-scaling";

/** The publisher's function settings: every invocation ends before the next minute's starts (reserved concurrency 1). */
export const PUBLISHER_FUNCTION = { timeoutSeconds: 55, memoryMb: 256, reservedConcurrency: 1, maxEventAgeSeconds: 60 } as const;

export interface AirflowOperationsProps {
  /** Names of the environment: topic, alarm, dashboard and Lambda names, log groups, the log-metric namespace. */
  readonly naming: Naming;
  /** ARNs of the environment's account and region (the dashboard's region, the alarm topic key's policy). */
  readonly arns: ArnBuilder;
  /**
   * Address subscribed to the alarm topic (confirms the subscription once).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Further subscriptions of the alarm topic (`alarms.subscriptions`).
   * @default - none
   */
  readonly alarmSubscriptions?: readonly AlarmSubscriptionConfig[];
  /** The ECS cluster and the Auto Scaling group of its container instances. */
  readonly cluster: { readonly name: string; readonly asgName: string };
  /** Every Airflow service, worker pools included, in display order: alarmed, counted in log metrics, redeployed after the database secret rotates. */
  readonly services: readonly OperatedService[];
  /** The scheduler service: alarmed when no healthy task runs. */
  readonly scheduler: Pick<OperatedService, "serviceName">;
  /** The cAdvisor service: the dashboard compares its task count with the container instances. */
  readonly cadvisor: Pick<OperatedService, "serviceName">;
  /** The worker pools queue-depth autoscaling drives, in config order. */
  readonly pools: readonly ScalablePool[];
  /** The metadata database: alarms, and the publisher's connection. */
  readonly database: MonitoredDatabase;
  /** The Celery broker: alarms per node. */
  readonly broker: MonitoredBroker;
  /** The ALB in front of the api-server: 5xx and target-health alarms. */
  readonly loadBalancer: MonitoredLoadBalancer;
  /** Airflow's own metrics and the collector publishing them: alarms with the configured thresholds, dashboard rows. */
  readonly metrics: MonitoredMetrics;
  /** Roles of the two Lambdas, granted by the IAM stack for their function names (`naming.lambdas`). */
  readonly lambdaRoles: { readonly publisher: string; readonly redeployer: string };
  /** Private subnets and security groups of the publisher, which reaches the database. */
  readonly lambdaNetwork: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** Retention of the Lambdas' log groups. */
  readonly logRetentionDays: number;
  /** KMS key encrypting the Lambdas' log groups. */
  readonly logsKmsKeyArn: string;
}

/** The queue-depth publisher: every minute, samples each pool's queued and running tasks and publishes what it needs. */
export function queueDepthPublisherFunction(props: AirflowOperationsProps): BundledLambdaProps {
  const { naming, database } = props;
  const name = naming.lambdas.publisher;
  return {
    name,
    artifact: LAMBDA_ARTIFACTS.queueDepthPublisher,
    description: "Publishes per-pool queue depth and the worker count it needs (Helm chart rule) for autoscaling",
    roleArn: props.lambdaRoles.publisher,
    ...PUBLISHER_FUNCTION,
    vpc: props.lambdaNetwork,
    trigger: { schedule: `rate(${PUBLISHER_SAMPLING.scheduleSeconds / 60} minute)` },
    environment: {
      [PUBLISHER_ENV.pools]: JSON.stringify(
        props.pools.map(({ pool, serviceName }) => ({
          name: pool.name,
          service: serviceName,
          queues: pool.queues,
          concurrency: pool.concurrency,
          minCount: pool.minCount,
          maxCount: pool.maxCount,
        })),
      ),
      [PUBLISHER_ENV.cluster]: props.cluster.name,
      [PUBLISHER_ENV.environment]: naming.environment,
      [PUBLISHER_ENV.dbSecretArn]: database.connection.masterSecretArn,
      [PUBLISHER_ENV.dbHost]: database.connection.host,
      [PUBLISHER_ENV.dbPort]: Token.asString(database.connection.port),
      [PUBLISHER_ENV.dbName]: database.connection.name,
      [PUBLISHER_ENV.samplesPerInvocation]: String(PUBLISHER_SAMPLING.samplesPerInvocation),
      [PUBLISHER_ENV.sampleIntervalSeconds]: String(PUBLISHER_SAMPLING.sampleIntervalSeconds),
    },
    logGroupName: naming.logGroup(`lambda/${name}`),
    logRetentionDays: props.logRetentionDays,
    logsKmsKeyArn: props.logsKmsKeyArn,
  };
}

/** The redeployer: when the database master secret rotates, redeploys every service so new tasks read the new password. */
export function serviceRedeployerFunction(props: AirflowOperationsProps): BundledLambdaProps {
  const { naming } = props;
  const name = naming.lambdas.redeployer;
  return {
    name,
    artifact: LAMBDA_ARTIFACTS.serviceRedeployer,
    description: "Redeploys the Airflow services after the database master secret rotates",
    roleArn: props.lambdaRoles.redeployer,
    timeoutSeconds: 60,
    memoryMb: 128,
    reservedConcurrency: 1,
    maxEventAgeSeconds: 3600,
    trigger: {
      eventPattern: {
        source: ["aws.secretsmanager"],
        "detail-type": ["Secret Label Updated"],
        resources: [props.database.connection.masterSecretArn],
        detail: { labelUpdated: ["AWSCURRENT"] },
      },
    },
    environment: {
      [REDEPLOYER_ENV.cluster]: props.cluster.name,
      [REDEPLOYER_ENV.services]: JSON.stringify(props.services.map((s) => s.serviceName)),
    },
    logGroupName: naming.logGroup(`lambda/${name}`),
    logRetentionDays: props.logRetentionDays,
    logsKmsKeyArn: props.logsKmsKeyArn,
  };
}

/**
 * Operations of an environment: queue-depth autoscaling per worker pool (publisher Lambda + step policies), the
 * redeployer that follows database secret rotation, the heartbeat alarm, log-derived metrics, platform alarms, the
 * alarms on Airflow's own metrics and on the metrics collector, the alarm topic and the dashboard.
 */
export class AirflowOperations extends Construct {
  /** The encrypted alarm topic every alarm notifies. */
  readonly topic: AlarmTopic;
  /** The queue-depth metric publisher. */
  readonly publisher: BundledLambda;
  /** The redeployer that follows database secret rotation. */
  readonly redeployer: BundledLambda;
  /** Queue-depth autoscaling, one per worker pool. */
  readonly scaling: readonly QueueDepthScaling[];
  /** The heartbeat alarm. */
  readonly heartbeat: HeartbeatAlarm;

  constructor(scope: Construct, id: string, props: AirflowOperationsProps) {
    super(scope, id);
    const { naming, database } = props;
    const base = naming.base;
    const { publisher: publisherName, redeployer: redeployerName } = naming.lambdas;
    const environment = naming.environment;
    this.topic = new AlarmTopic(this, "alarm-topic", {
      name: naming.alarmTopic,
      email: props.alarmEmail,
      subscriptions: props.alarmSubscriptions,
      rulePrefix: `${base}-`,
      arns: props.arns,
    });
    const notify = this.topic.arn;

    this.publisher = new BundledLambda(this, "queue-depth-publisher", queueDepthPublisherFunction(props));
    this.redeployer = new BundledLambda(this, "service-redeployer", serviceRedeployerFunction(props));

    this.scaling = props.pools.map(
      ({ pool, serviceName, scalableTarget }) =>
        new QueueDepthScaling(this, `scaling-${pool.name}`, {
          environment,
          pool,
          target: scalableTarget,
          name: serviceName,
          notificationTopicArn: notify,
        }),
    );

    this.heartbeat = new HeartbeatAlarm(this, "heartbeat", { name: `${base}-heartbeat`, environment, notificationTopicArn: notify });

    const logNamespace = logMetricsNamespace(naming.prefix, environment);
    const logGroups = Object.fromEntries(props.services.map((s) => [s.shortName, s.logGroupName]));
    new LogMetrics(this, "log-metrics", { namespace: logNamespace, logGroups, name: base, notificationTopicArn: notify });

    new PlatformAlarms(this, "alarms", {
      name: base,
      notificationTopicArn: notify,
      specs: [
        ...schedulerAlarms(props.cluster.name, props.scheduler.serviceName),
        ...serviceAlarms(
          props.cluster.name,
          props.services.map((s) => ({ id: s.shortName, name: s.serviceName })),
        ),
        ...apiServerAlarms(props.loadBalancer.arnSuffix, props.loadBalancer.apiTargetGroupArnSuffix),
        ...databaseAlarms(database.instanceId, database.sizing.instanceClass, database.sizing.allocatedStorageGb),
        ...brokerAlarms(props.broker.replicationGroupId, props.broker.nodeCount),
        ...lambdaAlarms("publisher", publisherName, `${publisherName}-dlq`, 3),
        ...lambdaAlarms("redeployer", redeployerName, `${redeployerName}-dlq`, 1),
        ...airflowMetricAlarms(props.metrics.airflowNamespace, props.metrics.thresholds),
        ...workerPoolAlarms(
          environment,
          props.pools.map((p) => p.pool.name),
          props.metrics.thresholds,
        ),
        ...collectorAlarms(props.cluster.name, props.metrics.collector),
      ],
    });

    new OperationsDashboard(this, "dashboard", {
      name: base,
      region: props.arns.region,
      environment,
      pools: props.pools.map((p) => p.pool.name),
      components: Object.keys(logGroups),
      logNamespace,
      clusterName: props.cluster.name,
      asgName: props.cluster.asgName,
      cadvisorService: props.cadvisor.serviceName,
      dbInstanceId: database.instanceId,
      brokerNodes: Array.from({ length: props.broker.nodeCount }, (_, i) => `${props.broker.replicationGroupId}-${String(i + 1).padStart(3, "0")}`),
      loadBalancer: props.loadBalancer.arnSuffix,
      targetGroup: props.loadBalancer.apiTargetGroupArnSuffix,
      airflowMetrics: {
        airflowNamespace: props.metrics.airflowNamespace,
        containerNamespace: props.metrics.containerNamespace,
        // cAdvisor runs on the EC2 container instances only (not Fargate); a pool's containers belong to the task family named like its service.
        poolFamilies: props.pools.filter((p) => !p.pool.capacity.startsWith("fargate")).map((p) => ({ pool: p.pool.name, family: p.serviceName })),
      },
    });
  }
}
