import type { Construct } from "constructs";
import type { ComponentConfig, EnvironmentConfig } from "../config/schema";
import { AirflowLoadBalancer, FLOWER_PATH } from "../modules/alb/airflow-load-balancer";
import { AirflowService, type AirflowServiceProps, type ClusterTarget } from "../modules/airflow/airflow-service";
import type { Component } from "../runtime/airflow-image";
import { WorkerPool } from "../modules/airflow/worker-pool";
import type { ContractValues } from "../modules/core/contract";
import { PORTS } from "../runtime/ports";
import { DagSync } from "../modules/dags/dag-sync";
import { Cadvisor } from "../modules/ecs/cadvisor";
import { AirflowOperations } from "../modules/operations/airflow-operations";
import { AirflowStack } from "./airflow-stack";
import { airflowRuntime, API_SERVER_DISCOVERY_NAME } from "./airflow-runtime";
import type { ComputeContract } from "./contracts/compute";
import type { IamContract } from "./contracts/iam";
import type { NetworkContract } from "./contracts/network";
import { servicesContract, type ServicesContract } from "./contracts/services";
import type { StorageContract } from "./contracts/storage";
import type { ComputeStack, ComputeStackProps } from "./compute-stack";

/** The services read every stack before them: the compute stack's inputs, and the compute stack itself. */
export interface ServicesStackProps extends ComputeStackProps {
  readonly compute: ComputeStack;
}

/**
 * Services: every Airflow 3 component as an ECS service — the api-server behind the ALB (and in service discovery
 * for the workers' Execution API), scheduler, dag-processor, triggerer, Flower, one service per Celery worker pool
 * — cAdvisor on every container instance, the DAG sync task that delivers EFS bundles, and their operations:
 * queue-depth autoscaling, heartbeat, alarms, dashboard.
 */
export class ServicesStack extends AirflowStack<ServicesContract> {
  readonly network: ContractValues<NetworkContract>;
  readonly storage: ContractValues<StorageContract>;
  readonly iam: ContractValues<IamContract>;
  readonly compute: ContractValues<ComputeContract>;
  readonly alb: AirflowLoadBalancer;
  readonly services: Readonly<Partial<Record<Component, AirflowService>>>;
  readonly workerPools: readonly WorkerPool[];
  readonly cadvisor: Cadvisor;
  readonly dagSync: DagSync;
  readonly operations: AirflowOperations;

