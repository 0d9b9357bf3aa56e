import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";

/** Checkov CKV_AWS_42 (cdk-nag AwsSolutions-EFS1, Trivy AVD-AWS-0037). */
export const efsEncrypted = defineRule({
  id: "CKV_AWS_42",
  aliases: ["AwsSolutions-EFS1", "AVD-AWS-0037"],
  title: "EFS encrypted at rest",
  rationale: "DAG and plugin code often embeds connection details; the file system and its backups must be encrypted.",
  resourceTypes: ["aws_efs_file_system"],
  check: (fs) => (isTrue(fs.get("encrypted")) ? undefined : `encrypted is ${show(fs.get("encrypted"))}; set true`),
});
