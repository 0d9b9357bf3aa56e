import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";

/** Checkov CKV_AWS_293 (cdk-nag AwsSolutions-RDS10, Trivy AVD-AWS-0177), production environments only. */
export const rdsDeletionProtection = defineRule({
  id: "CKV_AWS_293",
  aliases: ["AwsSolutions-RDS10", "AVD-AWS-0177"],
  title: "RDS deletion protection in production",
  rationale: "A destroy or replacing change must not be able to delete the production metadata database.",
  resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
  check: (db, stack) =>
    !stack.production || isTrue(db.get("deletion_protection"))
      ? undefined
      : `deletion_protection is ${show(db.get("deletion_protection"))} in a production environment; set true`,
});
