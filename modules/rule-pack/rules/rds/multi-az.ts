import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";

/** Checkov CKV_AWS_157 (cdk-nag AwsSolutions-RDS3), production environments only. */
export const rdsMultiAz = defineRule({
  id: "CKV_AWS_157",
  aliases: ["AwsSolutions-RDS3"],
  title: "RDS Multi-AZ in production",
  rationale: "A single-AZ database stops every Airflow component until the AZ recovers or a restore finishes.",
  resourceTypes: ["aws_db_instance"],
  check: (db, stack) =>
    !stack.production || isTrue(db.get("multi_az")) ? undefined : `multi_az is ${show(db.get("multi_az"))} in a production environment; set true`,
});
