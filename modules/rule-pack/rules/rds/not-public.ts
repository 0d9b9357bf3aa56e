import { defineRule } from "../../rule";
import { isFalse, show } from "../../values";

/** Checkov CKV_AWS_17 (Trivy AVD-AWS-0180). */
export const rdsNotPublic = defineRule({
  id: "CKV_AWS_17",
  aliases: ["AVD-AWS-0180"],
  title: "RDS not publicly accessible",
  rationale: "A public endpoint puts the database's password prompt on the internet; it is reached from the tasks and the bastion only.",
  resourceTypes: ["aws_db_instance"],
  check: (db) => {
    const value = db.get("publicly_accessible");
    return value === undefined || isFalse(value) ? undefined : `publicly_accessible is ${show(value)}; set false`;
  },
});
