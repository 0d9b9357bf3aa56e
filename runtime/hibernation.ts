/**
 * Hibernation: what the state machine (modules/operations/hibernation*), its Lambda (lambda/hibernation) and
 * `npm run hibernate|wake` (scripts/hibernation) share: the actions, the steps, the plan each step acts on, the
 * state parameter's values and the errors the state machine routes on.
 */

/** What an execution does: put the environment to sleep, wake it up, or stop a database RDS restarted on its own. */
export const HIBERNATION_ACTIONS = ["hibernate", "wake", "keep-stopped"] as const;
export type HibernationAction = (typeof HIBERNATION_ACTIONS)[number];

/** Values of the environment's hibernation state parameter: the state the last action started towards. */
export const HIBERNATION_STATES = ["hibernating", "awake"] as const;
export type HibernationState = (typeof HIBERNATION_STATES)[number];

/** The state each action works towards; a step finding another state in the parameter was superseded. */
export const TARGET_STATE: Readonly<Record<HibernationAction, HibernationState>> = {
  hibernate: "hibernating",
  wake: "awake",
  // Only while hibernating: RDS restarted a database stopped for seven days.
  "keep-stopped": "hibernating",
};

/** An ECS service the plan sets a fixed desired count on. */
export interface PlannedService {
  readonly name: string;
  /** The configured desired count, restored on wake-up. */
  readonly desiredCount: number;
  /** Whether waking up waits for its tasks to run (not for per-host daemons, whose count is the hosts' maximum). */
  readonly awaited: boolean;
}

/** A worker pool: its desired count belongs to Application Auto Scaling, so hibernation moves the bounds instead. */
export interface PlannedPool {
  readonly service: string;
  /** `service/<cluster>/<service>`, the scalable target's resource id. */
  readonly resourceId: string;
  readonly minCount: number;
  readonly maxCount: number;
}

export interface PlannedGroup {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
}

/** The states of an EventBridge Scheduler schedule (`State` of GetSchedule and UpdateSchedule). */
export const SCHEDULE_STATES = ["ENABLED", "DISABLED"] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

/** An EventBridge Scheduler schedule of the environment (the nightly `airflow db clean`): paused while hibernating. */
export interface PlannedSchedule {
  readonly name: string;
  /** Its schedule group ("default" when the schedule names none). */
  readonly group: string;
  /** The state Terraform configures: waking up re-enables only ENABLED ones (a DISABLED one stays off). */
  readonly state: ScheduleState;
}

/** Everything hibernation touches in one environment; built at synth time, part of the state machine's definition. */
export interface HibernationPlan {
  readonly cluster: string;
  /** Stopped first (no new work is scheduled), started with the serving services: scheduler, dag-processor, triggerer. */
  readonly schedulingServices: readonly PlannedService[];
  /** Stopped once the pools drained (busy workers still report to the api-server's Execution API), started before the pools. */
  readonly servingServices: readonly PlannedService[];
  readonly pools: readonly PlannedPool[];
  /** The container-instance groups (on demand, Spot). */
  readonly groups: readonly PlannedGroup[];
  /** RDS instance identifier. */
  readonly database: string;
  /** ElastiCache replication group id of the Celery broker. */
  readonly broker: string;
  /** Schedules disabled while hibernating (every EventBridge Scheduler schedule of the stack but hibernation's own). */
  readonly schedules: readonly PlannedSchedule[];
  /** Alarms whose actions are disabled while hibernating (every alarm notifying the environment's alarm topic). */
  readonly alarms: readonly string[];
  /** The heartbeat alarm: waking up waits for it to be OK before re-arming the alarms. */
  readonly heartbeatAlarm: string;
  /** SSM parameter holding the `HibernationState`. */
  readonly stateParameter: string;
  /** Minutes hibernating waits for busy workers to finish (their scale-in protection and warm shutdown) before going on. */
  readonly drainMinutes: number;
}

export const HIBERNATION_STEPS = [
  "begin",
  "pause-schedules",
  "stop-scheduling",
  "stop-pools",
  "pools-stopped",
  "stop-serving",
  "services-stopped",
  "stop-capacity",
  "stop-database",
  "start-database",
  "broker-available",
  "start-capacity",
  "start-services",
  "services-running",
  "resume-schedules",
  "start-pools",
  "heartbeat-ok",
  "rearm-alarms",
] as const;
export type HibernationStep = (typeof HIBERNATION_STEPS)[number];

/** What the state machine sends the Lambda for one step. */
export interface StepRequest {
  readonly step: HibernationStep;
  readonly action: HibernationAction;
  readonly plan: HibernationPlan;
  /** When the current wait began (ISO 8601): waiting steps give up after their budget. */
  readonly since?: string;
}

/** What a step answers: `done` false means "check again after the poll interval". */
export interface StepResult {
  readonly done: boolean;
  readonly detail: string;
}

/** Minutes a waiting step may keep answering "not done", counted from `since` (the pool drain's is in the plan). */
export const WAIT_BUDGET_MINUTES = {
  "services-stopped": 20,
  "stop-database": 45,
  "start-database": 45,
  "broker-available": 20,
  "services-running": 30,
  "heartbeat-ok": 30,
} as const satisfies Partial<Record<HibernationStep, number>>;

/** Seconds the state machine waits between two checks of a waiting step. */
export const POLL_SECONDS = 60;

/** Error names the Lambda throws and the state machine catches. */
export const HIBERNATION_ERRORS = {
  /** Another action changed the state parameter: this execution stops, successfully, without touching anything. */
  superseded: "HibernationSuperseded",
  /** A wait outlasted its budget (the database or broker did not come up). */
  timedOut: "HibernationTimedOut",
} as const;
