/** Celery worker pools: one ECS service per pool. */
import { taskSize } from "./common";
import { int, list, obj, oneOf, str } from "./language";
import { taskRole } from "./task-role";

export const workerPools = list(
  obj({
    name: str("1-16 lowercase letters, digits or hyphens, starting with a letter", {
      pattern: /^[a-z][a-z0-9-]{0,15}$/,
      doc: "Pool name, used in service and metric names.",
    }),
    queues: list(
      str("a Celery queue name of letters, digits, _ . : or - (no commas or spaces), at most 200 characters", { pattern: /^[A-Za-z0-9_.:-]{1,200}$/ }),
      0,
      20,
      { doc: "Celery queues this pool consumes; a queue belongs to exactly one pool." },
    ),
    concurrency: int(1, 256, { doc: "Celery worker concurrency (task slots per worker); also the autoscaling divisor." }),
    ...taskSize,
    minCount: int(0, 500, { doc: "Lower bound of the pool's desired count (0 = scale to zero when idle)." }),
    maxCount: int(1, 500, { doc: "Upper bound of the pool's desired count." }),
    capacity: oneOf(["ec2", "ec2-spot", "fargate", "fargate-spot"], {
      default: "ec2",
      doc: "Where the pool's tasks run: the on-demand container instances, the Spot container instances (`compute.spot`), Fargate or Fargate Spot.",
    }),
    taskRole,
  }),
  1,
  10,
  { doc: "Celery worker pools: one ECS service per pool." },
);
