import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { optionSecretArns, resolveAirflowOptions } from "../config/derived/airflow-options";
import type { ContractValues } from "../modules/core/contract";
import { ComponentRoles } from "../modules/iam/component-roles";
import { DagDeployRole } from "../modules/iam/dag-deploy-role";
import { GitHubCiRoles, githubOidcProviderArn } from "../modules/iam/github-ci-roles";
import { AirflowStack } from "./airflow-stack";
import { iamContract, TASK_ROLE_COMPONENTS, type IamContract, type TaskRoleComponent } from "./contracts/iam";
import type { StorageContract } from "./contracts/storage";
import type { StorageStack } from "./storage-stack";

export interface IamStackProps {
  readonly storage: StorageStack;
}

/**
 * IAM: one task execution role, one task role per component with only what that component does (and one per worker
 * pool that declares its own grants), the container
 * instance and bastion roles (ECS agent, Session Manager), the Lambda roles, and optionally the GitHub OIDC CI roles
 * and the role DAG repositories deliver with. Every grant names this environment's resources; the storage contract
 * supplies the ARNs AWS generates.
 */
export class IamStack extends AirflowStack<IamContract> {
  readonly storage: ContractValues<StorageContract>;
  readonly roles: ComponentRoles;
  readonly ci?: GitHubCiRoles;
  readonly dagDeploy?: DagDeployRole;

  constructor(scope: Construct, config: EnvironmentConfig, props: IamStackProps) {
    super(scope, config, iamContract);
    this.storage = this.consume(props.storage);
    const { naming, arns, storage } = this;

    // "Default" adds no level to the roles' Terraform addresses: they stay those of the roles this stack used to create directly.
    this.roles = new ComponentRoles(this, "Default", {
      naming,
      arns,
      bundles: config.dags.bundles,
      optionSecretArns: optionSecretArns(resolveAirflowOptions(config)),
      auth: config.airflow.auth,
      workerPools: config.workerPools,
      taskFailureNotifications: config.alarms.taskFailureNotifications,
      data: {
        dataKeyArn: storage.data_kms_key_arn,
        secretArns: {
          database: storage.db_master_secret_arn,
          brokerAuthToken: storage.redis_auth_token_secret_arn,
          fernetKey: storage.fernet_key_secret_arn,
          apiSecretKey: storage.api_secret_key_secret_arn,
          jwtSecret: storage.jwt_secret_secret_arn,
          adminPassword: storage.admin_password_secret_arn,
          flowerBasicAuth: storage.flower_basic_auth_secret_arn,
        },
        dagFileSystem: {
          arn: storage.efs_file_system_arn,
          dagsAccessPointArn: storage.efs_dags_access_point_arn,
          pluginsAccessPointArn: storage.efs_plugins_access_point_arn,
        },
        taskLogsBucketArn: storage.task_logs_bucket_arn,
        dagBucketArn: storage.dag_bucket_arn,
      },
    });

    if (config.ci.githubRepository) {
      this.ci = new GitHubCiRoles(this, "ci", {
        repository: config.ci.githubRepository,
        environment: config.name,
        createProvider: config.ci.createOidcProvider,
        naming,
        arns,
        stateBucket: config.state.bucket,
        dataKeyArn: storage.data_kms_key_arn,
      });
    }

    if (config.dags.deployRepositories.length > 0) {
      this.dagDeploy = new DagDeployRole(this, "dag-deploy", {
        naming,
        repositories: config.dags.deployRepositories,
        // The provider resource when this stack creates it, so the role waits for it.
        oidcProviderArn: this.ci?.providerArn ?? githubOidcProviderArn(arns),
        arns,
        bucketArn: storage.dag_bucket_arn,
        dataKeyArn: storage.data_kms_key_arn,
        bundles: config.dags.bundles,
        syncTaskRoleArns: [this.roles.taskExecution.arn, this.roles.taskRole("dag_sync").arn],
      });
    }

    const { roles } = this;
    this.publish({
      task_execution_role_arn: roles.taskExecution.arn,
      ...(Object.fromEntries(TASK_ROLE_COMPONENTS.map((c) => [`${c}_task_role_arn`, roles.taskRole(c).arn])) as Record<
        `${TaskRoleComponent}_task_role_arn`,
        string
      >),
      container_instance_role_arn: roles.containerInstance.arn,
      container_instance_profile_arn: roles.containerInstance.instanceProfileArn,
      bastion_instance_profile_arn: roles.bastion.instanceProfileArn,
      publisher_lambda_role_arn: roles.publisher.arn,
      redeployer_lambda_role_arn: roles.redeployer.arn,
      worker_pool_task_role_arns: Object.fromEntries(Object.entries(roles.workerPoolTaskRoles).map(([pool, role]) => [pool, role.arn])),
      db_clean_scheduler_role_arn: roles.dbCleanScheduler.arn,
    });
  }
}
