/** The data stores: the metadata database, the Celery broker, the DAG file system, and log retention. */
import type { DatabaseCleanupConfig, EnvironmentConfig } from "../schema";
import { logRetention } from "./common";
import { bool, derived, int, obj, oneOf, str } from "./language";

/** Production keeps a quarter of metadata history for audits and reruns; other environments a month. */
function cleanupRetentionDays(_cleanup: DatabaseCleanupConfig, config: EnvironmentConfig): number {
  return config.production ? 90 : 30;
}

/** The scheduled `airflow db clean` task (README "Database hygiene"). */
const cleanup = obj(
  {
    enabled: bool({ default: true, doc: "Run `airflow db clean` on the schedule." }),
    retentionDays: int(7, 3650, {
      derive: derived("90 in production, 30 elsewhere", cleanupRetentionDays),
      doc: "Rows older than this many days are deleted from every table `airflow db clean` may clean (the last DAG run of each DAG is kept).",
    }),
    schedule: str("an EventBridge Scheduler expression: cron(...) or rate(...)", {
      pattern: /^(cron\([^()]+\)|rate\(\d+ (hour|hours|day|days)\))$/,
      default: "cron(45 4 * * ? *)",
      doc: "When it runs (UTC); the default is daily at 04:45, after the backup and maintenance windows. One run never overlaps another (a database lock).",
    }),
    archive: oneOf(["none", "last-run"], {
      default: "none",
      doc: "`none`: deleted rows are gone (`--skip-archive`); `last-run`: they are kept in `_airflow_deleted__*` archive tables until the next run drops them.",
    }),
    batchSize: int(100, 1000000, { default: 10000, doc: "Rows deleted per transaction (`--batch-size`), which bounds lock time and WAL per statement." }),
    timeoutMinutes: int(10, 720, { default: 240, doc: "A run still going after this long is stopped; it then counts as failed and notifies the alarm topic." }),
  },
  { default: {}, doc: "Metadata database hygiene: a scheduled `airflow db clean` ECS task." },
);

const database = obj(
  {
    engineVersion: str("a PostgreSQL 16 or 17 version such as 16.8 or 17.4", {
      pattern: /^1[67](\.\d{1,2})?$/,
      doc: "PostgreSQL major or major.minor version, e.g. `16.8`; auto minor upgrades stay on.",
    }),
    instanceClass: str("an RDS instance class such as db.t4g.medium", {
      pattern: /^db\.[a-z0-9]+\.[a-z0-9]+$/,
      doc: "RDS instance class, e.g. `db.t4g.medium`, `db.m7g.large`.",
    }),
    allocatedStorageGb: int(20, 65536, { doc: "Initial storage, in GiB." }),
    maxAllocatedStorageGb: int(20, 65536, { doc: "Storage autoscaling ceiling, in GiB; must be >= allocatedStorageGb." }),
    multiAz: bool({ doc: "A standby in a second AZ with automatic failover." }),
    backupRetentionDays: int(1, 35, { doc: "Days of automated backups; production needs >= 7." }),
    deletionProtection: bool({ doc: "Refuse deletion; also controls the final snapshot on delete." }),
    performanceInsights: bool({ doc: "RDS Performance Insights." }),
    masterSecretRotationDays: int(1, 365, {
      default: 30,
      doc: "Rotation period of the RDS-managed master secret (services are redeployed after each rotation, see README).",
    }),
    sqlAlchemyPoolSize: int(1, 50, { default: 5, doc: "Ceiling for SQLAlchemy pool connections per Airflow process; see README sizing notes." }),
    cleanup,
    restoreFromSnapshot: str("an RDS snapshot identifier: a letter, then letters, digits and single hyphens, up to 255 characters", {
      pattern: /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$/,
      optional: true,
      doc: 'Restore the database from this manual snapshot into a new instance (the current one is left running, outside Terraform); set by `npm run restore`, see README "Upgrades and restore".',
    }),
  },
  { doc: "The Airflow metadata database (RDS PostgreSQL)." },
);

const redis = obj(
  {
    engineVersion: oneOf(["6.2", "7.0", "7.1"], { allowed: "a Redis OSS version ElastiCache offers: 6.2, 7.0 or 7.1", doc: "Redis OSS engine version." }),
    nodeType: str("an ElastiCache node type such as cache.t4g.small", {
      pattern: /^cache\.[a-z0-9]+\.[a-z0-9]+$/,
      doc: "ElastiCache node type, e.g. `cache.t4g.small`.",
    }),
    nodeCount: int(1, 6, { doc: "Cache nodes in the replication group (1 = no replica; >= 2 enables Multi-AZ automatic failover)." }),
    snapshotRetentionDays: int(0, 35, { doc: "Days of daily snapshots; 0 disables them." }),
  },
  { doc: "The Celery broker (ElastiCache Redis OSS)." },
);

export const storage = obj(
  {
    database,
    redis,
    efs: obj(
      { throughputMode: oneOf(["elastic", "bursting"], { default: "elastic", doc: "EFS throughput mode of the DAG file system." }) },
      { default: {}, doc: "The EFS file system holding EFS DAG bundles." },
    ),
    taskLogExpirationDays: int(1, 3650, { doc: "Days after which task-log objects expire in the task-log bucket." }),
    albLogExpirationDays: int(1, 3650, { default: 90, doc: "Days after which ALB access logs expire." }),
    logRetentionDays: logRetention({ doc: "CloudWatch Logs retention for component log groups, in days." }),
  },
  { doc: "Data stores and log retention." },
);
