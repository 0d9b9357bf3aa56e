import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { LAMBDA_ARTIFACTS } from "../../runtime/lambda";
import type { WorkerPoolConfig } from "../../config/schema";
import { PUBLISHER_ENV, REDEPLOYER_ENV } from "../../runtime/lambda";
import type { ArnBuilder } from "../core/arn";
import { AlarmTopic } from "./alarm-topic";
import { BundledLambda } from "./bundled-lambda";
import { HeartbeatAlarm } from "./heartbeat-alarm";
import { LogMetrics, logMetricsNamespace } from "./log-metrics";
import { OperationsDashboard } from "./operations-dashboard";
import { apiServerAlarms, brokerAlarms, databaseAlarms, lambdaAlarms, PlatformAlarms, schedulerAlarms, serviceAlarms } from "./platform-alarms";
import { PUBLISHER_SAMPLING, QueueDepthScaling } from "./queue-depth-scaling";

/** The publisher's function settings: every invocation ends before the next minute's starts (reserved concurrency 1). */
export const PUBLISHER_FUNCTION = { timeoutSeconds: 55, memoryMb: 256, reservedConcurrency: 1, maxEventAgeSeconds: 60 } as const;

export interface AirflowOperationsProps {
  readonly prefix: string;
  readonly environment: string;
  readonly base: string;
  readonly region: string;
  readonly arns: ArnBuilder;
  readonly alarmEmail?: string;
  readonly cluster: { readonly name: string; readonly asgName: string };
  /** Every Airflow service (name -> ECS service name), redeployed when the database secret rotates. */
  readonly services: Readonly<Record<string, string>>;
  readonly schedulerService: string;
  readonly cadvisorService: string;
  readonly pools: readonly { readonly config: WorkerPoolConfig; readonly service: string; readonly target: AppautoscalingTarget }[];
  /** Component (log-metric name) -> log group. */
  readonly logGroups: Readonly<Record<string, string>>;
  readonly database: {
    readonly instanceId: string;
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly secretArn: string;
  };
  readonly broker: { readonly replicationGroupId: string; readonly nodeCount: number };
  readonly alb: { readonly arnSuffix: string; readonly apiTargetGroupArnSuffix: string };
  readonly roles: { readonly publisher: string; readonly redeployer: string };
  /** Function names the IAM stack granted (their dead-letter queues are `<name>-dlq`). */
  readonly functionNames: { readonly publisher: string; readonly redeployer: string };
  readonly lambdaNetwork: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  readonly logRetentionDays: number;
  readonly logsKmsKeyArn: string;
  /** Log group of a Lambda (the IAM stack grants each its own). */
  readonly lambdaLogGroup: (functionName: string) => string;
}

/**
 * Operations of an environment: queue-depth autoscaling per worker pool (publisher Lambda + step policies), the
 * redeployer that follows database secret rotation, the heartbeat alarm, log-derived metrics, platform alarms, the
 * alarm topic and the dashboard.
 */
export class AirflowOperations extends Construct {
  readonly topic: AlarmTopic;
  readonly publisher: BundledLambda;
  readonly redeployer: BundledLambda;
  readonly scaling: readonly QueueDepthScaling[];

