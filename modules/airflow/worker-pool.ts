import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Construct } from "constructs";
import type { WorkerPoolConfig } from "../../config/schema";
import { runsOnContainerInstances } from "../../config/spot";
import type { OperatedService, ScalablePool } from "../operations/operated-resources";
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

/** A pool's service props: what every Airflow service takes, except what the pool's configuration decides. */
export interface WorkerPoolProps extends Omit<
  AirflowServiceProps,
  "component" | "shortName" | "command" | "size" | "desiredCount" | "capacity" | "stopTimeout" | "autoscaled" | "waitForMigrations"
> {
  /** The pool: name, queues, concurrency, size, capacity, minimum and maximum count. */
  readonly pool: WorkerPoolConfig;
}

/**
 * A Celery worker pool: one ECS service consuming its queues with its own concurrency, size and capacity. Workers
 * shut down warm (DUMB_INIT_SETSID=0 lets running tasks finish), get the longest stop timeout the capacity allows
 * (Fargate: 120 s; EC2: the agent's ECS_CONTAINER_STOP_TIMEOUT), protect themselves from scale-in while busy, and
 * leave their desired count to the queue-depth autoscaling attached to `scalableTarget`.
 */
export class WorkerPool extends Construct implements OperatedService, ScalablePool {
  /** The pool's ECS service (`worker-<pool>`). */
  readonly service: AirflowService;
  readonly pool: WorkerPoolConfig;
  readonly scalableTarget: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const { pool, ...service } = props;
    this.pool = pool;
    this.service = new AirflowService(this, "service", {
      ...service,
      component: "worker",
      shortName: `worker-${pool.name}`,
      command: workerCommand(pool),
      size: { cpu: pool.cpu, memory: pool.memory },
      desiredCount: pool.minCount,
      capacity: pool.capacity,
      stopTimeout: runsOnContainerInstances(pool.capacity) ? undefined : FARGATE_MAX_STOP_TIMEOUT,
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
    this.scalableTarget = this.service.deployment.scalableTarget(pool.minCount, pool.maxCount);
  }

  get shortName(): string {
    return this.service.shortName;
  }

  get serviceName(): string {
    return this.service.serviceName;
  }

  get logGroupName(): string {
    return this.service.logGroupName;
  }
}
