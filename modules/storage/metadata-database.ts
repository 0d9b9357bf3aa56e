import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { createHash } from "crypto";
import { Construct } from "constructs";
import type { DatabaseConfig } from "../../config/schema";
import type { ArnBuilder } from "../core/arn";
import { ForgottenResource } from "../core/forgotten-resource";
import { PORTS } from "../../runtime/ports";
import { policyJson, serviceTrustPolicy } from "../iam/policy-document";

/** Server parameters: TLS only, slow-statement and DDL logging (CKV2_AWS_30/69). */
export const DATABASE_PARAMETERS: Readonly<Record<string, string>> = {
  "rds.force_ssl": "1",
  log_min_duration_statement: "1000",
  log_statement: "ddl",
  log_lock_waits: "1",
};

/** Log types exported to CloudWatch Logs. */
export const DATABASE_LOG_EXPORTS = ["postgresql", "upgrade"] as const;

export const DATABASE_NAME = "airflow";
export const MASTER_USERNAME = "airflow_admin";

/**
 * Identifier of the instance restored from `snapshotIdentifier`: the original's plus a short digest of the snapshot,
 * so a restore never reuses the identifier of the instance it replaces (which keeps running until removed by hand).
 */
export function restoredIdentifier(identifier: string, snapshotIdentifier: string): string {
  return `${identifier}-r${createHash("sha256").update(snapshotIdentifier).digest("hex").slice(0, 8)}`;
}

export interface MetadataDatabaseProps {
  /** DB identifier, e.g. `airflow-prod-metadata` (a restored instance appends a suffix, `restoredIdentifier`). */
  readonly identifier: string;
  /**
   * Engine, class, storage, Multi-AZ, backups, protection, Performance Insights, secret rotation, and the snapshot to
   * restore from (`restoreFromSnapshot`).
   */
  readonly config: Omit<DatabaseConfig, "cleanup">;
  /** Private subnets of the subnet group. */
  readonly subnetIds: string[];
  /** Security group of the instance. */
  readonly securityGroupId: string;
  /** Encrypts storage, the master secret and Performance Insights. */
  readonly kmsKeyArn: string;
  /** Encrypts the exported log groups. */
  readonly logsKmsKeyArn: string;
  /** Retention of the exported log groups. */
  readonly logRetentionDays: number;
  /** ARNs of the environment's account and region (the monitoring role). */
  readonly arns: ArnBuilder;
}

/** What every instance of the database shares: subnet and parameter groups, the monitoring role and its policy. */
interface InstanceParts {
  readonly subnetGroupName: string;
  readonly parameterGroupName: string;
  readonly monitoringRoleArn: string;
  readonly monitoringPolicy: IamRolePolicy;
}

/**
 * The Airflow metadata database: RDS PostgreSQL in private subnets, encrypted, TLS-only, with the master password
 * generated and held by RDS in Secrets Manager (never in Terraform) and rotated on a schedule, automated backups,
 * log exports, enhanced monitoring, and Performance Insights, Multi-AZ and deletion protection per environment.
 *
 * With `restoreFromSnapshot` the instance is a new one, restored from that snapshot under `restoredIdentifier` at a
 * Terraform address of its own; the original instance and its log groups are dropped from the state (`removed`
 * blocks, not destroyed), so the old database keeps running, with its deletion protection, until an operator deletes
 * it (README "Upgrades and restore").
 */
export class MetadataDatabase extends Construct {
  /** The RDS instance (the restored one when restoring). */
  readonly instance: DbInstance;
  /** ARN of the RDS-managed master secret (JSON: username, password). */
  readonly masterSecretArn: string;
  /** While restoring: the original instance and its log groups, which the state forgets. */
  readonly forgotten: readonly ForgottenResource[];

  constructor(scope: Construct, id: string, props: MetadataDatabaseProps) {
    super(scope, id);
    const { config, identifier, arns } = props;
    const major = config.engineVersion.split(".")[0];

    const subnets = new DbSubnetGroup(this, "subnets", { name: identifier, subnetIds: props.subnetIds, description: `Private subnets of ${identifier}` });
    const parameters = new DbParameterGroup(this, "parameters", {
      name: `${identifier}-postgres${major}`,
      family: `postgres${major}`,
      description: `TLS-only, slow-statement logging for ${identifier}`,
      parameter: Object.entries(DATABASE_PARAMETERS).map(([name, value]) => ({ name, value, applyMethod: "immediate" })),
      lifecycle: { createBeforeDestroy: true },
    });

    const monitoring = new IamRole(this, "monitoring-role", {
      name: `${identifier}-monitoring`,
      assumeRolePolicy: serviceTrustPolicy([arns.servicePrincipal("monitoring.rds")], arns.account),
    });
    const monitoringPolicy = new IamRolePolicy(this, "monitoring-policy", {
      name: "enhanced-monitoring",
      role: monitoring.id,
      // AmazonRDSEnhancedMonitoringRole, scoped to this account and region.
      policy: policyJson([
        { sid: "CreateMonitoringLogGroup", actions: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], resources: [arns.of("logs", "log-group:RDS*")] },
        {
          sid: "WriteMonitoringLogs",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
          resources: [arns.of("logs", "log-group:RDS*:log-stream:*")],
        },
      ]),
    });