  constructor(scope: Construct, config: EnvironmentConfig, props: ServicesStackProps) {
    super(scope, config, servicesContract);
    this.network = this.consume(props.network);
    this.storage = this.consume(props.storage);
    this.iam = this.consume(props.iam);
    this.compute = this.consume(props.compute);
    const { airflow, alb } = config;
    const { naming, network, storage, iam, compute } = this;
    const flowerBehindAlb = airflow.flower.enabled && airflow.flower.exposure === "alb";

    this.alb = new AirflowLoadBalancer(this, "alb", {
      name: naming.name("alb", 32),
      internetFacing: alb.internetFacing,
      subnetIds: alb.internetFacing ? network.public_subnet_ids : network.private_subnet_ids,
      securityGroupId: network.alb_security_group_id,
      vpcId: network.vpc_id,
      certificateArn: alb.certificateArn,
      accessLogs: { bucket: storage.alb_logs_bucket_name, prefix: naming.albLogPrefix },
      deletionProtection: config.production,
      flower: flowerBehindAlb,
      waf: alb.internetFacing,
    });

    const runtime = airflowRuntime(this, storage, {
      namespace: compute.service_discovery_namespace_name,
      baseUrl: this.alb.url(alb.hostname),
      flowerUrlPrefix: flowerBehindAlb ? FLOWER_PATH : undefined,
      dagBucket: storage.dag_bucket_name,
    });
    const cluster: ClusterTarget = {
      clusterArn: compute.cluster_arn,
      clusterName: compute.cluster_name,
      capacityProviderName: compute.capacity_provider_name,
      subnetIds: network.private_subnet_ids,
    };
    const common = {
      image: `${compute.ecr_repository_url}:${airflow.imageTag}`,
      cluster,
      runtime,
      executionRoleArn: iam.task_execution_role_arn,
      dags: {
        fileSystemId: storage.efs_file_system_id,
        dagsAccessPointId: storage.efs_dags_access_point_id,
        pluginsAccessPointId: storage.efs_plugins_access_point_id,
      },
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: network.logs_kms_key_arn,
    };
    const component = (
      name: Component,
      size: ComponentConfig,
      options: Pick<AirflowServiceProps, "command" | "securityGroupId" | "taskRoleArn"> & Partial<AirflowServiceProps>,
    ) =>
      new AirflowService(this, name, {
        ...common,
        ...options,
        component: name,
        name: naming.name(name),
        size: { cpu: size.cpu, memory: size.memory },
        desiredCount: size.desiredCount,
        logGroupName: naming.logGroup(name),
      });

    const services: Partial<Record<Component, AirflowService>> = {
      "api-server": component("api-server", airflow.apiServer, {
        command: ["api-server", "--proxy-headers"],
        securityGroupId: network.api_server_security_group_id,
        taskRoleArn: iam.api_server_task_role_arn,
        stopTimeout: 30,
        loadBalancer: { ...this.alb.apiTarget, containerPort: PORTS.apiServer, gracePeriodSeconds: 180 },
        discovery: { namespaceId: compute.service_discovery_namespace_id, name: API_SERVER_DISCOVERY_NAME },
      }),
      scheduler: component("scheduler", airflow.scheduler, {
        command: ["scheduler"],
        securityGroupId: network.services_security_group_id,
        taskRoleArn: iam.scheduler_task_role_arn,
        stopTimeout: 60,
      }),
      "dag-processor": component("dag-processor", airflow.dagProcessor, {
        command: ["dag-processor"],
        securityGroupId: network.services_security_group_id,
        taskRoleArn: iam.dag_processor_task_role_arn,
        stopTimeout: 60,
      }),
      triggerer: component("triggerer", airflow.triggerer, {
        command: ["triggerer"],
        securityGroupId: network.services_security_group_id,
        taskRoleArn: iam.triggerer_task_role_arn,
        stopTimeout: 60,
      }),
    };
    if (airflow.flower.enabled) {
      services.flower = component(
        "flower",
        { ...airflow.flower, desiredCount: 1 },
        {
          command: ["celery", "flower"],
          securityGroupId: network.services_security_group_id,
          taskRoleArn: iam.flower_task_role_arn,
          waitForMigrations: false,
          stopTimeout: 10,
          loadBalancer: this.alb.flowerTarget ? { ...this.alb.flowerTarget, containerPort: PORTS.flower, gracePeriodSeconds: 120 } : undefined,
        },
      );
    }
    this.services = services;

    this.workerPools = config.workerPools.map(
      (pool) =>
        new WorkerPool(this, `worker-${pool.name}`, {
          ...common,
          pool,
          name: naming.name(`worker-${pool.name}`),
          securityGroupId: network.workers_security_group_id,
          taskRoleArn: iam.worker_task_role_arn,
          logGroupName: naming.logGroup(`worker-${pool.name}`),
        }),
    );

    this.cadvisor = new Cadvisor(this, "cadvisor", {
      name: naming.name("cadvisor"),
      clusterArn: compute.cluster_arn,
      clusterName: compute.cluster_name,
      desiredCount: compute.asg_max_size,
      executionRoleArn: iam.task_execution_role_arn,
      taskRoleArn: iam.cadvisor_task_role_arn,
      logGroupName: naming.logGroup("cadvisor"),
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: network.logs_kms_key_arn,
      region: config.account.region,
    });

    this.dagSync = new DagSync(this, "dag-sync", {
      naming,
      region: config.account.region,
      image: common.image,
      bundles: config.dags.bundles,
      keepReleases: config.dags.keepReleases,
      dagBucket: storage.dag_bucket_name,
      fileSystem: common.dags,
      clusterName: compute.cluster_name,
      subnetIds: network.private_subnet_ids,
      securityGroupId: network.services_security_group_id,
      executionRoleArn: iam.task_execution_role_arn,
      taskRoleArn: iam.dag_sync_task_role_arn,
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: network.logs_kms_key_arn,
    });

    this.operations = new AirflowOperations(this, "operations", {
      prefix: config.namePrefix,
      environment: config.name,
      base: naming.base,
      region: config.account.region,
      arns: this.arns,
      alarmEmail: config.alarms.email,
      cluster: { name: compute.cluster_name, asgName: compute.asg_name },
      services: Object.fromEntries([
        ...Object.entries(services).map(([c, s]) => [c, s!.name]),
        ...this.workerPools.map((p) => [`worker-${p.pool.name}`, p.service.name]),
      ]),
      schedulerService: services.scheduler!.name,
      cadvisorService: naming.name("cadvisor"),
      pools: this.workerPools.map((p) => ({
        config: p.pool,
        service: p.service.name,
        target: p.service.deployment.scalableTarget(p.pool.minCount, p.pool.maxCount),
      })),
      logGroups: Object.fromEntries([...Object.keys(services), ...this.workerPools.map((p) => `worker-${p.pool.name}`)].map((c) => [c, naming.logGroup(c)])),
      database: {
        instanceId: storage.db_instance_identifier,
        instanceClass: config.storage.database.instanceClass,
        allocatedStorageGb: config.storage.database.allocatedStorageGb,
        host: storage.db_address,
        port: storage.db_port,
        name: storage.db_name,
        secretArn: storage.db_master_secret_arn,
      },
      broker: { replicationGroupId: storage.redis_replication_group_id, nodeCount: config.storage.redis.nodeCount },
      alb: { arnSuffix: this.alb.lb.arnSuffix, apiTargetGroupArnSuffix: this.alb.apiTargetGroup.arnSuffix },
      roles: { publisher: iam.publisher_lambda_role_arn, redeployer: iam.redeployer_lambda_role_arn },
      functionNames: naming.lambdas,
      lambdaNetwork: { subnetIds: network.private_subnet_ids, securityGroupIds: [network.lambda_security_group_id] },
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: network.logs_kms_key_arn,
      lambdaLogGroup: (fn) => naming.logGroup(`lambda/${fn}`),
    });

    this.publish({
      airflow_url: runtime.baseUrl!,
      alb_dns_name: this.alb.lb.dnsName,
      service_names: Object.values(services).map((s) => s!.name),
      worker_service_names: this.workerPools.map((p) => p.service.name),
    });
  }
}
