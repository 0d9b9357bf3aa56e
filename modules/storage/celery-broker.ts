import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { ElasticacheParameterGroup } from "@cdktf/provider-aws/lib/elasticache-parameter-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { Construct } from "constructs";
import type { RedisConfig } from "../../config/schema";
import { PORTS } from "../../runtime/ports";
import { GeneratedSecret } from "../security/generated-secret";

export interface CeleryBrokerProps {
  /** Replication group id (<= 40 characters), e.g. `airflow-prod-broker`. */
  readonly identifier: string;
  /** Engine version, node type and count, snapshot retention. */
  readonly config: RedisConfig;
  /** Private subnets of the subnet group. */
  readonly subnetIds: string[];
  /** Security group of the nodes. */
  readonly securityGroupId: string;
  /** KMS key encrypting the data at rest and the auth token's secret. */
  readonly kmsKeyArn: string;
  /** KMS key encrypting the log group. */
  readonly logsKmsKeyArn: string;
  /** CloudWatch Logs group of the slow and engine logs (created here). */
  readonly logGroupName: string;
  /** Retention of the log group. */
  readonly logRetentionDays: number;
  /** Secrets Manager name of the auth token. */
  readonly authTokenSecretName: string;
  /** Days a deleted auth-token secret can still be restored. */
  readonly secretRecoveryDays: number;
}

/** Broker settings: Celery's queues must never be evicted, whatever the memory pressure. */
export const BROKER_PARAMETERS: Readonly<Record<string, string>> = { "maxmemory-policy": "noeviction" };

/**
 * The Celery broker: an ElastiCache Redis replication group with cluster mode disabled (kombu cannot use Redis
 * Cluster), TLS required in transit (Airflow connects with `rediss://`), encrypted at rest, an auth token
 * generated into Secrets Manager, automatic failover and Multi-AZ when there are replicas, and slow/engine logs.
 *
 * ElastiCache's `auth_token` is not write-only in AWS provider 5.x, so the token is read back from its secret and is
 * held in this stack's state; see the README's security section.
 */
export class CeleryBroker extends Construct {
  /** The ElastiCache replication group. */
  readonly replicationGroup: ElasticacheReplicationGroup;
  /** The auth token's secret. */
  readonly authToken: GeneratedSecret;

  constructor(scope: Construct, id: string, props: CeleryBrokerProps) {
    super(scope, id);
    const { config, identifier } = props;
    const replicated = config.nodeCount > 1;
    const family = `redis${config.engineVersion.startsWith("6") ? "6.x" : "7"}`;

    this.authToken = new GeneratedSecret(this, "auth-token", {
      name: props.authTokenSecretName,
      description: `Auth token of the ${identifier} Celery broker`,
      kmsKeyArn: props.kmsKeyArn,
      length: 64,
      recoveryWindowDays: props.secretRecoveryDays,
    });
    const token = new DataAwsSecretsmanagerSecretVersion(this, "auth-token-value", {
      secretId: this.authToken.secret.id,
      dependsOn: [this.authToken.version],
    });

    const subnets = new ElasticacheSubnetGroup(this, "subnets", {
      name: identifier,
      subnetIds: props.subnetIds,
      description: `Private subnets of ${identifier}`,
    });
    const parameters = new ElasticacheParameterGroup(this, "parameters", {
      name: `${identifier}-${family.replace(".", "")}`,
      family,
      description: "Celery broker: no eviction",
      parameter: Object.entries(BROKER_PARAMETERS).map(([name, value]) => ({ name, value })),
    });
    const logs = new CloudwatchLogGroup(this, "logs", { name: props.logGroupName, retentionInDays: props.logRetentionDays, kmsKeyId: props.logsKmsKeyArn });

    this.replicationGroup = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: identifier,
      description: `Airflow Celery broker ${identifier}`,
      engine: "redis",
      engineVersion: config.engineVersion,
      nodeType: config.nodeType,
      numCacheClusters: config.nodeCount,
      clusterMode: "disabled",
      port: PORTS.redis,
      parameterGroupName: parameters.name,
      subnetGroupName: subnets.name,
      securityGroupIds: [props.securityGroupId],
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.kmsKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      authToken: token.secretString,
      // A new token is added beside the old one; clients move over on their next deployment.
      authTokenUpdateStrategy: "ROTATE",
      automaticFailoverEnabled: replicated,
      multiAzEnabled: replicated,
      snapshotRetentionLimit: config.snapshotRetentionDays,
      snapshotWindow: config.snapshotRetentionDays > 0 ? "01:00-02:00" : undefined,
      maintenanceWindow: "sun:04:30-sun:05:30",
      autoMinorVersionUpgrade: "true",
      applyImmediately: false,
      logDeliveryConfiguration: (["slow-log", "engine-log"] as const).map((logType) => ({
        destination: logs.name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType,
      })),
    });
  }

  get replicationGroupId(): string {
    return this.replicationGroup.replicationGroupId;
  }

  /** The primary endpoint: follows a failover. */
  get primaryEndpoint(): string {
    return this.replicationGroup.primaryEndpointAddress;
  }

  get port(): number {
    return this.replicationGroup.port;
  }

  /** ARN of the secret holding the auth token. */
  get authTokenSecretArn(): string {
    return this.authToken.arn;
  }
}
