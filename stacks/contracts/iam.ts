import { defineContract, output, type OutputSpec } from "../../modules/core/contract";

/** Components with a task role of their own. */
export const TASK_ROLE_COMPONENTS = ["api_server", "scheduler", "dag_processor", "triggerer", "worker", "flower", "migrate", "cadvisor", "dag_sync"] as const;
export type TaskRoleComponent = (typeof TASK_ROLE_COMPONENTS)[number];

const taskRoleOutputs = Object.fromEntries(
  TASK_ROLE_COMPONENTS.map((component) => [`${component}_task_role_arn`, output.string(`Task role of the ${component.replace(/_/g, "-")} containers`)]),
) as Record<`${TaskRoleComponent}_task_role_arn`, OutputSpec<"string">>;

/** What the IAM stack publishes: the ARN of every role and instance profile later stacks attach. */
export const iamContract = defineContract("iam", {
  task_execution_role_arn: output.string("ECS task execution role: pulls the image, writes logs, injects the task secrets"),
  ...taskRoleOutputs,
  container_instance_role_arn: output.string("Role of the ECS container instances"),
  container_instance_profile_arn: output.string("Instance profile of the ECS container instances"),
  bastion_instance_profile_arn: output.string("Instance profile of the SSM-only bastion"),
  publisher_lambda_role_arn: output.string("Role of the queue-depth metric publisher Lambda"),
  redeployer_lambda_role_arn: output.string("Role of the Lambda that redeploys services after the database secret rotates"),
});

export type IamContract = typeof iamContract.outputs;
