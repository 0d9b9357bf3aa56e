import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { AirflowTask } from "../modules/airflow/airflow-task";
import { firstAdminEnvironment, MIGRATION_TASK, migrationRecordEnvironment } from "../modules/airflow/components";
import type { AirflowCluster } from "../modules/compute/airflow-cluster";
import type { Bastion } from "../modules/compute/bastion";
import { ImageRepository } from "../modules/compute/image-repository";
import type { ContractValues } from "../modules/core/contract";
import { AirflowStack } from "./airflow-stack";
import { airflowRuntime } from "./airflow-runtime";
import { environmentBastion, environmentCluster } from "./compute-hosts";
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
 * Compute: the ECS cluster on its EC2 capacity providers (on demand, and Spot when configured), the service-discovery namespace, the image repository, the
 * SSM-only bastion and the one-off database migration task (run by `npm run migrate` before the services roll).
 */
export class ComputeStack extends AirflowStack<ComputeContract> {
  readonly network: ContractValues<NetworkContract>;
  readonly storage: ContractValues<StorageContract>;
  readonly iam: ContractValues<IamContract>;
  readonly cluster: AirflowCluster;
  readonly images: ImageRepository;
  readonly migrate: AirflowTask;
  /** The SSM-only bastion, when enabled. */
  readonly bastion?: Bastion;

  constructor(scope: Construct, config: EnvironmentConfig, props: ComputeStackProps) {
    super(scope, config, computeContract);
    this.network = this.consume(props.network);
    this.storage = this.consume(props.storage);
    this.iam = this.consume(props.iam);
    const { naming } = this;

    this.cluster = environmentCluster(this);
    this.images = new ImageRepository(this, "images", { name: naming.imageRepository, forceDelete: !config.production });
    this.bastion = environmentBastion(this);

    this.migrate = new AirflowTask(this, "migrate", {
      ...MIGRATION_TASK,
      family: naming.name("migrate"),
      image: this.images.imageUri(config.airflow.imageTag),
      runtime: airflowRuntime(this, this.storage, { namespace: this.cluster.namespaceName }),
      executionRoleArn: this.iam.task_execution_role_arn,
      taskRoleArn: this.iam.migrate_task_role_arn,
      extraEnvironment: { ...firstAdminEnvironment(naming), ...migrationRecordEnvironment(naming, config.airflow.imageTag) },
      logGroupName: naming.logGroup("migrate"),
      logRetentionDays: config.storage.logRetentionDays,
      logsKmsKeyArn: this.network.logs_kms_key_arn,
    });

    const { cluster } = this;
    this.publish({
      cluster_name: cluster.clusterName,
      cluster_arn: cluster.clusterArn,
      capacity_provider_name: cluster.capacityProviderName,
      asg_name: cluster.asgName,
      spot_capacity_provider_name: cluster.spotCapacityProviderName ?? "",
      spot_asg_name: cluster.spotAsgName ?? "",
      max_container_instances: cluster.maxInstances,
      service_discovery_namespace_id: cluster.namespaceId,
      service_discovery_namespace_name: cluster.namespaceName,
      ecr_repository_url: this.images.repositoryUrl,
      migrate_task_definition_arn: this.migrate.taskDefinitionArn,
      migrate_subnet_ids: this.network.private_subnet_ids,
      migrate_security_group_id: this.network.services_security_group_id,
    });
  }
}
