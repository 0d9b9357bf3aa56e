import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import type { ContractValues } from "../modules/core/contract";
import { EncryptionKey } from "../modules/security/encryption-key";
import { secretRecoveryWindowDays, type GeneratedSecret } from "../modules/security/generated-secret";
import { sharedSecrets, type SharedSecretKey } from "../modules/security/shared-secrets";
import { CeleryBroker } from "../modules/storage/celery-broker";
import { DagFileSystem } from "../modules/storage/dag-file-system";
import { MetadataDatabase } from "../modules/storage/metadata-database";
import { MigrationRecord } from "../modules/storage/migration-record";
import type { SecureBucket } from "../modules/storage/secure-bucket";
import { AirflowStack } from "./airflow-stack";
import type { NetworkContract } from "./contracts/network";
import { storageContract, type StorageContract } from "./contracts/storage";
import { environmentBuckets } from "./storage-buckets";
import type { NetworkStack } from "./network-stack";

export interface StorageStackProps {
  readonly network: NetworkStack;
}

/**
 * Storage: the metadata database, the Celery broker, the DAG file system and DAG bucket, the task-log and ALB-log
 * buckets, and the secrets Airflow components share, all encrypted with the environment's data key.
 */
export class StorageStack extends AirflowStack<StorageContract> {
  readonly network: ContractValues<NetworkContract>;
  readonly dataKey: EncryptionKey;
  readonly database: MetadataDatabase;
  /** The Airflow version and image that last migrated the database (written by the migrate task). */
  readonly migrationRecord: MigrationRecord;
  readonly broker: CeleryBroker;
  readonly dags: DagFileSystem;
  readonly taskLogs: SecureBucket;
  readonly albLogs: SecureBucket;
  /**
   * S3 DAG bundles (dags/) and the EFS releases deploy-dags uploads (releases/): DAG code is kept, not expired;
   * overwritten and deleted versions stay 30 days for recovery.
   */
  readonly dagBucket: SecureBucket;
  readonly secrets: Readonly<Record<SharedSecretKey, GeneratedSecret>>;

  constructor(scope: Construct, config: EnvironmentConfig, props: StorageStackProps) {
    super(scope, config, storageContract);
    this.network = this.consume(props.network);
    const { storage, production } = config;
    const { naming, arns, network } = this;
    const secretRecoveryDays = secretRecoveryWindowDays(production);

    this.dataKey = new EncryptionKey(this, "data-key", {
      alias: naming.name("data"),
      description: `Airflow data of ${naming.base}: database, broker, DAG file system, task logs, secrets`,
      arns,
    });
    const dataKeyArn = this.dataKey.arn;

    this.database = new MetadataDatabase(this, "database", {
      identifier: naming.name("metadata"),
      config: storage.database,
      subnetIds: network.private_subnet_ids,
      securityGroupId: network.database_security_group_id,
      kmsKeyArn: dataKeyArn,
      logsKmsKeyArn: network.logs_kms_key_arn,
      logRetentionDays: storage.logRetentionDays,
      arns,
    });

    this.migrationRecord = new MigrationRecord(this, "migration-record", {
      name: naming.migrationRecordParameter,
      databaseIdentifier: naming.name("metadata"),
    });

    this.broker = new CeleryBroker(this, "broker", {
      identifier: naming.name("broker", 40),
      config: storage.redis,
      subnetIds: network.private_subnet_ids,
      securityGroupId: network.redis_security_group_id,
      kmsKeyArn: dataKeyArn,
      logsKmsKeyArn: network.logs_kms_key_arn,
      logGroupName: naming.logGroup("broker"),
      logRetentionDays: storage.logRetentionDays,
      authTokenSecretName: naming.secret("redis-auth-token"),
      secretRecoveryDays,
    });

    this.dags = new DagFileSystem(this, "dags", {
      name: naming.name("dags"),
      throughputMode: storage.efs.throughputMode,
      kmsKeyArn: dataKeyArn,
      subnetIds: network.private_subnet_ids,
      subnetCount: config.network.azCount,
      securityGroupId: network.efs_security_group_id,
    });

    ({ taskLogs: this.taskLogs, dagBucket: this.dagBucket, albLogs: this.albLogs } = environmentBuckets(this, dataKeyArn));

    this.secrets = sharedSecrets(this, { naming, kmsKeyArn: dataKeyArn, recoveryWindowDays: secretRecoveryDays });
    this.publish(this.contractValues());
  }

  /** The storage contract, read off the constructs. */
  private contractValues(): ContractValues<StorageContract> {
    const { database, broker, dags, secrets } = this;
    return {
      data_kms_key_arn: this.dataKey.arn,
      db_instance_identifier: database.identifier,
      db_address: database.address,
      db_port: database.port,
      db_name: database.databaseName,
      db_master_secret_arn: database.masterSecretArn,
      redis_replication_group_id: broker.replicationGroupId,
      redis_primary_endpoint: broker.primaryEndpoint,
      redis_port: broker.port,
      redis_auth_token_secret_arn: broker.authTokenSecretArn,
      efs_file_system_id: dags.fileSystemId,
      efs_file_system_arn: dags.fileSystemArn,
      efs_dags_access_point_id: dags.accessPoint("dags").id,
      efs_dags_access_point_arn: dags.accessPoint("dags").arn,
      efs_plugins_access_point_id: dags.accessPoint("plugins").id,
      efs_plugins_access_point_arn: dags.accessPoint("plugins").arn,
      task_logs_bucket_name: this.taskLogs.name,
      task_logs_bucket_arn: this.taskLogs.arn,
      alb_logs_bucket_name: this.albLogs.name,
      dag_bucket_name: this.dagBucket.name,
      dag_bucket_arn: this.dagBucket.arn,
      fernet_key_secret_arn: secrets.fernet_key.arn,
      api_secret_key_secret_arn: secrets.api_secret_key.arn,
      jwt_secret_secret_arn: secrets.jwt_secret.arn,
      admin_password_secret_arn: secrets.admin_password.arn,
      flower_basic_auth_secret_arn: secrets.flower_basic_auth.arn,
      heartbeat_probe_secret_arn: secrets.heartbeat_probe.arn,
    };
  }
}
