import { containerName, containersOf } from "../../container-definitions";
import { defineRule } from "../../rule";
import { isToken } from "../../values";

const ROOT = new Set(["0", "root"]);

/** Project rule (no public check): every container names a non-root user. */
export const taskNonRootUser = defineRule({
  id: "AIRFLOW_ECS_NON_ROOT_USER",
  title: "Containers run as a non-root user",
  rationale: "Root in a container is root on the host after any kernel or runtime escape; Airflow runs as uid 50000.",
  resourceTypes: ["aws_ecs_task_definition"],
  check: (task) =>
    containersOf(task).flatMap((c, i) => {
      const name = containerName(c, i);
      if (c.user === undefined || c.user === "") return [`${name} sets no user and runs as the image's default user (often root); set e.g. "50000:0"`];
      if (typeof c.user !== "string" || isToken(c.user)) return [`${name} has a user that is not a literal "uid:gid"`];
      return ROOT.has(c.user.split(":")[0].trim()) ? [`${name} runs as root (user "${c.user}")`] : [];
    }),
});
