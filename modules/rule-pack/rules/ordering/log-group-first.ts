import type { ResourceView } from "../../resource-view";
import { defineRule } from "../../rule";
import type { StackContext } from "../../stack-context";
import { block, literalString, strings } from "../../values";
import { containersOf } from "../../container-definitions";
import { missingPrerequisites, namedResource, type Prerequisite } from "./dependencies";

const group = (stack: StackContext, name: unknown, role: string): Prerequisite[] => {
  const found = namedResource(stack, ["aws_cloudwatch_log_group"], name, ["name"]);
  return found ? [{ resource: found, role }] : [];
};

/** The log groups each type writes to, by name: the ones the service would otherwise create or miss. */
const LOG_GROUPS: Readonly<Record<string, (resource: ResourceView, stack: StackContext) => Prerequisite[]>> = {
  aws_lambda_function: (fn, stack) => {
    const configured = block(fn.get("logging_config"))?.log_group;
    const name = configured ?? (literalString(fn.get("function_name")) ? `/aws/lambda/${literalString(fn.get("function_name"))}` : undefined);
    return group(stack, name, "its log group");
  },
  aws_db_instance: (instance, stack) => {
    const identifier = literalString(instance.get("identifier"));
    if (identifier === undefined) return [];
    return strings(instance.get("enabled_cloudwatch_logs_exports")).flatMap((type) =>
      group(stack, `/aws/rds/instance/${identifier}/${type}`, `the ${type} export log group`),
    );
  },
  aws_ecs_task_definition: (task, stack) =>
    containersOf(task).flatMap((container) => {
      const options = container.logConfiguration?.options;
      return container.logConfiguration?.logDriver === "awslogs"
        ? group(stack, options?.["awslogs-group"], `the awslogs group of ${String(container.name)}`)
        : [];
    }),
};

/** A resource that writes to a CloudWatch log group is created after the log group this stack manages for it. */
export const orderLogGroupFirst = defineRule({
  id: "AIRFLOW_ORDER_LOG_GROUP_FIRST",
  title: "Log group before the function, database or task writing to it",
  rationale:
    "Lambda and RDS create a missing log group themselves, without retention or KMS key, and Terraform's create then fails with ResourceAlreadyExistsException; ECS tasks cannot start without their awslogs group.",
  resourceTypes: Object.keys(LOG_GROUPS),
  companions: ["aws_cloudwatch_log_group"],
  check: (resource, stack) => missingPrerequisites(stack, resource, LOG_GROUPS[resource.type](resource, stack)),
});
