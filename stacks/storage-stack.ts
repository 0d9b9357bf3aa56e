import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { HEARTBEAT } from "../runtime/metrics";
import type { ContractValues } from "../modules/core/contract";
import { EncryptionKey } from "../modules/security/encryption-key";
import { GeneratedSecret } from "../modules/security/generated-secret";
import { albLogDeliveryStatement } from "../modules/storage/alb-log-delivery";
import { CeleryBroker } from "../modules/storage/celery-broker";
import { DagFileSystem } from "../modules/storage/dag-file-system";
import { MetadataDatabase } from "../modules/storage/metadata-database";
import { SecureBucket } from "../modules/storage/secure-bucket";
import { AirflowStack } from "./airflow-stack";
import type { NetworkContract } from "./contracts/network";
import { storageContract, type StorageContract } from "./contracts/storage";
import type { NetworkStack } from "./network-stack";

export interface StorageStackProps {
  readonly network: NetworkStack;
}

/**
 * The Airflow secrets every component shares, generated without entering Terraform state: name, length and the
 * text around the generated part. The Fernet key is 43 alphanumerics plus "=", which decodes to 32 bytes.
 */
const SHARED_SECRETS = [
  { key: "fernet_key", name: "fernet-key", description: "[core] fernet_key: encrypts connections and variables in the metadata DB", length: 43, suffix: "=" },
  { key: "api_secret_key", name: "api-secret-key", description: "[api] secret_key: signs log-server requests between api-server and workers", length: 64 },
  { key: "jwt_secret", name: "jwt-secret", description: "[api_auth] jwt_secret: signs Execution API and UI tokens; identical on every component", length: 64 },
  { key: "admin_password", name: "admin-password", description: "Password of the first Airflow admin, created by the migrate task", length: 32 },
  { key: "flower_basic_auth", name: "flower-basic-auth", description: "Flower basic auth (user:password)", length: 32, prefix: "flower:" },
  {
    key: "heartbeat_probe",
    name: `variables/${HEARTBEAT.probeVariable}`,
    description: "Airflow Variable the heartbeat DAG reads to prove the secrets backend works",
    length: 16,
  },
] as const;
type SharedSecretKey = (typeof SHARED_SECRETS)[number]["key"];

/**
 * Storage: the metadata database, the Celery broker, the DAG file system and DAG bucket, the task-log and ALB-log
 * buckets, and the secrets Airflow components share, all encrypted with the environment's data key.
 */
export class StorageStack extends AirflowStack<StorageContract> {
  readonly network: ContractValues<NetworkContract>;
  readonly dataKey: EncryptionKey;
  readonly database: MetadataDatabase;
  readonly broker: CeleryBroker;
  readonly dags: DagFileSystem;
  readonly taskLogs: SecureBucket;
  readonly albLogs: SecureBucket;
  readonly dagBucket: SecureBucket;
  readonly secrets: Readonly<Record<SharedSecretKey, GeneratedSecret>>;

