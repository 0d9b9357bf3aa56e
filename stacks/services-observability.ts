import type { AirflowRuntime } from "../modules/airflow/airflow-settings";
import type { AirflowServiceDefaults } from "../modules/airflow/airflow-service";
import { Cadvisor } from "../modules/ecs/cadvisor";
import { collectorReplicas, MetricsCollector } from "../modules/metrics/metrics-collector";
import { AirflowOperations } from "../modules/operations/airflow-operations";
import { airflowMetricsNamespace, containerMetricsNamespace } from "../runtime/metrics";
import type { ServicesStack } from "./services-stack";

/** cAdvisor on every container instance of both groups (one task per host, up to the groups' maximum). */
export function clusterCadvisor(stack: ServicesStack, defaults: AirflowServiceDefaults): Cadvisor {
  const { config, naming, network, iam, compute } = stack;
  return new Cadvisor(stack, "cadvisor", {
    name: naming.name("cadvisor"),
    cluster: defaults.cluster,
    desiredCount: compute.max_container_instances,
    executionRoleArn: iam.task_execution_role_arn,
    taskRoleArn: iam.cadvisor_task_role_arn,
    logGroupName: naming.logGroup("cadvisor"),
    logRetentionDays: config.storage.logRetentionDays,
    logsKmsKeyArn: network.logs_kms_key_arn,
    region: config.account.region,
  });
}

/** The collector Airflow's OpenTelemetry metrics and cAdvisor's scrapes go through into CloudWatch (EMF). */
export function environmentMetricsCollector(stack: ServicesStack, defaults: AirflowServiceDefaults): MetricsCollector {
  const { config, naming, network, iam, compute } = stack;
  return new MetricsCollector(stack, "metrics-collector", {
    name: naming.name("metrics-collector"),
    environment: config.name,
    region: config.account.region,
    cluster: defaults.cluster,
    desiredCount: collectorReplicas(config),
    securityGroupId: network.metrics_collector_security_group_id,
    executionRoleArn: iam.task_execution_role_arn,
    taskRoleArn: iam.metrics_collector_task_role_arn,
    discoveryNamespaceId: compute.service_discovery_namespace_id,
    logGroupName: naming.logGroup("metrics-collector"),
    emfLogGroupName: naming.metricsLogGroup,
    logRetentionDays: config.storage.logRetentionDays,
    logsKmsKeyArn: network.logs_kms_key_arn,
  });
}

/**
 * Operations of everything the stack runs so far: the alarm topic, queue-depth autoscaling of the pools, heartbeat,
 * platform and Airflow-metric alarms, the dashboard, and the redeployer that follows the database secret's rotation.
 */
export function environmentOperations(stack: ServicesStack, runtime: AirflowRuntime): AirflowOperations {
  const { config, naming, network, storage, iam, compute } = stack;
  return new AirflowOperations(stack, "operations", {
    naming,
    arns: stack.arns,
    alarmEmail: config.alarms.email,
    alarmSubscriptions: config.alarms.subscriptions,
    cluster: { name: compute.cluster_name, asgName: compute.asg_name },
    services: [...Object.values(stack.services), ...stack.workerPools],
    scheduler: stack.services.scheduler!,
    cadvisor: stack.cadvisor,
    pools: stack.workerPools,
    database: { instanceId: storage.db_instance_identifier, sizing: config.storage.database, connection: runtime.db },
    broker: { replicationGroupId: storage.redis_replication_group_id, nodeCount: config.storage.redis.nodeCount },
    loadBalancer: stack.alb,
    metrics: {
      thresholds: config.alarms.thresholds,
      airflowNamespace: airflowMetricsNamespace(config.name),
      containerNamespace: containerMetricsNamespace(config.name),
      collector: stack.metricsCollector,
    },
    lambdaRoles: { publisher: iam.publisher_lambda_role_arn, redeployer: iam.redeployer_lambda_role_arn },
    lambdaNetwork: { subnetIds: network.private_subnet_ids, securityGroupIds: [network.lambda_security_group_id] },
    logRetentionDays: config.storage.logRetentionDays,
    logsKmsKeyArn: network.logs_kms_key_arn,
  });
}