  constructor(scope: Construct, id: string, props: AirflowOperationsProps) {
    super(scope, id);
    const { base } = props;
    this.topic = new AlarmTopic(this, "alarm-topic", { name: `${base}-alarms`, email: props.alarmEmail, arns: props.arns });
    const notify = this.topic.arn;

    const publisherName = props.functionNames.publisher;
    this.publisher = new BundledLambda(this, "queue-depth-publisher", {
      name: publisherName,
      artifact: LAMBDA_ARTIFACTS.queueDepthPublisher,
      description: "Publishes per-pool queue depth and the worker count it needs (Helm chart rule) for autoscaling",
      roleArn: props.roles.publisher,
      ...PUBLISHER_FUNCTION,
      vpc: props.lambdaNetwork,
      trigger: { schedule: `rate(${PUBLISHER_SAMPLING.scheduleSeconds / 60} minute)` },
      environment: {
        [PUBLISHER_ENV.pools]: JSON.stringify(
          props.pools.map((p) => ({
            name: p.config.name,
            service: p.service,
            queues: p.config.queues,
            concurrency: p.config.concurrency,
            minCount: p.config.minCount,
            maxCount: p.config.maxCount,
          })),
        ),
        [PUBLISHER_ENV.cluster]: props.cluster.name,
        [PUBLISHER_ENV.environment]: props.environment,
        [PUBLISHER_ENV.dbSecretArn]: props.database.secretArn,
        [PUBLISHER_ENV.dbHost]: props.database.host,
        [PUBLISHER_ENV.dbPort]: Token.asString(props.database.port),
        [PUBLISHER_ENV.dbName]: props.database.name,
        [PUBLISHER_ENV.samplesPerInvocation]: String(PUBLISHER_SAMPLING.samplesPerInvocation),
        [PUBLISHER_ENV.sampleIntervalSeconds]: String(PUBLISHER_SAMPLING.sampleIntervalSeconds),
      },
      logGroupName: props.lambdaLogGroup(publisherName),
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
    });

    const redeployerName = props.functionNames.redeployer;
    this.redeployer = new BundledLambda(this, "service-redeployer", {
      name: redeployerName,
      artifact: LAMBDA_ARTIFACTS.serviceRedeployer,
      description: "Redeploys the Airflow services after the database master secret rotates",
      roleArn: props.roles.redeployer,
      timeoutSeconds: 60,
      memoryMb: 128,
      reservedConcurrency: 1,
      maxEventAgeSeconds: 3600,
      trigger: {
        eventPattern: {
          source: ["aws.secretsmanager"],
          "detail-type": ["Secret Label Updated"],
          resources: [props.database.secretArn],
          detail: { labelUpdated: ["AWSCURRENT"] },
        },
      },
      environment: { [REDEPLOYER_ENV.cluster]: props.cluster.name, [REDEPLOYER_ENV.services]: JSON.stringify(Object.values(props.services)) },
      logGroupName: props.lambdaLogGroup(redeployerName),
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
    });

    this.scaling = props.pools.map(
      (pool) =>
        new QueueDepthScaling(this, `scaling-${pool.config.name}`, {
          environment: props.environment,
          pool: pool.config,
          target: pool.target,
          name: pool.service,
          notificationTopicArn: notify,
        }),
    );

    new HeartbeatAlarm(this, "heartbeat", { name: `${base}-heartbeat`, environment: props.environment, notificationTopicArn: notify });

    const logNamespace = logMetricsNamespace(props.prefix, props.environment);
    new LogMetrics(this, "log-metrics", { namespace: logNamespace, logGroups: props.logGroups, name: base, notificationTopicArn: notify });

    new PlatformAlarms(this, "alarms", {
      name: base,
      notificationTopicArn: notify,
      specs: [
        ...schedulerAlarms(props.cluster.name, props.schedulerService),
        ...serviceAlarms(
          props.cluster.name,
          Object.entries(props.services).map(([id, name]) => ({ id, name })),
        ),
        ...apiServerAlarms(props.alb.arnSuffix, props.alb.apiTargetGroupArnSuffix),
        ...databaseAlarms(props.database.instanceId, props.database.instanceClass, props.database.allocatedStorageGb),
        ...brokerAlarms(props.broker.replicationGroupId, props.broker.nodeCount),
        ...lambdaAlarms("publisher", publisherName, `${publisherName}-dlq`, 3),
        ...lambdaAlarms("redeployer", redeployerName, `${redeployerName}-dlq`, 1),
      ],
    });

    new OperationsDashboard(this, "dashboard", {
      name: base,
      region: props.region,
      environment: props.environment,
      pools: props.pools.map((p) => p.config.name),
      components: Object.keys(props.logGroups),
      logNamespace,
      clusterName: props.cluster.name,
      asgName: props.cluster.asgName,
      cadvisorService: props.cadvisorService,
      dbInstanceId: props.database.instanceId,
      brokerNodes: Array.from({ length: props.broker.nodeCount }, (_, i) => `${props.broker.replicationGroupId}-${String(i + 1).padStart(3, "0")}`),
      loadBalancer: props.alb.arnSuffix,
      targetGroup: props.alb.apiTargetGroupArnSuffix,
    });
  }
}
