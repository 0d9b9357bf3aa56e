import type { EnvironmentConfig } from "../../config/schema";
import { ArnBuilder } from "../../modules/core/arn";
import { defineContract, output, type OutputSpec } from "../../modules/core/contract";
import { Naming } from "../../modules/core/naming";

/** Components with a task role of their own. */
export const TASK_ROLE_COMPONENTS = ["api_server", "scheduler", "dag_processor", "triggerer", "worker", "flower", "migrate", "cadvisor", "dag_sync"] as const;
export type TaskRoleComponent = (typeof TASK_ROLE_COMPONENTS)[number];

const roleArn = (part: string) => (c: EnvironmentConfig) =>
  new ArnBuilder(c).of("iam", `role/${new Naming(c.namePrefix, c.name, c.account.id).name(part)}`, "");
const profileArn = (part: string) => (c: EnvironmentConfig) =>
  new ArnBuilder(c).of("iam", `instance-profile/${new Naming(c.namePrefix, c.name, c.account.id).name(part)}`, "");

const taskRoleOutputs = Object.fromEntries(
  TASK_ROLE_COMPONENTS.map((component) => [
    `${component}_task_role_arn`,
    output.string(`Task role of the ${component.replace(/_/g, "-")} containers`, roleArn(`${component.replace(/_/g, "-")}-task`)),
  ]),
) as Record<`${TaskRoleComponent}_task_role_arn`, OutputSpec<"string">>;

/** What the IAM stack publishes: the ARN of every role and instance profile later stacks attach. */
export const iamContract = defineContract("iam", {
  task_execution_role_arn: output.string("ECS task execution role: pulls the image, writes logs, injects the task secrets", roleArn("task-execution")),
  ...taskRoleOutputs,
  container_instance_role_arn: output.string("Role of the ECS container instances", roleArn("container-instance")),
  container_instance_profile_arn: output.string("Instance profile of the ECS container instances", profileArn("container-instance")),
  bastion_instance_profile_arn: output.string("Instance profile of the SSM-only bastion", profileArn("bastion")),
  publisher_lambda_role_arn: output.string("Role of the queue-depth metric publisher Lambda", roleArn("queue-depth-publisher")),
  redeployer_lambda_role_arn: output.string("Role of the Lambda that redeploys services after the database secret rotates", roleArn("service-redeployer")),
});

export type IamContract = typeof iamContract.outputs;
