import type { EnvironmentConfig } from "../../config/schema";
import { ArnBuilder } from "../../modules/core/arn";
import { defineContract, output } from "../../modules/core/contract";
import { Naming } from "../../modules/core/naming";

const naming = (c: EnvironmentConfig) => new Naming(c.namePrefix, c.name, c.account.id);
const secretArn = (name: string) => (c: EnvironmentConfig) => new ArnBuilder(c).of("secretsmanager", `secret:${naming(c).secret(name)}-AbC123`);

/** What the storage stack publishes: endpoints, ports, ids and ARNs of the data stores and secrets — never a secret value. */
export const storageContract = defineContract("storage", {
  data_kms_key_arn: output.string("KMS key encrypting the database, broker, file system, task logs and secrets", (c) =>
    new ArnBuilder(c).of("kms", "key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
  ),
  db_instance_identifier: output.string("RDS instance identifier (alarms, dashboard)", (c) => naming(c).name("metadata")),
  db_address: output.string("Hostname of the metadata database", (c) => `${naming(c).name("metadata")}.c0abcdefghij.${c.account.region}.rds.amazonaws.com`),
  db_port: output.number("PostgreSQL port", () => 5432),
  db_name: output.string("Database name", () => "airflow"),
  db_master_secret_arn: output.string("RDS-managed master secret (JSON: username, password); rotated by RDS", (c) =>
    new ArnBuilder(c).of("secretsmanager", "secret:rds!db-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbC123"),
  ),
  redis_replication_group_id: output.string("ElastiCache replication group id (alarms, dashboard)", (c) => naming(c).name("broker")),
  redis_primary_endpoint: output.string(
    "Primary endpoint of the Celery broker (follows failover)",
    (c) => `master.${naming(c).name("broker")}.abc123.euw1.cache.amazonaws.com`,
  ),
  redis_port: output.number("Redis port (TLS)", () => 6379),
  redis_auth_token_secret_arn: output.string("Secret holding the broker auth token", secretArn("redis-auth-token")),
  efs_file_system_id: output.string("EFS file system of DAGs and plugins", () => "fs-0a1b2c3d4e5f67890"),
  efs_file_system_arn: output.string("EFS file system ARN", (c) => new ArnBuilder(c).of("elasticfilesystem", "file-system/fs-0a1b2c3d4e5f67890")),
  efs_dags_access_point_id: output.string("Access point of /airflow/dags (uid 50000, gid 0)", () => "fsap-0a1b2c3d4e5f67891"),
  efs_dags_access_point_arn: output.string("ARN of the DAGs access point", (c) =>
    new ArnBuilder(c).of("elasticfilesystem", "access-point/fsap-0a1b2c3d4e5f67891"),
  ),
  efs_plugins_access_point_id: output.string("Access point of /airflow/plugins (uid 50000, gid 0)", () => "fsap-0a1b2c3d4e5f67892"),
  efs_plugins_access_point_arn: output.string("ARN of the plugins access point", (c) =>
    new ArnBuilder(c).of("elasticfilesystem", "access-point/fsap-0a1b2c3d4e5f67892"),
  ),
  task_logs_bucket_name: output.string("S3 bucket of remote task logs", (c) => naming(c).globalName("task-logs")),
  task_logs_bucket_arn: output.string("ARN of the task-log bucket", (c) => `arn:aws:s3:::${naming(c).globalName("task-logs")}`),
  alb_logs_bucket_name: output.string("S3 bucket (SSE-S3) of ALB access logs", (c) => naming(c).globalName("alb-logs")),
  dag_bucket_name: output.string("S3 bucket of DAG code: S3 bundles under dags/, EFS releases under releases/", (c) => naming(c).globalName("dags")),
  dag_bucket_arn: output.string("ARN of the DAG bucket", (c) => `arn:aws:s3:::${naming(c).globalName("dags")}`),
  fernet_key_secret_arn: output.string("Secret: [core] fernet_key", secretArn("fernet-key")),
  api_secret_key_secret_arn: output.string("Secret: [api] secret_key", secretArn("api-secret-key")),
  jwt_secret_secret_arn: output.string("Secret: [api_auth] jwt_secret", secretArn("jwt-secret")),
  admin_password_secret_arn: output.string("Secret: the first admin's password", secretArn("admin-password")),
  flower_basic_auth_secret_arn: output.string("Secret: Flower basic auth (user:password)", secretArn("flower-basic-auth")),
  heartbeat_probe_secret_arn: output.string("Secret the heartbeat DAG reads through the secrets backend", secretArn("variables/heartbeat_probe")),
});

export type StorageContract = typeof storageContract.outputs;
