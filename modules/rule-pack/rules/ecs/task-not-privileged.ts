import { containerName, containersOf } from "../../container-definitions";
import { defineRule } from "../../rule";

/** Checkov CKV_AWS_334, decoded from container_definitions (Checkov reads `privilege` and never decodes the JSON). */
export const taskNotPrivileged = defineRule({
  id: "CKV_AWS_334",
  title: "Containers are not privileged",
  rationale: "A privileged container is root on the host: every task, the instance role and the ECS agent are one escape away.",
  resourceTypes: ["aws_ecs_task_definition"],
  check: (task) =>
    containersOf(task)
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.privileged === true)
      .map(({ c, i }) => `${containerName(c, i)} runs privileged`),
});
