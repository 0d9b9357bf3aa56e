import type { AirflowConfig, ComponentConfig } from "../../config/schema";
import { PORTS } from "../../runtime/ports";
import type { Naming } from "../core/naming";
import type { AlbRoute } from "../alb/airflow-load-balancer";
import type { TaskRoleComponent } from "../iam/component-permissions";
import type { SecurityGroupRole } from "../network/security-groups";
import { RUNTIME_ENV, type Component } from "../../runtime/airflow-image";
import type { AirflowTaskProps } from "./airflow-task";

/** The api-server's name in the service-discovery namespace (workers reach the Execution API there). */
export const API_SERVER_DISCOVERY_NAME = "api-server";

/** The internal Execution API URL workers call: the api-server's service-discovery name. */
export function executionApiUrl(namespace: string): string {
  return `http://${API_SERVER_DISCOVERY_NAME}.${namespace}:${PORTS.apiServer}/execution/`;
}

/** The long-running Airflow components besides the worker pools: one ECS service each. */
export type CoreComponent = Exclude<Component, "worker" | "migrate" | "db-clean">;

/** How one core component runs as an ECS service: the row of the architecture diagram it stands for. */
export interface CoreComponentDefinition {
  /** The component: container and service name, settings, secrets and health check. */
  readonly component: CoreComponent;
  /** Airflow subcommand (the image's entrypoint prepends `airflow`). */
  readonly command: readonly string[];
  /** Security group (network contract role) its tasks run in. */
  readonly securityGroup: SecurityGroupRole;
  /** Task role (IAM contract component) its containers run with. */
  readonly taskRole: TaskRoleComponent;
  /** Seconds between SIGTERM and SIGKILL: how long it may take to finish in-flight work. */
  readonly stopTimeoutSeconds: number;
  /**
   * Start only after `airflow db check-migrations` succeeds.
   * @default true
   */
  readonly waitForMigrations?: boolean;
  /**
   * Served behind the ALB: which target group, on which container port, after which start-up grace period.
   * @default - not behind the ALB
   */
  readonly loadBalancer?: { readonly target: AlbRoute; readonly containerPort: number; readonly gracePeriodSeconds: number };
  /**
   * Registered in the service-discovery namespace under this name.
   * @default - not discoverable
   */
  readonly discoveryName?: string;
  /** Its size and count from the environment's `airflow` config; undefined when the environment does not run it. */
  readonly sizing: (airflow: AirflowConfig) => ComponentConfig | undefined;
}

/**
 * The core components, in the order the services stack creates and publishes them. The api-server gets 30 s to
 * drain (the ALB deregisters in 30 s); the scheduler, dag-processor and triggerer 60 s to hand off their work; Flower
 * holds no state and stops in 10 s.
 */
export const CORE_COMPONENTS: readonly CoreComponentDefinition[] = [
  {
    component: "api-server",
    command: ["api-server", "--proxy-headers"],
    securityGroup: "api_server",
    taskRole: "api_server",
    stopTimeoutSeconds: 30,
    loadBalancer: { target: "api", containerPort: PORTS.apiServer, gracePeriodSeconds: 180 },
    discoveryName: API_SERVER_DISCOVERY_NAME,
    sizing: (airflow) => airflow.apiServer,
  },
  {
    component: "scheduler",
    command: ["scheduler"],
    securityGroup: "services",
    taskRole: "scheduler",
    stopTimeoutSeconds: 60,
    sizing: (airflow) => airflow.scheduler,
  },
  {
    component: "dag-processor",
    command: ["dag-processor"],
    securityGroup: "services",
    taskRole: "dag_processor",
    stopTimeoutSeconds: 60,
    sizing: (airflow) => airflow.dagProcessor,
  },
  {
    component: "triggerer",
    command: ["triggerer"],
    securityGroup: "services",
    taskRole: "triggerer",
    stopTimeoutSeconds: 60,
    sizing: (airflow) => airflow.triggerer,
  },
  {
    component: "flower",
    command: ["celery", "flower"],
    securityGroup: "services",
    taskRole: "flower",
    // Flower talks to the broker only; the database is its result backend, migrations do not concern it.
    waitForMigrations: false,
    stopTimeoutSeconds: 10,
    // Only when Flower is exposed through the ALB does the ALB have a Flower target group.
    loadBalancer: { target: "flower", containerPort: PORTS.flower, gracePeriodSeconds: 120 },
    // One Flower is enough: it is a monitoring UI, not on any task's path.
    sizing: (airflow) => (airflow.flower.enabled ? { cpu: airflow.flower.cpu, memory: airflow.flower.memory, desiredCount: 1 } : undefined),
  },
];

/** What the one-off database tasks share: a small Fargate task with Fargate's longest stop timeout, so work is not cut short. */
const ONE_OFF_DATABASE_TASK = { size: { cpu: 512, memory: 1024 }, compatibility: "FARGATE", stopTimeout: 120 } as const;

/**
 * The one-off database migration task (`npm run migrate` runs it before the services roll): `airflow db migrate`,
 * without the migration gate it would wait on.
 */
export const MIGRATION_TASK = {
  ...ONE_OFF_DATABASE_TASK,
  component: "migrate",
  command: ["db", "migrate"],
  waitForMigrations: false,
} as const satisfies Partial<AirflowTaskProps>;

/** What the migration task records after migrating: where (the SSM parameter) and which image tag it ran. */
export function migrationRecordEnvironment(naming: Naming, imageTag: string): Readonly<Record<string, string>> {
  return { [RUNTIME_ENV.migrationRecordParameter]: naming.migrationRecordParameter, [RUNTIME_ENV.imageTag]: imageTag };
}

/**
 * The scheduled `airflow db clean` task (EventBridge Scheduler starts it; the image's db-clean.sh runs the clean
 * under a lock), only after migrations are applied (a clean never runs against a schema its image does not know).
 */
export const DB_CLEAN_TASK = {
  ...ONE_OFF_DATABASE_TASK,
  component: "db-clean",
  command: ["db", "clean"],
  waitForMigrations: true,
} as const satisfies Partial<AirflowTaskProps>;

/** The first admin the migration task creates when none exists (its password is the admin-password secret). */
export function firstAdminEnvironment(naming: Naming): Readonly<Record<string, string>> {
  return { [RUNTIME_ENV.adminUsername]: "admin", [RUNTIME_ENV.adminEmail]: `airflow-admin@${naming.base}.invalid` };
}
