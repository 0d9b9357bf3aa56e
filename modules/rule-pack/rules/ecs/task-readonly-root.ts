import { containerName, containersOf } from "../../container-definitions";
import { defineRule } from "../../rule";

/** Checkov CKV_AWS_336, decoded from container_definitions (Checkov's terraform_json runner passes it unread). */
export const taskReadonlyRoot = defineRule({
  id: "CKV_AWS_336",
  title: "Read-only root filesystem",
  rationale: "A read-only root stops an intruder from dropping tools or altering the image; scratch space comes from explicit volumes.",
  resourceTypes: ["aws_ecs_task_definition"],
  check: (task) =>
    containersOf(task)
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.readonlyRootFilesystem !== true)
      .map(({ c, i }) => `${containerName(c, i)} has a writable root filesystem (readonlyRootFilesystem is not true)`),
});