  constructor(scope: Construct, config: EnvironmentConfig, props: StorageStackProps) {
    super(scope, config, storageContract);
    this.network = this.consume(props.network);
    const { storage, production } = config;
    const naming = this.naming;
    const privateSubnets = this.network.private_subnet_ids;
    const secretRecoveryDays = production ? 30 : 7;

    this.dataKey = new EncryptionKey(this, "data-key", {
      alias: naming.name("data"),
      description: `Airflow data of ${naming.base}: database, broker, DAG file system, task logs, secrets`,
      arns: this.arns,
    });
    const dataKeyArn = this.dataKey.arn;

    this.database = new MetadataDatabase(this, "database", {
      identifier: naming.name("metadata"),
      config: storage.database,
      subnetIds: privateSubnets,
      securityGroupId: this.network.database_security_group_id,
      kmsKeyArn: dataKeyArn,
      logsKmsKeyArn: this.network.logs_kms_key_arn,
      logRetentionDays: storage.logRetentionDays,
      arns: this.arns,
    });

    this.broker = new CeleryBroker(this, "broker", {
      identifier: naming.name("broker", 40),
      config: storage.redis,
      subnetIds: privateSubnets,
      securityGroupId: this.network.redis_security_group_id,
      kmsKeyArn: dataKeyArn,
      logsKmsKeyArn: this.network.logs_kms_key_arn,
      logGroupName: naming.logGroup("broker"),
      logRetentionDays: storage.logRetentionDays,
      authTokenSecretName: naming.secret("redis-auth-token"),
      secretRecoveryDays,
    });

    this.dags = new DagFileSystem(this, "dags", {
      name: naming.name("dags"),
      throughputMode: storage.efs.throughputMode,
      kmsKeyArn: dataKeyArn,
      subnetIds: privateSubnets,
      subnetCount: config.network.azCount,
      securityGroupId: this.network.efs_security_group_id,
    });

    const accessLogs = new SecureBucket(this, "s3-access-logs", {
      bucketName: naming.globalName("s3-access-logs"),
      // S3 server access logging can only write to SSE-S3 buckets.
      encryption: { kind: "s3" },
      lifecycle: { expireAfterDays: 365, noncurrentExpireAfterDays: 7 },
      forceDestroy: !production,
      policyStatements: [
        {
          sid: "ServerAccessLogDelivery",
          actions: ["s3:PutObject"],
          resources: [`arn:${this.arns.partition}:s3:::${naming.globalName("s3-access-logs")}/*`],
          principals: [{ type: "Service", identifiers: [this.arns.servicePrincipal("logging.s3")] }],
          conditions: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [config.account.id] },
            {
              test: "ArnLike",
              variable: "aws:SourceArn",
              values: ["task-logs", "alb-logs", "dags"].map((b) => `arn:${this.arns.partition}:s3:::${naming.globalName(b)}`),
            },
          ],
        },
      ],
    });

    this.taskLogs = new SecureBucket(this, "task-logs", {
      bucketName: naming.globalName("task-logs"),
      encryption: { kind: "kms", keyArn: dataKeyArn },
      lifecycle: { expireAfterDays: storage.taskLogExpirationDays, noncurrentExpireAfterDays: 7 },
      accessLogs: { bucket: accessLogs, prefix: "task-logs/" },
      forceDestroy: !production,
    });

    // S3 DAG bundles (dags/) and the EFS releases deploy-dags uploads (releases/): DAG code is kept, not expired;
    // overwritten and deleted versions stay 30 days for recovery.
    this.dagBucket = new SecureBucket(this, "dag-code", {
      bucketName: naming.globalName("dags"),
      encryption: { kind: "kms", keyArn: dataKeyArn },
      lifecycle: { noncurrentExpireAfterDays: 30 },
      accessLogs: { bucket: accessLogs, prefix: "dags/" },
      forceDestroy: !production,
    });

    const albLogsName = naming.globalName("alb-logs");
    this.albLogs = new SecureBucket(this, "alb-logs", {
      bucketName: albLogsName,
      // ALB access-log delivery cannot write to SSE-KMS buckets.
      encryption: { kind: "s3" },
      lifecycle: { expireAfterDays: storage.albLogExpirationDays, noncurrentExpireAfterDays: 7 },
      accessLogs: { bucket: accessLogs, prefix: "alb-logs/" },
      forceDestroy: !production,
      policyStatements: [
        albLogDeliveryStatement(
          config.account.region,
          this.arns.partition,
          config.account.id,
          `arn:${this.arns.partition}:s3:::${albLogsName}`,
          naming.albLogPrefix,
        ),
      ],
    });

    const secrets = {} as Record<SharedSecretKey, GeneratedSecret>;
    for (const spec of SHARED_SECRETS) {
      secrets[spec.key] = new GeneratedSecret(this, spec.name.replace(/\//g, "-"), {
        name: naming.secret(spec.name),
        description: spec.description,
        kmsKeyArn: dataKeyArn,
        length: spec.length,
        prefix: "prefix" in spec ? spec.prefix : undefined,
        suffix: "suffix" in spec ? spec.suffix : undefined,
        recoveryWindowDays: secretRecoveryDays,
      });
    }
    this.secrets = secrets;

    const db = this.database.instance;
    const redis = this.broker.replicationGroup;
    this.publish({
      data_kms_key_arn: dataKeyArn,
      db_instance_identifier: db.identifier,
      db_address: db.address,
      db_port: db.port,
      db_name: db.dbName,
      db_master_secret_arn: this.database.masterSecretArn,
      redis_replication_group_id: redis.replicationGroupId,
      redis_primary_endpoint: redis.primaryEndpointAddress,
      redis_port: redis.port,
      redis_auth_token_secret_arn: this.broker.authToken.arn,
      efs_file_system_id: this.dags.fileSystem.id,
      efs_file_system_arn: this.dags.fileSystem.arn,
      efs_dags_access_point_id: this.dags.accessPoints.dags.id,
      efs_dags_access_point_arn: this.dags.accessPoints.dags.arn,
      efs_plugins_access_point_id: this.dags.accessPoints.plugins.id,
      efs_plugins_access_point_arn: this.dags.accessPoints.plugins.arn,
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
    });
  }
}
