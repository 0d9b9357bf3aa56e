import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { AirflowTask } from "../modules/airflow/airflow-task";
import { RUNTIME_ENV } from "../runtime/airflow-image";
import { AirflowCluster } from "../modules/compute/airflow-cluster";
import { Bastion } from "../modules/compute/bastion";
import { ImageRepository } from "../modules/compute/image-repository";
import type { ContractValues } from "../modules/core/contract";
import { AirflowStack } from "./airflow-stack";
import { airflowRuntime } from "./airflow-runtime";
import { computeContract, type ComputeContract } from "./contracts/compute";
import type { IamContract } from "./contracts/iam";
import type { NetworkContract } from "./contracts/network";
import type { StorageContract } from "./contracts/storage";
import type { IamStack } from "./iam-stack";
import type { NetworkStack } from "./network-stack";
import type { StorageStack } from "./storage-stack";

export interface ComputeStackProps {
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly iam: IamStack;
}

/**
 * Compute: the ECS cluster on its EC2 capacity provider, the service-discovery namespace, the image repository, the
 * SSM-only bastion and the one-off database migration task (run by `npm run migrate` before the services roll).
 */
export class ComputeStack extends AirflowStack<ComputeContract> {
  readonly network: ContractValues<NetworkContract>;
  readonly storage: ContractValues<StorageContract>;
  readonly iam: ContractValues<IamContract>;
  readonly cluster: AirflowCluster;
  readonly images: ImageRepository;
  readonly migrate: AirflowTask;

  constructor(scope: Construct, config: EnvironmentConfig, props: ComputeStackProps) {
    super(scope, config, computeContract);
    this.network = this.consume(props.network);
    this.storage = this.consume(props.storage);
    this.iam = this.consume(props.iam);
    const { compute } = config;
    const naming = this.naming;
    const instanceTags = { ...this.defaultTags };

    this.cluster = new AirflowCluster(this, "cluster", {
      clusterName: naming.cluster,
      namespace: `${naming.base}.internal`,
      vpcId: this.network.vpc_id,
      awsvpcTrunking: compute.awsvpcTrunking,
      capacity: {
        name: naming.name("ec2"),
        instanceType: compute.instanceType,
        minInstances: compute.minInstances,
        maxInstances: compute.maxInstances,
        targetCapacityPercent: compute.targetCapacityPercent,
        rootVolumeGb: compute.rootVolumeGb,
        containerStopTimeoutSeconds: compute.containerStopTimeoutSeconds,
        subnetIds: this.network.private_subnet_ids,
        securityGroupId: this.network.container_instances_security_group_id,
        instanceProfileArn: this.iam.container_instance_profile_arn,
        tags: instanceTags,
      },
    });

    this.images = new ImageRepository(this, "images", { name: naming.imageRepository, forceDelete: !config.production });

    if (compute.bastion.enabled) {
      new Bastion(this, "bastion", {
        name: naming.name("bastion"),
        instanceType: compute.bastion.instanceType,
        subnetIds: this.network.private_subnet_ids,
        securityGroupId: this.network.bastion_security_group_id,
        instanceProfileArn: this.iam.bastion_instance_profile_arn,
        tags: instanceTags,
      });
    }

    const namespace = this.cluster.namespace;
    this.migrate = new AirflowTask(this, "migrate", {
      component: "migrate",
      family: naming.name("migrate"),
      command: ["db", "migrate"],
      image: `${this.images.repository.repositoryUrl}:${config.airflow.imageTag}`,
      size: { cpu: 512, memory: 1024 },
      compatibility: "FARGATE",
      runtime: airflowRuntime(this, this.storage, { namespace: namespace.name }),
      executionRoleArn: this.iam.task_execution_role_arn,
      taskRoleArn: this.iam.migrate_task_role_arn,
      waitForMigrations: false,
      stopTimeout: 120,
      extraEnvironment: { [RUNTIME_ENV.adminUsername]: "admin", [RUNTIME_ENV.adminEmail]: `airflow-admin@${naming.base}.invalid` },
      logGroupName: naming.logGroup("migrate"),
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: this.network.logs_kms_key_arn,
    });

    const capacity = this.cluster.capacity;
    this.publish({
      cluster_name: this.cluster.cluster.name,
      cluster_arn: this.cluster.cluster.arn,
      capacity_provider_name: capacity.capacityProvider.name,
      asg_name: capacity.group.name,
      asg_max_size: capacity.group.maxSize,
      service_discovery_namespace_id: namespace.id,
      service_discovery_namespace_name: namespace.name,
      ecr_repository_url: this.images.repository.repositoryUrl,
      migrate_task_definition_arn: this.migrate.task.definition.arn,
      migrate_subnet_ids: this.network.private_subnet_ids,
      migrate_security_group_id: this.network.services_security_group_id,
    });
  }
}
