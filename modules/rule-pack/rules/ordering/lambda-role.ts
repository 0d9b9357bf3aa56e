import { defineRule } from "../../rule";
import { missingPrerequisites, ROLE_PERMISSION_TYPES, rolePermissions } from "./dependencies";

/** A Lambda function is created only after its execution role carries its permissions. */
export const orderLambdaRole = defineRule({
  id: "AIRFLOW_ORDER_LAMBDA_ROLE",
  title: "Lambda function after its role's policies",
  rationale:
    'CreateFunction checks the execution role: "does not have permissions to call CreateNetworkInterface on EC2" for a function in a VPC, "SendMessage on SQS" for a dead-letter queue; the role\'s policies must be attached first.',
  resourceTypes: ["aws_lambda_function"],
  companions: ["aws_iam_role", ...ROLE_PERMISSION_TYPES],
  check: (fn, stack) => missingPrerequisites(stack, fn, rolePermissions(stack, fn.get("role"), "the execution role")),
});
