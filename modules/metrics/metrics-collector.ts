import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../../config/schema";
import { PORTS } from "../../runtime/ports";
import type { ClusterTarget } from "../airflow/airflow-service";
import { ContainerTask, type HealthCheck } from "../ecs/container-task";
import { ResilientService } from "../ecs/resilient-service";
import type { OperatedService } from "../operations/operated-resources";
import { COLLECTOR_STATE_DIR, collectorConfig } from "./collector-config";

/**
 * The AWS Distro for OpenTelemetry collector, pinned by version (v0.45.1: the repository's VERSION file; its image runs
 * as the non-root user `aoc`, uid 4317, since v0.35.0). The digest could not be checked without registry access; pin
 * it (`...@sha256:<digest>`) when promoting the image to a private registry.
 */
export const ADOT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1";
/** The image's user and group (`aoc`). */
export const ADOT_COLLECTOR_USER = "4317:4317";
/** The variable the image reads its whole configuration from. */
export const COLLECTOR_CONFIG_VARIABLE = "AOT_CONFIG_CONTENT";

/** The collector's name in the service-discovery namespace: Airflow exports to `<name>.<namespace>:4318`. */
export const METRICS_COLLECTOR_DISCOVERY_NAME = "metrics-collector";

/** Host Airflow's OpenTelemetry exporter sends to (`[metrics] otel_host`). */
export function otlpHost(namespace: string): string {
  return `${METRICS_COLLECTOR_DISCOVERY_NAME}.${namespace}`;
}

/** CPU units and memory (MiB) of a collector task: two receivers and two EMF exporters at one datapoint a minute. */
export const COLLECTOR_TASK_SIZE = { cpu: 256, memory: 512 } as const;

/** The EMF log events only carry what CloudWatch already keeps as metrics for 15 months: a week is enough to debug. */
export const EMF_LOG_RETENTION_DAYS = 7;

/**
 * Collector tasks per environment. Production runs two, which the capacity provider's placement spreads across AZs:
 * Airflow keeps a collector through the loss of a task or an AZ, since each export resolves the service-discovery
 * name to the live tasks. Elsewhere one is enough: a lost collector loses metrics only until ECS replaces it, and
 * Airflow never waits for it.
 */
export function collectorReplicas(config: Pick<EnvironmentConfig, "production">): number {
  return config.production ? 2 : 1;
}

/** `/healthcheck` (in the image, which has no shell) asks the health-check extension on 127.0.0.1:13133. */
export const COLLECTOR_HEALTH_CHECK: HealthCheck = { command: ["CMD", "/healthcheck"], interval: 30, timeout: 5, retries: 3, startPeriod: 30 };

export interface MetricsCollectorProps {
  /** Service and task-definition family name, e.g. `airflow-prod-metrics-collector`. */
  readonly name: string;
  /** Environment name: the CloudWatch namespaces. */
  readonly environment: string;
  /** Region of the cluster, the log groups and CloudWatch. */
  readonly region: string;
  /** The cluster (its cAdvisor tasks are scraped), its EC2 capacity provider and the private subnets. */
  readonly cluster: ClusterTarget;
  /** Collector tasks (`collectorReplicas`). */
  readonly desiredCount: number;
  /** Security group of the tasks: OTLP in from the Airflow tasks, cAdvisor out to the container instances. */
  readonly securityGroupId: string;
  /** Role ECS pulls the image and writes the container logs with. */
  readonly executionRoleArn: string;
  /** Role of the collector: discovery in the cluster, EMF events into its log group. */
  readonly taskRoleArn: string;
  /** The private DNS namespace the collector registers in (`metrics-collector.<namespace>`). */
  readonly discoveryNamespaceId: string;
  /** Log group of the collector's own logs. */
  readonly logGroupName: string;
  /** Log group of the EMF events (the metrics). */
  readonly emfLogGroupName: string;
  /** Retention of the collector's own logs. */
  readonly logRetentionDays: number;
  /** KMS key encrypting both log groups. */
  readonly logsKmsKeyArn: string;
  /**
   * The collector image.
   * @default ADOT_COLLECTOR_IMAGE
   */
  readonly image?: string;
}

