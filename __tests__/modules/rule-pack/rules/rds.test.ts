import { DbInstance, type DbInstanceConfig } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import type { TerraformStack } from "cdktf";
import { rdsBackupRetention } from "../../../../modules/rule-pack/rules/rds/backup-retention";
import { rdsDeletionProtection } from "../../../../modules/rule-pack/rules/rds/deletion-protection";
import { rdsForceSsl } from "../../../../modules/rule-pack/rules/rds/force-ssl";
import { rdsLogExports } from "../../../../modules/rule-pack/rules/rds/log-exports";
import { rdsMultiAz } from "../../../../modules/rule-pack/rules/rds/multi-az";
import { rdsNotPublic } from "../../../../modules/rule-pack/rules/rds/not-public";
import { rdsPerformanceInsights } from "../../../../modules/rule-pack/rules/rds/performance-insights";
import { rdsStorageEncrypted } from "../../../../modules/rule-pack/rules/rds/storage-encrypted";
import { check, DEV, PROD } from "../support";

/** The project's production database settings. */
const production: DbInstanceConfig = {
  identifier: "airflow-prod-metadata",
  engine: "postgres",
  instanceClass: "db.m7g.large",
  storageEncrypted: true,
  publiclyAccessible: false,
  multiAz: true,
  deletionProtection: true,
  backupRetentionPeriod: 14,
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  performanceInsightsEnabled: true,
};
/** A bare instance: every optional setting left to AWS. */
const bare: DbInstanceConfig = { identifier: "db", engine: "postgres", instanceClass: "db.t4g.small" };
const db = (stack: TerraformStack, config: DbInstanceConfig) => new DbInstance(stack, "db", config);

describe("CKV_AWS_16 RDS storage encrypted", () => {
  test("Noncompliance 1: storage_encrypted not set", () => {
    // GIVEN a bare instance
    // THEN it is reported
    expect(check(rdsStorageEncrypted, (stack) => db(stack, bare))).toEqual([
      { rule: "CKV_AWS_16", address: "aws_db_instance.db", message: "storage_encrypted is not set; set true" },
    ]);
  });

  test("Compliance 1: encrypted", () => {
    // GIVEN storage_encrypted = true
    // THEN nothing is reported
    expect(check(rdsStorageEncrypted, (stack) => db(stack, production))).toEqual([]);
  });
});

describe("CKV_AWS_17 RDS not publicly accessible", () => {
  test("Noncompliance 1: publicly accessible", () => {
    // GIVEN publicly_accessible = true
    const findings = check(rdsNotPublic, (stack) => db(stack, { ...production, publiclyAccessible: true }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_17", address: "aws_db_instance.db", message: "publicly_accessible is true; set false" }]);
  });

  test("Compliance 1: private, explicitly or by default", () => {
    // GIVEN false and unset
    // THEN nothing is reported
    expect(check(rdsNotPublic, (stack) => db(stack, production))).toEqual([]);
    expect(check(rdsNotPublic, (stack) => db(stack, bare))).toEqual([]);
  });
});

describe("CKV_AWS_157 RDS Multi-AZ in production", () => {
  test("Noncompliance 1: single-AZ in production", () => {
    // GIVEN a production environment and multi_az = false
    const findings = check(rdsMultiAz, (stack) => db(stack, { ...production, multiAz: false }), PROD);
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_157", address: "aws_db_instance.db", message: "multi_az is false in a production environment; set true" }]);
  });

  test("Compliance 1: Multi-AZ in production, single-AZ in dev", () => {
    // GIVEN production Multi-AZ, and a bare dev instance
    // THEN nothing is reported
    expect(check(rdsMultiAz, (stack) => db(stack, production), PROD)).toEqual([]);
    expect(check(rdsMultiAz, (stack) => db(stack, bare), DEV)).toEqual([]);
  });
});

describe("CKV_AWS_293 RDS deletion protection in production", () => {
  test("Noncompliance 1: unprotected in production", () => {
    // GIVEN a bare production instance
    const findings = check(rdsDeletionProtection, (stack) => db(stack, bare), PROD);
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_293", address: "aws_db_instance.db", message: "deletion_protection is not set in a production environment; set true" },
    ]);
  });

  test("Compliance 1: protected in production, unprotected in dev", () => {
    // GIVEN both environments
    // THEN nothing is reported
    expect(check(rdsDeletionProtection, (stack) => db(stack, production), PROD)).toEqual([]);
    expect(check(rdsDeletionProtection, (stack) => db(stack, bare), DEV)).toEqual([]);
  });
});

