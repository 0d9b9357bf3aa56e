import { defineRule } from "../../rule";

/** Checkov CKV_AWS_249. */
export const taskSeparateRoles = defineRule({
  id: "CKV_AWS_249",
  title: "Task role differs from execution role",
  rationale: "The execution role can pull images and read every task secret; application code must not inherit those rights.",
  resourceTypes: ["aws_ecs_task_definition"],
  check: (task, stack) => {
    const taskRole = task.get("task_role_arn");
    const executionRole = task.get("execution_role_arn");
    if (taskRole === undefined || executionRole === undefined) return undefined;
    return stack.resolve(taskRole) === stack.resolve(executionRole) ? "task_role_arn and execution_role_arn are the same role" : undefined;
  },
});
