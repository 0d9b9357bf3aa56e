import { Construct } from "constructs";
import type { WorkerPoolConfig } from "../../config/schema";
import { AirflowService, type AirflowServiceProps } from "./airflow-service";
import { RUNTIME_ENV } from "../../runtime/airflow-image";

/** Fargate's ceiling between SIGTERM and SIGKILL. */
export const FARGATE_MAX_STOP_TIMEOUT = 120;
/** Scale-in protection a busy worker sets, renewed while it runs tasks. */
export const TASK_PROTECTION_MINUTES = 60;

/** The Celery command of a pool: its queues and concurrency. */
export function workerCommand(pool: Pick<WorkerPoolConfig, "queues" | "concurrency">): string[] {
  return ["celery", "worker", "--queues", pool.queues.join(","), "--concurrency", String(pool.concurrency)];
}

export interface WorkerPoolProps extends Omit<
  AirflowServiceProps,
  "component" | "command" | "size" | "desiredCount" | "capacity" | "stopTimeout" | "autoscaled" | "waitForMigrations"
> {
  readonly pool: WorkerPoolConfig;
}

/**
 * A Celery worker pool: one ECS service consuming its queues with its own concurrency, size and capacity. Workers
 * shut down warm (DUMB_INIT_SETSID=0 lets running tasks finish), get the longest stop timeout the capacity allows
 * (Fargate: 120 s; EC2: the agent's ECS_CONTAINER_STOP_TIMEOUT), protect themselves from scale-in while busy, and
 * leave their desired count to the queue-depth autoscaling attached through `service.deployment.scalableTarget`.
 */
export class WorkerPool extends Construct {
  readonly service: AirflowService;
  readonly pool: WorkerPoolConfig;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const { pool, ...service } = props;
    this.pool = pool;
    this.service = new AirflowService(this, "service", {
      ...service,
      component: "worker",
      command: workerCommand(pool),
      size: { cpu: pool.cpu, memory: pool.memory },
      desiredCount: pool.minCount,
      capacity: pool.capacity,
      stopTimeout: pool.capacity === "ec2" ? undefined : FARGATE_MAX_STOP_TIMEOUT,
      // Workers use the database only as the Celery result backend; they need not wait for migrations.
      waitForMigrations: false,
      // Keep at least half the pool while a new revision rolls; busy workers stay protected.
      minimumHealthyPercent: 50,
      autoscaled: true,
      extraEnvironment: {
        ...props.extraEnvironment,
        [RUNTIME_ENV.workerPool]: pool.name,
        [RUNTIME_ENV.taskProtectionMinutes]: String(TASK_PROTECTION_MINUTES),
      },
    });
  }
}