    const parts: InstanceParts = {
      subnetGroupName: subnets.name,
      parameterGroupName: parameters.name,
      monitoringRoleArn: monitoring.arn,
      monitoringPolicy,
    };
    const snapshot = config.restoreFromSnapshot;
    if (snapshot) {
      // Where the original sat: the same ids, so each `removed` block names the address the state holds.
      this.forgotten = [
        ...DATABASE_LOG_EXPORTS.map((type) => new ForgottenResource(this, `logs-${type}`, "aws_cloudwatch_log_group")),
        new ForgottenResource(this, "instance", "aws_db_instance"),
      ];
      this.instance = this.createInstance("restored-", restoredIdentifier(identifier, snapshot), props, parts);
    } else {
      this.forgotten = [];
      this.instance = this.createInstance("", identifier, props, parts);
    }
    this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;

    // RDS rotates its managed secret every 7 days by default; services read the secret at task start, so rotation
    // runs on the configured schedule and the operations stack redeploys the services after each rotation.
    new SecretsmanagerSecretRotation(this, "master-secret-rotation", {
      secretId: this.masterSecretArn,
      rotateImmediately: false,
      rotationRules: { automaticallyAfterDays: config.masterSecretRotationDays },
    });
  }

  /**
   * The instance and its export log groups, under construct ids starting with `idPrefix` (empty for the original,
   * `restored-` for a restore, so each sits at a Terraform address of its own).
   */
  private createInstance(idPrefix: string, identifier: string, props: MetadataDatabaseProps, parts: InstanceParts): DbInstance {
    const { config } = props;
    // RDS creates its export log groups without retention or encryption; creating them first sets both.
    const logGroups = DATABASE_LOG_EXPORTS.map(
      (type) =>
        new CloudwatchLogGroup(this, `${idPrefix}logs-${type}`, {
          name: `/aws/rds/instance/${identifier}/${type}`,
          retentionInDays: props.logRetentionDays,
          kmsKeyId: props.logsKmsKeyArn,
        }),
    );
    return new DbInstance(this, `${idPrefix}instance`, {
      identifier,
      // A restore takes engine, storage, encryption key, database and master user from the snapshot.
      snapshotIdentifier: config.restoreFromSnapshot,
      engine: "postgres",
      engineVersion: config.engineVersion,
      instanceClass: config.instanceClass,
      allocatedStorage: config.allocatedStorageGb,
      maxAllocatedStorage: config.maxAllocatedStorageGb,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      dbName: DATABASE_NAME,
      username: MASTER_USERNAME,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      port: PORTS.postgres,
      dbSubnetGroupName: parts.subnetGroupName,
      vpcSecurityGroupIds: [props.securityGroupId],
      publiclyAccessible: false,
      multiAz: config.multiAz,
      parameterGroupName: parts.parameterGroupName,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      backupRetentionPeriod: config.backupRetentionDays,
      backupWindow: "02:00-03:00",
      maintenanceWindow: "sun:03:30-sun:04:30",
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      applyImmediately: false,
      deletionProtection: config.deletionProtection,
      skipFinalSnapshot: !config.deletionProtection,
      finalSnapshotIdentifier: config.deletionProtection ? `${identifier}-final` : undefined,
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: [...DATABASE_LOG_EXPORTS],
      performanceInsightsEnabled: config.performanceInsights,
      performanceInsightsKmsKeyId: config.performanceInsights ? props.kmsKeyArn : undefined,
      performanceInsightsRetentionPeriod: config.performanceInsights ? 7 : undefined,
      monitoringInterval: 60,
      monitoringRoleArn: parts.monitoringRoleArn,
      // RDS checks the monitoring role's permissions when it creates the instance (AIRFLOW_ORDER_RDS_MONITORING_ROLE).
      dependsOn: [...logGroups, parts.monitoringPolicy],
    });
  }

  /** The DB instance identifier (alarm and dashboard dimension). */
  get identifier(): string {
    return this.instance.identifier;
  }

  /** Hostname clients connect to. */
  get address(): string {
    return this.instance.address;
  }

  get port(): number {
    return this.instance.port;
  }

  /** The Airflow database. */
  get databaseName(): string {
    return this.instance.dbName;
  }
}
