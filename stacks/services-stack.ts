import type { Construct } from "constructs";
import type { ComponentConfig, EnvironmentConfig } from "../config/schema";
import { AirflowLoadBalancer, FLOWER_PATH } from "../modules/alb/airflow-load-balancer";
import { AirflowService, type AirflowServiceProps, type ClusterTarget } from "../modules/airflow/airflow-service";
import type { Component } from "../modules/airflow/runtime-contract";
import { WorkerPool } from "../modules/airflow/worker-pool";
import type { ContractValues } from "../modules/core/contract";
import { PORTS } from "../modules/core/ports";
import { Cadvisor } from "../modules/ecs/cadvisor";
import { AirflowStack } from "./airflow-stack";
import { airflowRuntime, API_SERVER_DISCOVERY_NAME } from "./airflow-runtime";
import type { ComputeContract } from "./contracts/compute";
import type { IamContract } from "./contracts/iam";
import type { NetworkContract } from "./contracts/network";
import { servicesContract, type ServicesContract } from "./contracts/services";
import type { StorageContract } from "./contracts/storage";
import type { ComputeStack } from "./compute-stack";
import type { IamStack } from "./iam-stack";
import type { NetworkStack } from "./network-stack";
import type { StorageStack } from "./storage-stack";
import { ALB_LOG_PREFIX } from "./storage-stack";

export interface ServicesStackProps {
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly iam: IamStack;
  readonly compute: ComputeStack;
}

/**
 * Services: every Airflow 3 component as an ECS service — the api-server behind the ALB (and in service discovery
 * for the workers' Execution API), scheduler, dag-processor, triggerer, Flower, one service per Celery worker pool
 * — and cAdvisor on every container instance.
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
      accessLogs: { bucket: storage.alb_logs_bucket_name, prefix: ALB_LOG_PREFIX },
      deletionProtection: config.production,
      flower: flowerBehindAlb,
      waf: alb.internetFacing,
    });

    const runtime = airflowRuntime(this, storage, {
      namespace: compute.service_discovery_namespace_name,
      baseUrl: this.alb.url(alb.hostname),
      flowerUrlPrefix: flowerBehindAlb ? FLOWER_PATH : undefined,
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
      dags: { fileSystemId: storage.efs_file_system_id, dagsAccessPointId: storage.efs_dags_access_point_id, pluginsAccessPointId: storage.efs_plugins_access_point_id },
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: network.logs_kms_key_arn,
    };
    const component = (name: Component, size: ComponentConfig, options: Pick<AirflowServiceProps, "command" | "securityGroupId" | "taskRoleArn"> & Partial<AirflowServiceProps>) =>
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
        loadBalancer: { targetGroupArn: this.alb.apiTargetGroup.arn, containerPort: PORTS.apiServer, gracePeriodSeconds: 180 },
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
      services.flower = component("flower", { ...airflow.flower, desiredCount: 1 }, {
        command: ["celery", "flower"],
        securityGroupId: network.services_security_group_id,
        taskRoleArn: iam.flower_task_role_arn,
        waitForMigrations: false,
        stopTimeout: 10,
        loadBalancer: this.alb.flowerTargetGroup ? { targetGroupArn: this.alb.flowerTargetGroup.arn, containerPort: PORTS.flower, gracePeriodSeconds: 120 } : undefined,
      });
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

    this.publish({
      airflow_url: runtime.baseUrl!,
      alb_dns_name: this.alb.lb.dnsName,
      service_names: Object.values(services).map((s) => s!.name),
      worker_service_names: this.workerPools.map((p) => p.service.name),
    });
  }
}
