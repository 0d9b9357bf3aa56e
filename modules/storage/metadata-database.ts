import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Construct } from "constructs";
import type { DatabaseConfig } from "../../config/schema";
import type { ArnBuilder } from "../core/arn";
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

export interface MetadataDatabaseProps {
  /** DB identifier, e.g. `airflow-prod-metadata`. */
  readonly identifier: string;
  /** Engine, class, storage, Multi-AZ, backups, protection, Performance Insights, secret rotation. */
  readonly config: DatabaseConfig;
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

/**
 * The Airflow metadata database: RDS PostgreSQL in private subnets, encrypted, TLS-only, with the master password
 * generated and held by RDS in Secrets Manager (never in Terraform) and rotated on a schedule, automated backups,
 * log exports, enhanced monitoring, and Performance Insights, Multi-AZ and deletion protection per environment.
 */
export class MetadataDatabase extends Construct {
  /** The RDS instance. */
  readonly instance: DbInstance;
  /** ARN of the RDS-managed master secret (JSON: username, password). */
  readonly masterSecretArn: string;

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
    // RDS creates its export log groups without retention or encryption; creating them first sets both.
    const logGroups = DATABASE_LOG_EXPORTS.map(
      (type) =>
        new CloudwatchLogGroup(this, `logs-${type}`, {
          name: `/aws/rds/instance/${identifier}/${type}`,
          retentionInDays: props.logRetentionDays,
          kmsKeyId: props.logsKmsKeyArn,
        }),
    );

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

    this.instance = new DbInstance(this, "instance", {
      identifier,
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
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [props.securityGroupId],
      publiclyAccessible: false,
      multiAz: config.multiAz,
      parameterGroupName: parameters.name,
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
      monitoringRoleArn: monitoring.arn,
      // RDS checks the monitoring role's permissions when it creates the instance (AIRFLOW_ORDER_RDS_MONITORING_ROLE).
      dependsOn: [...logGroups, monitoringPolicy],
    });
    this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;

    // RDS rotates its managed secret every 7 days by default; services read the secret at task start, so rotation
    // runs on the configured schedule and the operations stack redeploys the services after each rotation.
    new SecretsmanagerSecretRotation(this, "master-secret-rotation", {
      secretId: this.masterSecretArn,
      rotateImmediately: false,
      rotationRules: { automaticallyAfterDays: config.masterSecretRotationDays },
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
