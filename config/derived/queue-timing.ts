import type { CapacityKind, WorkerPoolConfig } from "../schema";
import { worstCaseScaleOutSeconds } from "./queue-scaling";

/**
 * Budgets, in seconds, from "the pool's service wants one more task" to "its Celery worker consumes the queue".
 * Estimates with room to spare (not measurements of this environment):
 * - Fargate (and Fargate Spot): placement and ENI attachment; a pull of the whole Airflow image (Fargate caches no
 *   layers); the entrypoint and `airflow celery worker` start (workers do not wait for the database).
 * - EC2 from zero: the capacity provider's managed scaling sees the unplaced task through its CloudWatch metric and
 *   grows the Auto Scaling group (about a minute or two); the instance boots and its ECS agent registers; the image is
 *   pulled onto an empty host; the worker starts. A pool with warm hosts is faster, but any EC2 pool can need a new
 *   host when the cluster is full, so this is the worst path of every EC2 pool.
 * - EC2 Spot from zero: the same path, plus a Spot request that may wait for capacity in a pool EC2 can fill (the
 *   group's several instance types and price-capacity-optimized allocation keep that short, not zero).
 */
export const WORKER_START_SECONDS: Readonly<Record<CapacityKind, Readonly<Record<string, number>>>> = {
  fargate: { placement: 60, imagePull: 120, workerStart: 45 },
  "fargate-spot": { placement: 60, imagePull: 120, workerStart: 45 },
  ec2: { capacityProviderScaleOut: 120, instanceBoot: 120, imagePull: 120, workerStart: 45 },
  "ec2-spot": { capacityProviderScaleOut: 120, spotFulfilment: 60, instanceBoot: 120, imagePull: 120, workerStart: 45 },
};

/**
 * How long a queued task may also wait behind a pool that is already at maxCount, for a running task to free a slot.
 * Airflow cannot know it; five minutes is the platform's allowance (the queue-backlog alarm fires at the same age).
 * A task waiting longer is requeued by the scheduler with a fresh token (see `queueTiming`), at most twice.
 */
export const BACKLOG_HEADROOM_SECONDS = 300;

/** `[scheduler] task_queued_timeout_check_interval`: Airflow's default, kept. */
export const QUEUED_CHECK_INTERVAL_SECONDS = 120;

/** Slack between the scheduler noticing a stuck task and the token's expiry: one scheduler loop and the requeue itself. */
export const REQUEUE_MARGIN_SECONDS = 60;

const sum = (parts: Readonly<Record<string, number>>) => Object.values(parts).reduce((a, b) => a + b, 0);

/** The slowest path from a task being queued to a worker running it, in one environment, with its parts. */
export interface WorstQueuedWait {
  readonly seconds: number;
  /** The pool with the slowest path (the first of equals). */
  readonly pool: string;
  readonly capacity: CapacityKind;
  readonly scaleOutDecision: number;
  readonly workerStart: number;
  readonly backlogHeadroom: number;
}

/**
 * The worst queued-to-running time: the queue-depth autoscaling's worst-case decision time (modules/operations
 * renders the same sampling and alarms), plus the slowest worker start among the pools, plus the backlog headroom.
 */
export function worstQueuedWait(pools: readonly Pick<WorkerPoolConfig, "name" | "capacity">[]): WorstQueuedWait {
  const scaleOutDecision = worstCaseScaleOutSeconds();
  const slowest = pools.reduce((worst, pool) => (sum(WORKER_START_SECONDS[pool.capacity]) > sum(WORKER_START_SECONDS[worst.capacity]) ? pool : worst));
  const workerStart = sum(WORKER_START_SECONDS[slowest.capacity]);
  return {
    seconds: scaleOutDecision + workerStart + BACKLOG_HEADROOM_SECONDS,
    pool: slowest.name,
    capacity: slowest.capacity,
    scaleOutDecision,
    workerStart,
    backlogHeadroom: BACKLOG_HEADROOM_SECONDS,
  };
}

