import { Fn, Token } from "cdktf";
import type { WorkerPoolConfig } from "../../config/schema";
import { defineContract, output, type ContractValues, type OutputSpec } from "../../modules/core/contract";
import { TASK_ROLE_COMPONENTS, type TaskRoleComponent } from "../../modules/iam/component-permissions";

/** Components with a task role of their own (modules/iam/component-permissions.ts lists them with their permissions). */
export { TASK_ROLE_COMPONENTS, type TaskRoleComponent };

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
  worker_pool_task_role_arns: output.map("Own task role of each worker pool that declares one (workerPools[].taskRole), by pool name; empty when none does", {
    presentWhen: (config) => config.workerPools.some((pool) => pool.taskRole !== undefined),
  }),
  db_clean_scheduler_role_arn: output.string("Role EventBridge Scheduler starts the db-clean task with"),
});

export type IamContract = typeof iamContract.outputs;

/**
 * The task role a worker pool runs with: its own role (looked up by pool name, so a pool the IAM state does not know
 * yet fails the plan instead of running with another pool's role) or, without a declaration, the shared worker role.
 */
export function workerPoolTaskRoleArn(iam: ContractValues<IamContract>, pool: WorkerPoolConfig): string {
  return pool.taskRole ? Token.asString(Fn.lookup(iam.worker_pool_task_role_arns, pool.name)) : iam.worker_task_role_arn;
}
