import { defineContract, output } from "../../modules/core/contract";

/** What the storage stack publishes: endpoints, ports, ids and ARNs of the data stores and secrets — never a secret value. */
export const storageContract = defineContract("storage", {
  data_kms_key_arn: output.string("KMS key encrypting the database, broker, file system, task logs and secrets"),
  db_instance_identifier: output.string("RDS instance identifier (alarms, dashboard)"),
  db_address: output.string("Hostname of the metadata database"),
  db_port: output.number("PostgreSQL port"),
  db_name: output.string("Database name"),
  db_master_secret_arn: output.string("RDS-managed master secret (JSON: username, password); rotated by RDS"),
  redis_replication_group_id: output.string("ElastiCache replication group id (alarms, dashboard)"),
  redis_primary_endpoint: output.string("Primary endpoint of the Celery broker (follows failover)"),
  redis_port: output.number("Redis port (TLS)"),
  redis_auth_token_secret_arn: output.string("Secret holding the broker auth token"),
  efs_file_system_id: output.string("EFS file system of DAGs and plugins"),
  efs_file_system_arn: output.string("EFS file system ARN"),
  efs_dags_access_point_id: output.string("Access point of /airflow/dags (uid 50000, gid 0)"),
  efs_dags_access_point_arn: output.string("ARN of the DAGs access point"),
  efs_plugins_access_point_id: output.string("Access point of /airflow/plugins (uid 50000, gid 0)"),
  efs_plugins_access_point_arn: output.string("ARN of the plugins access point"),
  task_logs_bucket_name: output.string("S3 bucket of remote task logs"),
  task_logs_bucket_arn: output.string("ARN of the task-log bucket"),
  alb_logs_bucket_name: output.string("S3 bucket (SSE-S3) of ALB access logs"),
  dag_bucket_name: output.string("S3 bucket of DAG code: S3 bundles under dags/, EFS releases under releases/"),
  dag_bucket_arn: output.string("ARN of the DAG bucket"),
  fernet_key_secret_arn: output.string("Secret: [core] fernet_key"),
  api_secret_key_secret_arn: output.string("Secret: [api] secret_key"),
  jwt_secret_secret_arn: output.string("Secret: [api_auth] jwt_secret"),
  admin_password_secret_arn: output.string("Secret: the first admin's password"),
  flower_basic_auth_secret_arn: output.string("Secret: Flower basic auth (user:password)"),
  heartbeat_probe_secret_arn: output.string("Secret the heartbeat DAG reads through the secrets backend"),
});

export type StorageContract = typeof storageContract.outputs;