/**
 * The metrics collector: an ECS service of the ADOT collector in the private subnets, registered in service discovery,
 * that receives Airflow's OpenTelemetry metrics, scrapes cAdvisor on every container instance, and publishes both to
 * CloudWatch as embedded-metric-format log events (`collectorConfig`). Read-only root (the discovery file lives on a
 * task volume), non-root, container health check on the image's `/healthcheck`, its EMF log group created here with
 * retention and KMS before any task can start, so the exporter never creates one.
 */
export class MetricsCollector extends Construct implements Pick<OperatedService, "serviceName"> {
  /** The task definition and the collector's own log group. */
  readonly task: ContainerTask;
  /** The log group the EMF events (the metrics) go to. */
  readonly emfLogGroup: CloudwatchLogGroup;
  /** The Cloud Map service Airflow resolves. */
  readonly discovery: ServiceDiscoveryService;
  /** The ECS service. */
  readonly service: ResilientService;
  /** The collector's configuration, as rendered into the task definition. */
  readonly config: Record<string, unknown>;
  readonly serviceName: string;
  readonly desiredCount: number;

  constructor(scope: Construct, id: string, props: MetricsCollectorProps) {
    super(scope, id);
    this.serviceName = props.name;
    this.desiredCount = props.desiredCount;
    this.emfLogGroup = new CloudwatchLogGroup(this, "emf-logs", {
      name: props.emfLogGroupName,
      retentionInDays: EMF_LOG_RETENTION_DAYS,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.config = collectorConfig({
      environment: props.environment,
      region: props.region,
      clusterName: props.cluster.clusterName,
      emfLogGroupName: props.emfLogGroupName,
      taskMemoryMiB: COLLECTOR_TASK_SIZE.memory,
    });
    this.task = new ContainerTask(this, "task", {
      family: props.name,
      compatibility: "EC2",
      ...COLLECTOR_TASK_SIZE,
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      volumes: [{ name: "state" }],
      logGroupName: props.logGroupName,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      region: props.region,
      // The exporter writes into its log group from the first minute (and would try to create it).
      dependsOn: [this.emfLogGroup],
      containers: [
        {
          name: "collector",
          image: props.image ?? ADOT_COLLECTOR_IMAGE,
          user: ADOT_COLLECTOR_USER,
          readonlyRootFilesystem: true,
          // The configuration holds no secret: names, regions and metric lists.
          environment: { [COLLECTOR_CONFIG_VARIABLE]: JSON.stringify(this.config) },
          portMappings: [{ containerPort: PORTS.otlpHttp, name: "otlp-http" }],
          mountPoints: [{ sourceVolume: "state", containerPath: COLLECTOR_STATE_DIR, readOnly: false }],
          healthCheck: COLLECTOR_HEALTH_CHECK,
          memoryReservation: COLLECTOR_TASK_SIZE.memory,
          stopTimeout: 10,
        },
      ],
    });
    this.discovery = new ServiceDiscoveryService(this, "discovery", {
      name: METRICS_COLLECTOR_DISCOVERY_NAME,
      dnsConfig: { namespaceId: props.discoveryNamespaceId, routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
      healthCheckCustomConfig: { failureThreshold: 1 },
      forceDestroy: true,
    });
    this.service = new ResilientService(this, "service", {
      name: props.name,
      clusterArn: props.cluster.clusterArn,
      clusterName: props.cluster.clusterName,
      taskDefinitionArn: this.task.taskDefinitionArn,
      desiredCount: props.desiredCount,
      placement: { kind: "capacity-provider", name: props.cluster.capacityProviderName },
      network: { subnetIds: props.cluster.subnetIds, securityGroupIds: [props.securityGroupId] },
      serviceRegistryArn: this.discovery.arn,
    });
  }
}
