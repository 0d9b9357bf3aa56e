import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import type { AirflowLoadBalancer } from "../modules/alb/airflow-load-balancer";
import type { AirflowRuntime } from "../modules/airflow/airflow-settings";
import { AirflowService, type AirflowServiceDefaults } from "../modules/airflow/airflow-service";
import { CORE_COMPONENTS, type CoreComponent } from "../modules/airflow/components";
import { WorkerPool } from "../modules/airflow/worker-pool";
import type { ContractValues } from "../modules/core/contract";
import type { Naming } from "../modules/core/naming";
import type { ComputeContract } from "./contracts/compute";
import { workerPoolTaskRoleArn, type IamContract } from "./contracts/iam";
import type { NetworkContract } from "./contracts/network";
import type { StorageContract } from "./contracts/storage";

/** What the services stack builds its Airflow services from (the stack itself): config, naming and the upstream contracts. */
export interface AirflowServiceInputs {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;
  readonly network: ContractValues<NetworkContract>;
  readonly storage: ContractValues<StorageContract>;
  readonly iam: ContractValues<IamContract>;
  readonly compute: ContractValues<ComputeContract>;
}

/** What every Airflow service of the environment shares, from the compute, IAM, storage and network contracts. */
export function airflowServiceDefaults(inputs: AirflowServiceInputs, runtime: AirflowRuntime): AirflowServiceDefaults {
  const { config, naming, network, storage, iam, compute } = inputs;
  return {
    naming,
    image: `${compute.ecr_repository_url}:${config.airflow.imageTag}`,
    cluster: {
      clusterArn: compute.cluster_arn,
      clusterName: compute.cluster_name,
      capacityProviderName: compute.capacity_provider_name,
      spotCapacityProviderName: config.compute.spot ? compute.spot_capacity_provider_name : undefined,
      subnetIds: network.private_subnet_ids,
    },
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
}

/**
 * The core components (`CORE_COMPONENTS`) the environment runs, one `AirflowService` each, in table order: each
 * definition's security group and task role resolved from the contracts, its ALB target from the load balancer.
 */
export function coreServices(
  stack: Construct & AirflowServiceInputs,
  defaults: AirflowServiceDefaults,
  alb: AirflowLoadBalancer,
): Readonly<Partial<Record<CoreComponent, AirflowService>>> {
  const { config, network, iam, compute } = stack;
  const services: Partial<Record<CoreComponent, AirflowService>> = {};
  for (const definition of CORE_COMPONENTS) {
    const sizing = definition.sizing(config.airflow);
    if (!sizing) continue;
    const { loadBalancer, discoveryName } = definition;
    const target = loadBalancer && alb.target(loadBalancer.target);
    services[definition.component] = new AirflowService(stack, definition.component, {
      ...defaults,
      component: definition.component,
      command: definition.command,
      size: { cpu: sizing.cpu, memory: sizing.memory },
      desiredCount: sizing.desiredCount,
      securityGroupId: network[`${definition.securityGroup}_security_group_id`],
      taskRoleArn: iam[`${definition.taskRole}_task_role_arn`],
      waitForMigrations: definition.waitForMigrations,
      stopTimeout: definition.stopTimeoutSeconds,
      loadBalancer:
        loadBalancer && target ? { ...target, containerPort: loadBalancer.containerPort, gracePeriodSeconds: loadBalancer.gracePeriodSeconds } : undefined,
      discovery: discoveryName ? { namespaceId: compute.service_discovery_namespace_id, name: discoveryName } : undefined,
    });
  }
  return services;
}

/** One `WorkerPool` per configured pool, in config order, in the workers' security group with the pool's task role. */
export function workerPools(stack: Construct & AirflowServiceInputs, defaults: AirflowServiceDefaults): readonly WorkerPool[] {
  const { config, network, iam } = stack;
  return config.workerPools.map(
    (pool) =>
      new WorkerPool(stack, `worker-${pool.name}`, {
        ...defaults,
        pool,
        securityGroupId: network.workers_security_group_id,
        taskRoleArn: workerPoolTaskRoleArn(iam, pool),
      }),
  );
}
