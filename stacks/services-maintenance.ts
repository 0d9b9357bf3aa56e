import type { AirflowRuntime } from "../modules/airflow/airflow-settings";
import type { AirflowServiceDefaults } from "../modules/airflow/airflow-service";
import { DagSync } from "../modules/dags/dag-sync";
import { DatabaseCleanup } from "../modules/operations/database-cleanup";
import type { ServicesStack } from "./services-stack";

/** The one-off task that delivers EFS DAG bundles (npm run deploy-dags), in the services' security group. */
export function environmentDagSync(stack: ServicesStack, defaults: AirflowServiceDefaults): DagSync {
  const { config, network, storage, iam } = stack;
  return new DagSync(stack, "dag-sync", {
    ...defaults,
    region: config.account.region,
    bundles: config.dags.bundles,
    keepReleases: config.dags.keepReleases,
    dagBucket: storage.dag_bucket_name,
    securityGroupId: network.services_security_group_id,
    taskRoleArn: iam.dag_sync_task_role_arn,
  });
}

/** The scheduled `airflow db clean` (storage.database.cleanup); its failures notify the operations topic. */
export function environmentDatabaseCleanup(stack: ServicesStack, defaults: AirflowServiceDefaults, runtime: AirflowRuntime): DatabaseCleanup {
  const { config, naming, network, iam, compute } = stack;
  return new DatabaseCleanup(stack, "db-clean", {
    naming,
    arns: stack.arns,
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
    topic: stack.operations.topic,
  });
}
