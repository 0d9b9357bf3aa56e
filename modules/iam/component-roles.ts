import { Construct } from "constructs";
import type { AuthConfig, DagBundleConfig, WorkerPoolConfig } from "../../config/schema";
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import {
  executionRoleName,
  platformRolePermissions,
  TASK_ROLE_COMPONENTS,
  taskRolePermissions,
  type AirflowDataAccess,
  type RolePermissions,
  taskRoleName,
  type TaskRoleComponent,
} from "./component-permissions";
import { poolsWithTaskRoles, workerPoolPermissions } from "./pool-grants";
import { serviceTrustPolicy } from "./policy-document";
import { ServiceRole } from "./service-role";

export interface ComponentRolesProps {
  /** Names of the environment: role names, and the cluster, log groups, secrets and functions grants name. */
  readonly naming: Naming;
  /** ARNs of the environment's account and region. */
  readonly arns: ArnBuilder;
  /** The data resources the roles reach (the storage contract). */
  readonly data: AirflowDataAccess;
  /** The environment's DAG bundles: S3 prefixes the DAG readers may read, Git credentials the execution role injects. */
  readonly bundles: readonly DagBundleConfig[];
  /**
   * Secrets the environment's own Airflow options reference, which the execution role injects.
   * @default none
   */
  readonly optionSecretArns?: readonly string[];
  /**
   * How people sign in: with OIDC, the execution role may read the client secret it injects into the api-server.
   * @default - no sign-in secret (FAB passwords)
   */
  readonly auth?: AuthConfig;
  /**
   * The worker pools: each one declaring a `taskRole` gets a role of its own, the worker's permissions plus its grants.
   * @default - none: every pool runs with the worker task role
   */
  readonly workerPools?: readonly WorkerPoolConfig[];
  /** Workers and the dag-processor publish task failures to the environment's topic (`alarms.taskFailureNotifications`). */
  readonly taskFailureNotifications: boolean;
}

/**
 * The IAM role of every component that runs in the environment, each with only what it does
 * (`taskRolePermissions`, `platformRolePermissions`): the ECS task execution role, one task role per Airflow
 * component, the container-instance and bastion roles (with instance profiles), and the roles of the operations
 * Lambdas. Every trust names only the needed service principal, limited to this account.
 */
export class ComponentRoles extends Construct {
  /** ECS task execution: pulls the image, writes container logs, injects the task secrets. */
  readonly taskExecution: ServiceRole;
  /** One task role per component (`TASK_ROLE_COMPONENTS`). */
  readonly taskRoles: Readonly<Record<TaskRoleComponent, ServiceRole>>;
  /** The own task role of each worker pool that declares one, by pool name (`<prefix>-<env>-worker-<pool>-task`). */
  readonly workerPoolTaskRoles: Readonly<Record<string, ServiceRole>>;
  /** The ECS container instances (with an instance profile). */
  readonly containerInstance: ServiceRole;
  /** The SSM-only bastion (with an instance profile). */
  readonly bastion: ServiceRole;
  /** The queue-depth publisher Lambda. */
  readonly publisher: ServiceRole;
  /** The Lambda that redeploys the services after the database secret rotates. */
  readonly redeployer: ServiceRole;
  /** EventBridge Scheduler starting the db-clean task. */
  readonly dbCleanScheduler: ServiceRole;

  constructor(scope: Construct, id: string, props: ComponentRolesProps) {
    super(scope, id);
    const { naming, arns } = props;
    const ecsTasksTrust = serviceTrustPolicy([arns.servicePrincipal("ecs-tasks")], arns.account, [
      { test: "ArnLike", variable: "aws:SourceArn", values: [arns.of("ecs", "*")] },
    ]);
    // EC2 does not send aws:SourceAccount when it assumes an instance role, so the trust names the principal alone.
    const ec2Trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "TrustedServices", Effect: "Allow", Principal: { Service: [arns.servicePrincipal("ec2")] }, Action: ["sts:AssumeRole"] }],
    });
    const lambdaTrust = serviceTrustPolicy([arns.servicePrincipal("lambda")], arns.account);
    const platform = platformRolePermissions(props);
    type Permissions = RolePermissions & { readonly managedPolicyArns?: readonly string[] };
    const role = (id: string, name: string, assumeRolePolicy: string, permissions: Permissions, instanceProfile?: boolean) =>
      new ServiceRole(this, id, { name, assumeRolePolicy, ...permissions, instanceProfile });

    this.taskExecution = role("task-execution", executionRoleName(naming), ecsTasksTrust, platform.taskExecution);
    const tasks = taskRolePermissions(props);
    const taskRoles = {} as Record<TaskRoleComponent, ServiceRole>;
    for (const component of TASK_ROLE_COMPONENTS) {
      taskRoles[component] = role(`${component.replace(/_/g, "-")}-task`, taskRoleName(naming, component), ecsTasksTrust, tasks[component]);
    }
    this.taskRoles = taskRoles;
    this.workerPoolTaskRoles = Object.fromEntries(
      poolsWithTaskRoles(props.workerPools ?? []).map((pool) => {
        const part = `worker-${pool.name}-task`;
        return [pool.name, role(part, naming.name(part), ecsTasksTrust, workerPoolPermissions(tasks.worker, arns, pool))];
      }),
    );
    this.containerInstance = role("container-instance", naming.name("container-instance"), ec2Trust, platform.containerInstance, true);
    this.bastion = role("bastion", naming.name("bastion"), ec2Trust, platform.bastion, true);
    this.publisher = role("queue-depth-publisher", naming.lambdas.publisher, lambdaTrust, platform.publisher);
    this.redeployer = role("service-redeployer", naming.lambdas.redeployer, lambdaTrust, platform.redeployer);
    const schedulerTrust = serviceTrustPolicy([arns.servicePrincipal("scheduler")], arns.account);
    this.dbCleanScheduler = role("db-clean-scheduler", naming.dbClean.schedulerRole, schedulerTrust, platform.dbCleanScheduler);
  }

  /** The task role of a component. */
  taskRole(component: TaskRoleComponent): ServiceRole {
    return this.taskRoles[component];
  }
}