describe("CKV_AWS_133 RDS backups (7+ days in production)", () => {
  test("Noncompliance 1: one day in production", () => {
    // GIVEN backup_retention_period = 1 in production
    const findings = check(rdsBackupRetention, (stack) => db(stack, { ...production, backupRetentionPeriod: 1 }), PROD);
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_133", address: "aws_db_instance.db", message: "backup_retention_period is 1; production keeps at least 7 days" },
    ]);
  });

  test("Noncompliance 2: backups off in dev", () => {
    // GIVEN backup_retention_period = 0 outside production
    const findings = check(rdsBackupRetention, (stack) => db(stack, { ...bare, backupRetentionPeriod: 0 }), DEV);
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_133", address: "aws_db_instance.db", message: "backup_retention_period is 0; keep at least 1 day" }]);
  });

  test("Compliance 1: 14 days in production, 1 day in dev", () => {
    // GIVEN the project's settings
    // THEN nothing is reported
    expect(check(rdsBackupRetention, (stack) => db(stack, production), PROD)).toEqual([]);
    expect(check(rdsBackupRetention, (stack) => db(stack, { ...bare, backupRetentionPeriod: 1 }), DEV)).toEqual([]);
  });
});

describe("CKV_AWS_129 RDS log exports", () => {
  test("Noncompliance 1: no log exports", () => {
    // GIVEN a bare instance
    // THEN it is reported
    expect(check(rdsLogExports, (stack) => db(stack, bare))).toEqual([
      { rule: "CKV_AWS_129", address: "aws_db_instance.db", message: "enabled_cloudwatch_logs_exports is empty; export the engine's logs to CloudWatch" },
    ]);
  });

  test("Noncompliance 2: PostgreSQL exporting only upgrade logs", () => {
    // GIVEN exports without the postgresql log
    const findings = check(rdsLogExports, (stack) => db(stack, { ...production, enabledCloudwatchLogsExports: ["upgrade"] }));
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual(['enabled_cloudwatch_logs_exports lacks "postgresql"']);
  });

  test("Compliance 1: postgresql and upgrade logs", () => {
    // GIVEN the project's exports
    // THEN nothing is reported
    expect(check(rdsLogExports, (stack) => db(stack, production))).toEqual([]);
  });
});

describe("CKV2_AWS_69 RDS forces TLS", () => {
  test("Noncompliance 1: the default parameter group", () => {
    // GIVEN no parameter_group_name
    // THEN it is reported
    expect(check(rdsForceSsl, (stack) => db(stack, production))).toEqual([
      {
        rule: "CKV2_AWS_69",
        address: "aws_db_instance.db",
        message: "no parameter_group_name: the default parameter group does not guarantee rds.force_ssl = 1",
      },
    ]);
  });

  test("Noncompliance 2: a group of the stack without rds.force_ssl", () => {
    // GIVEN a parameter group that only logs slow statements
    const findings = check(rdsForceSsl, (stack) => {
      const group = new DbParameterGroup(stack, "params", { family: "postgres17", parameter: [{ name: "log_min_duration_statement", value: "1000" }] });
      db(stack, { ...production, parameterGroupName: group.name });
    });
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual(["parameter group aws_db_parameter_group.params does not set rds.force_ssl = 1"]);
  });

  test("Noncompliance 3: a group from outside the stack", () => {
    // GIVEN a parameter group named literally but defined elsewhere
    const findings = check(rdsForceSsl, (stack) => db(stack, { ...production, parameterGroupName: "shared-postgres17" }));
    // THEN it cannot be verified and is reported
    expect(findings.map((f) => f.message)).toEqual(["parameter group shared-postgres17 is not in this stack, so rds.force_ssl = 1 cannot be verified"]);
  });

  test("Compliance 1: the stack's group sets rds.force_ssl = 1, by reference or by name", () => {
    // GIVEN two instances using a TLS-only group, one by reference, one by its literal name
    const findings = check(rdsForceSsl, (stack) => {
      const group = new DbParameterGroup(stack, "params", { name: "tls-only", family: "postgres17", parameter: [{ name: "rds.force_ssl", value: "1" }] });
      new DbInstance(stack, "a", { ...production, parameterGroupName: group.name });
      new DbInstance(stack, "b", { ...production, parameterGroupName: "tls-only" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_353 RDS Performance Insights in production", () => {
  test("Noncompliance 1: off in production", () => {
    // GIVEN a production instance without Performance Insights
    const findings = check(rdsPerformanceInsights, (stack) => db(stack, { ...production, performanceInsightsEnabled: false }), PROD);
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_353", address: "aws_db_instance.db", message: "performance_insights_enabled is false in a production environment; set true" },
    ]);
  });

  test("Compliance 1: on in production, off in dev", () => {
    // GIVEN both environments
    // THEN nothing is reported
    expect(check(rdsPerformanceInsights, (stack) => db(stack, production), PROD)).toEqual([]);
    expect(check(rdsPerformanceInsights, (stack) => db(stack, bare), DEV)).toEqual([]);
  });
});
