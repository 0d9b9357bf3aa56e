import { defineRule } from "../../rule";
import { literalNumber, show } from "../../values";

/** Days of automated backups production keeps at least. */
export const PRODUCTION_BACKUP_DAYS = 7;

/** Checkov CKV_AWS_133 (cdk-nag AwsSolutions-RDS13, Trivy AVD-AWS-0077): backups everywhere, a week or more in production. */
export const rdsBackupRetention = defineRule({
  id: "CKV_AWS_133",
  aliases: ["AwsSolutions-RDS13", "AVD-AWS-0077"],
  title: "RDS backups (7+ days in production)",
  rationale: "Automated backups are the only way back from a bad migration or deleted data; production needs a week of restore points.",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  check: (db, stack) => {
    if (db.type === "aws_db_instance" && db.get("replicate_source_db") !== undefined) return undefined;
    const raw = db.get("backup_retention_period");
    const days = literalNumber(raw);
    const minimum = stack.production ? PRODUCTION_BACKUP_DAYS : 1;
    if (days !== undefined && days >= minimum) return undefined;
    return `backup_retention_period is ${show(raw)}; ${stack.production ? `production keeps at least ${PRODUCTION_BACKUP_DAYS} days` : "keep at least 1 day"}`;
  },
});
