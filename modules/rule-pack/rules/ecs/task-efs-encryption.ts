import { defineRule } from "../../rule";
import { block, blocks, literalString } from "../../values";

/** Checkov CKV_AWS_97 (Trivy AVD-AWS-0035), plus IAM authorization through an access point. */
export const taskEfsEncryption = defineRule({
  id: "CKV_AWS_97",
  aliases: ["AVD-AWS-0035"],
  title: "EFS volumes: TLS and IAM authorization",
  rationale: "DAG files must travel over TLS, and mounts must be authorized by the task role through an access point, not by network reachability.",
  resourceTypes: ["aws_ecs_task_definition"],
  check: (task) =>
    blocks(task.get("volume")).flatMap((volume) => {
      const efs = block(volume.efs_volume_configuration);
      if (!efs) return [];
      const name = `EFS volume "${String(volume.name ?? "?")}"`;
      const auth = block(efs.authorization_config);
      const problems: string[] = [];
      if (literalString(efs.transit_encryption) !== "ENABLED") problems.push(`${name} does not enable transit_encryption`);
      if (literalString(auth?.iam) !== "ENABLED") problems.push(`${name} does not enable IAM authorization (authorization_config.iam)`);
      if (auth?.access_point_id === undefined) problems.push(`${name} mounts without an access point (authorization_config.access_point_id)`);
      return problems;
    }),
});
