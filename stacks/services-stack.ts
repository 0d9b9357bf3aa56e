import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { AirflowLoadBalancer, FLOWER_PATH } from "../modules/alb/airflow-load-balancer";
import type { AirflowService } from "../modules/airflow/airflow-service";
import type { CoreComponent } from "../modules/airflow/components";
import type { WorkerPool } from "../modules/airflow/worker-pool";
import type { ContractValues } from "../modules/core/contract";
import { DagSync } from "../modules/dags/dag-sync";
import { Cadvisor } from "../modules/ecs/cadvisor";
import { collectorReplicas, MetricsCollector } from "../modules/metrics/metrics-collector";
import { AirflowOperations } from "../modules/operations/airflow-operations";
import type { Hibernation } from "../modules/operations/hibernation";
import { DatabaseCleanup } from "../modules/operations/database-cleanup";
import { airflowMetricsNamespace, containerMetricsNamespace } from "../runtime/metrics";
import { AirflowStack } from "./airflow-stack";
import { airflowRuntime } from "./airflow-runtime";
import { airflowServiceDefaults, coreServices, workerPools } from "./airflow-services";
import type { ComputeContract } from "./contracts/compute";
import type { IamContract } from "./contracts/iam";
import type { NetworkContract } from "./contracts/network";
import { servicesContract, type ServicesContract } from "./contracts/services";
import { environmentHibernation } from "./services-hibernation";
import type { StorageContract } from "./contracts/storage";
import type { ComputeStack, ComputeStackProps } from "./compute-stack";

/** The services read every stack before them: the compute stack's inputs, and the compute stack itself. */
export interface ServicesStackProps extends ComputeStackProps {
  readonly compute: ComputeStack;
}

/**
 * Services: every Airflow 3 component as an ECS service — the api-server behind the ALB (and in service discovery
 * for the workers' Execution API), scheduler, dag-processor, triggerer, Flower (`CORE_COMPONENTS`), one service per
 * Celery worker pool — cAdvisor on every container instance, the metrics collector (Airflow's OpenTelemetry metrics
 * and cAdvisor's, into CloudWatch), the DAG sync task that delivers EFS bundles, and their operations: queue-depth
 * autoscaling, heartbeat, alarms, dashboard, the scheduled `airflow db clean`; and, where configured, hibernation.
 */
export class ServicesStack extends AirflowStack<ServicesContract> {
  readonly network: ContractValues<NetworkContract>;
  readonly storage: ContractValues<StorageContract>;
  readonly iam: ContractValues<IamContract>;
  readonly compute: ContractValues<ComputeContract>;
  readonly alb: AirflowLoadBalancer;
  readonly services: Readonly<Partial<Record<CoreComponent, AirflowService>>>;
  readonly workerPools: readonly WorkerPool[];
  readonly cadvisor: Cadvisor;
  readonly dagSync: DagSync;
  readonly metricsCollector: MetricsCollector;
  readonly operations: AirflowOperations;
  /** Nights-and-weekends hibernation, when configured (created last: it covers every service and alarm of the stack). */
  readonly hibernation?: Hibernation;
  readonly databaseCleanup: DatabaseCleanup;

  constructor(scope: Construct, config: EnvironmentConfig, props: ServicesStackProps) {
    super(scope, config, servicesContract);
    this.network = this.consume(props.network);
    this.storage = this.consume(props.storage);
    this.iam = this.consume(props.iam);
    this.compute = this.consume(props.compute);
    const { naming, network, storage, iam, compute } = this;
    const flowerBehindAlb = config.airflow.flower.enabled && config.airflow.flower.exposure === "alb";

    this.alb = new AirflowLoadBalancer(this, "alb", {
      name: naming.name("alb", 32),
      internetFacing: config.alb.internetFacing,
      subnetIds: config.alb.internetFacing ? network.public_subnet_ids : network.private_subnet_ids,
      securityGroupId: network.alb_security_group_id,
      vpcId: network.vpc_id,
      certificateArn: config.alb.certificateArn,
      accessLogs: { bucket: storage.alb_logs_bucket_name, prefix: naming.albLogPrefix },
      deletionProtection: config.production,
      flower: flowerBehindAlb,
      waf: config.alb.internetFacing,
    });

    const runtime = airflowRuntime(this, storage, {
      namespace: compute.service_discovery_namespace_name,
      baseUrl: this.alb.url(config.alb.hostname),
      flowerUrlPrefix: flowerBehindAlb ? FLOWER_PATH : undefined,
      dagBucket: storage.dag_bucket_name,
    });
    const defaults = airflowServiceDefaults(this, runtime);
    this.services = coreServices(this, defaults, this.alb);
    this.workerPools = workerPools(this, defaults);

    this.cadvisor = new Cadvisor(this, "cadvisor", {
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

    this.dagSync = new DagSync(this, "dag-sync", {
      ...defaults,
      region: config.account.region,
      bundles: config.dags.bundles,
      keepReleases: config.dags.keepReleases,
      dagBucket: storage.dag_bucket_name,
      securityGroupId: network.services_security_group_id,
      taskRoleArn: iam.dag_sync_task_role_arn,
    });

    this.metricsCollector = new MetricsCollector(this, "metrics-collector", {
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

    const services = Object.values(this.services);
    this.operations = new AirflowOperations(this, "operations", {
      naming,
      arns: this.arns,
      alarmEmail: config.alarms.email,
      alarmSubscriptions: config.alarms.subscriptions,
      cluster: { name: compute.cluster_name, asgName: compute.asg_name },
      services: [...services, ...this.workerPools],
      scheduler: this.services.scheduler!,
      cadvisor: this.cadvisor,
      pools: this.workerPools,
      database: { instanceId: storage.db_instance_identifier, sizing: config.storage.database, connection: runtime.db },
      broker: { replicationGroupId: storage.redis_replication_group_id, nodeCount: config.storage.redis.nodeCount },
      loadBalancer: this.alb,
      metrics: {
        thresholds: config.alarms.thresholds,
        airflowNamespace: airflowMetricsNamespace(config.name),
        containerNamespace: containerMetricsNamespace(config.name),
        collector: this.metricsCollector,
      },
      lambdaRoles: { publisher: iam.publisher_lambda_role_arn, redeployer: iam.redeployer_lambda_role_arn },
      lambdaNetwork: { subnetIds: network.private_subnet_ids, securityGroupIds: [network.lambda_security_group_id] },
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: network.logs_kms_key_arn,
    });

    this.databaseCleanup = new DatabaseCleanup(this, "db-clean", {
      naming,
      arns: this.arns,
      config: config.storage.database.cleanup,
      task: {
        image: defaults.image,
        runtime,
        executionRoleArn: iam.task_execution_role_arn,
        taskRoleArn: iam.db_clean_task_role_arn,
        logRetentionDays: config.storage.logRetentionDays,
        logsKmsKeyArn: network.logs_kms_key_arn,
      },
      cluster: { arn: compute.cluster_arn, subnetIds: network.private_subnet_ids, securityGroupId: network.services_security_group_id },
      schedulerRoleArn: iam.db_clean_scheduler_role_arn,
      topic: this.operations.topic,
    });
    if (config.hibernation) this.hibernation = environmentHibernation(this, config.hibernation);

    this.publish({
      airflow_url: runtime.baseUrl!,
      alb_dns_name: this.alb.dnsName,
      service_names: services.map((s) => s.serviceName),
      worker_service_names: this.workerPools.map((p) => p.serviceName),
    });
  }
}
