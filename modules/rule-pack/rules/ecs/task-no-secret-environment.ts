import { containerName, containersOf } from "../../container-definitions";
import { defineRule } from "../../rule";
import { isSecretLookingName, literalSecretIn } from "../../secret-patterns";

/** Project rule over Trivy AVD-AWS-0036 and cdk-nag AwsSolutions-ECS2 (which rejects every environment variable). */
export const taskNoSecretEnvironment = defineRule({
  id: "AIRFLOW_ECS_NO_SECRET_ENVIRONMENT",
  aliases: ["AVD-AWS-0036", "AwsSolutions-ECS2"],
  title: "Secrets come through `secrets`, never `environment`",
  rationale:
    "Plain environment values are readable by anyone with ecs:DescribeTaskDefinition and sit in the Terraform state; secrets must be Secrets Manager references.",
  resourceTypes: ["aws_ecs_task_definition"],
  check: (task) =>
    containersOf(task).flatMap((c, i) =>
      (c.environment ?? []).flatMap((variable) => {
        const name = String(variable.name ?? "");
        const problems: string[] = [];
        if (isSecretLookingName(name)) problems.push(`${containerName(c, i)}: environment ${name} looks secret; inject it through "secrets" (valueFrom)`);
        const leaked = typeof variable.value === "string" ? literalSecretIn(variable.value) : undefined;
        if (leaked) problems.push(`${containerName(c, i)}: environment ${name} contains ${leaked}`);
        return problems;
      }),
    ),
});