/** The two timeouts and the check interval a queued task lives by. */
export interface QueueTiming {
  /** `[scheduler] task_queued_timeout`. */
  readonly taskQueuedTimeout: number;
  /** `[scheduler] task_queued_timeout_check_interval`. */
  readonly checkInterval: number;
  /** `[execution_api] jwt_expiration_time`: the life of the token a queued task carries. */
  readonly jwtExpiration: number;
}

/**
 * The token rule (Airflow 3.1.5). The scheduler mints a task's Execution-API token when it queues the task, valid for
 * `[execution_api] jwt_expiration_time`; a token that expired before the worker's first call cannot be refreshed, so
 * the task never starts (apache/airflow#53713, fixed only after 3.1.5). Every `check_interval` the scheduler revokes
 * tasks queued longer than `task_queued_timeout` and sets them back to scheduled, so they are queued again with a
 * fresh token (twice; then it fails them). Hence:
 *
 * 1. task_queued_timeout > worst queued-to-running wait: a task that is only waiting for a scale-out is left alone;
 * 2. jwt_expiration_time >= task_queued_timeout + check_interval + margin: a task still queued is requeued (fresh
 *    token) before its old token expires, and a worker that takes the message just before the revoke still holds a
 *    valid token.
 *
 * Both are kept as short as that allows, rounded up to the minute: the token travels in plain text in the broker's
 * message and authorizes the task's Execution-API calls (connections, variables, XComs) until it expires; a running
 * task does not need a long one, since the api-server hands it a fresh token on its calls before the old one expires.
 * `overrides` are the environment's own values (airflow.config), used instead of the derived ones.
 */
export function queueTiming(wait: WorstQueuedWait, overrides: Partial<QueueTiming> = {}): QueueTiming {
  const taskQueuedTimeout = overrides.taskQueuedTimeout ?? (Math.floor(wait.seconds / 60) + 1) * 60;
  const checkInterval = overrides.checkInterval ?? QUEUED_CHECK_INTERVAL_SECONDS;
  const jwtExpiration = overrides.jwtExpiration ?? Math.ceil((taskQueuedTimeout + checkInterval + REQUEUE_MARGIN_SECONDS) / 60) * 60;
  return { taskQueuedTimeout, checkInterval, jwtExpiration };
}

/** A broken token rule, explained with the numbers. */
export interface TimingViolation {
  readonly option: "scheduler.task_queued_timeout" | "execution_api.jwt_expiration_time";
  readonly value: number;
  readonly problem: string;
}

/** Describes the wait's parts, e.g. `45 s scale-out decision + 405 s EC2 worker start (pool default) + 300 s backlog headroom`. */
export function describeWait(wait: WorstQueuedWait): string {
  const kind = wait.capacity === "ec2" ? "EC2 from zero" : wait.capacity === "fargate" ? "Fargate" : "Fargate Spot";
  return `${wait.scaleOutDecision} s scale-out decision + ${wait.workerStart} s worker start on ${kind} (pool ${wait.pool}) + ${wait.backlogHeadroom} s backlog headroom`;
}

/** Checks the token rule on effective values (derived or overridden); an empty list when both parts hold. */
export function checkQueueTiming(wait: WorstQueuedWait, timing: QueueTiming): TimingViolation[] {
  const violations: TimingViolation[] = [];
  if (timing.taskQueuedTimeout <= wait.seconds) {
    violations.push({
      option: "scheduler.task_queued_timeout",
      value: timing.taskQueuedTimeout,
      problem: `is not longer than the worst wait for a worker, ${wait.seconds} s (${describeWait(wait)}): the scheduler would revoke tasks that are only waiting for a scale-out; expected more than ${wait.seconds}`,
    });
  }
  const needed = timing.taskQueuedTimeout + timing.checkInterval + REQUEUE_MARGIN_SECONDS;
  if (timing.jwtExpiration < needed) {
    violations.push({
      option: "execution_api.jwt_expiration_time",
      value: timing.jwtExpiration,
      problem: `lets a queued task's token expire before the scheduler requeues the task with a fresh one: task_queued_timeout ${timing.taskQueuedTimeout} s + check interval ${timing.checkInterval} s + ${REQUEUE_MARGIN_SECONDS} s margin = ${needed} s; expected at least ${needed}`,
    });
  }
  return violations;
}
