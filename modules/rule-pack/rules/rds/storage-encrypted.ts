import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";

/** Checkov CKV_AWS_16 / CKV_AWS_96 (cdk-nag AwsSolutions-RDS2, Trivy AVD-AWS-0080). */
export const rdsStorageEncrypted = defineRule({
  id: "CKV_AWS_16",
  aliases: ["CKV_AWS_96", "AwsSolutions-RDS2", "AVD-AWS-0080"],
  title: "RDS storage encrypted",
  rationale: "The metadata database holds connections, variables and every DAG run; its storage, snapshots and replicas must be encrypted.",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  check: (db) => {
    // Cluster members inherit the cluster's encryption.
    if (db.type === "aws_db_instance" && db.get("replicate_source_db") !== undefined) return undefined;
    return isTrue(db.get("storage_encrypted")) ? undefined : `storage_encrypted is ${show(db.get("storage_encrypted"))}; set true`;
  },
});
