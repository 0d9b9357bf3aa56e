import { containerName, containersOf } from "../../container-definitions";
import { defineRule } from "../../rule";

/** cdk-nag AwsSolutions-ECS7: container logging, with the awslogs driver this project standardizes on. */
export const taskAwslogs = defineRule({
  id: "AwsSolutions-ECS7",
  title: "Every container logs through awslogs",
  rationale: "A container without a log driver leaves no trace in CloudWatch Logs, where the log metrics, alarms and retention live.",
  resourceTypes: ["aws_ecs_task_definition"],
  check: (task) =>
    containersOf(task).flatMap((c, i) => {
      const driver = c.logConfiguration?.logDriver;
      return driver === "awslogs"
        ? []
        : [`${containerName(c, i)} logs through ${driver === undefined ? "no log driver" : JSON.stringify(driver)}; use "awslogs"`];
    }),
});
