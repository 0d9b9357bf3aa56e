import { defineRule } from "../../rule";
import { block, literalString } from "../../values";

/** Checkov CKV2_AWS_18 (met here with the file system's automatic backup policy). */
export const efsBackupPolicy = defineRule({
  id: "CKV2_AWS_18",
  title: "EFS backups",
  rationale: "A bad DAG sync or an operator's rm must be recoverable; AWS Backup keeps daily recovery points of the file system.",
  resourceTypes: ["aws_efs_file_system"],
  companions: ["aws_efs_backup_policy"],
  check: (fs, stack) => {
    const policies = stack.referrers("aws_efs_backup_policy", "file_system_id", fs);
    if (policies.length === 0) return "no aws_efs_backup_policy in this stack backs the file system up";
    return policies.some((p) => literalString(block(p.get("backup_policy"))?.status) === "ENABLED") ? undefined : 'the backup policy status is not "ENABLED"';
  },
});
