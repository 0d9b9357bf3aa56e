/**
 * What hibernation acts on, gathered from the stack it is part of when the stack is synthesized: every ECS service
 * (new ones included without a list to keep up to date), every alarm that notifies the environment's alarm topic and
 * every EventBridge Scheduler schedule.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Token } from "cdktf";
import type { IConstruct } from "constructs";
import {
  SCHEDULE_STATES,
  type HibernationPlan,
  type PlannedGroup,
  type PlannedPool,
  type PlannedSchedule,
  type PlannedService,
  type ScheduleState,
} from "../../runtime/hibernation";

/**
 * Minutes hibernation waits for busy workers: a worker renews its task scale-in protection for
 * `taskProtectionMinutes` while it runs tasks, and then gets the agent's stop timeout for its warm shutdown; five
 * more minutes for ECS to act. Tasks still running after that fail when the database stops (Airflow retries them).
 */
export function hibernationDrainMinutes(taskProtectionMinutes: number, containerStopTimeoutSeconds: number): number {
  return taskProtectionMinutes + Math.ceil(containerStopTimeoutSeconds / 60) + 5;
}

/** A literal string a construct was given, or an error naming what hibernation cannot plan with. */
function literal(value: string | undefined, what: string, where: IConstruct): string {
  if (value === undefined || Token.isUnresolved(value)) throw new Error(`hibernation needs a literal ${what} (${where.node.path})`);
  return value;
}

/**
 * The ECS services of `scope` that keep a fixed desired count, other than the `excluded` ones (the pools). A service placed one task per host (`distinctInstance`, a
 * per-host daemon such as cAdvisor) gets `hostCount`, the groups' maximum its own count follows, and is not waited
 * for (it never runs that many while the groups are smaller); DAEMON services follow the hosts by themselves.
 */
export function fixedCountServices(scope: IConstruct, excluded: ReadonlySet<string>, hostCount: number): PlannedService[] {
  return scope.node
    .findAll()
    .filter((c): c is EcsService => c instanceof EcsService && c.schedulingStrategyInput !== "DAEMON")
    .map((service) => ({ service, name: literal(service.nameInput, "ECS service name", service) }))
    .filter(({ name }) => !excluded.has(name))
    .map(({ service, name }) => {
      const constraints = service.placementConstraintsInput;
      const perHost = Array.isArray(constraints) && constraints.some((c) => c.type === "distinctInstance");
      if (perHost) return { name, desiredCount: hostCount, awaited: false };
      const count = service.desiredCountInput ?? 1;
      if (Token.isUnresolved(count)) throw new Error(`hibernation needs a literal desired count (${service.node.path})`);
      return { name, desiredCount: count, awaited: true };
    });
}

/** Resolves a token to what it renders as (`${aws_sns_topic.x.arn}`), so two references to one attribute compare equal. */
export type Resolve = (value: unknown) => unknown;

/**
 * Names of the alarms of `scope` that notify `topicArn`, outside `except` (hibernation's own alarms). Actions are
 * compared resolved, so an alarm handed another reference to the same topic counts too.
 */
export function notifyingAlarms(scope: IConstruct, topicArn: string, except: IConstruct, resolve: Resolve): string[] {
  const topic = resolve(topicArn);
  const own = new Set(except.node.findAll());
  return scope.node
    .findAll()
    .filter((c): c is CloudwatchMetricAlarm => c instanceof CloudwatchMetricAlarm && !own.has(c))
    .filter((alarm) => (alarm.alarmActionsInput ?? []).some((action) => resolve(action) === topic))
    .map((alarm) => literal(alarm.alarmNameInput, "alarm name", alarm));
}

/** A schedule hibernation pauses, with the role its target runs as (UpdateSchedule hands that role to the scheduler again). */
export interface FoundSchedule extends PlannedSchedule {
  readonly targetRoleArn: string;
}

/** The state a schedule is configured with: Terraform's default is ENABLED; anything else but a literal state is an error. */
function configuredState(schedule: SchedulerSchedule): ScheduleState {
  const state = schedule.stateInput ?? "ENABLED";
  const known: readonly string[] = SCHEDULE_STATES;
  if (Token.isUnresolved(state) || !known.includes(state)) {
    throw new Error(`hibernation needs a literal schedule state, ${SCHEDULE_STATES.join(" or ")} (${schedule.node.path})`);
  }
  return state as ScheduleState;
}

/**
 * The EventBridge Scheduler schedules of `scope` outside `except` (hibernation's own, which start it): each one's
 * name, group and configured state, and its target's role. They run tasks against the database (the nightly
 * `airflow db clean`), so they are paused while it is stopped.
 */
export function pausedSchedules(scope: IConstruct, except: IConstruct): FoundSchedule[] {
  const own = new Set(except.node.findAll());
  return scope.node
    .findAll()
    .filter((c): c is SchedulerSchedule => c instanceof SchedulerSchedule && !own.has(c))
    .map((schedule) => {
      const targetRoleArn = schedule.targetInput?.roleArn;
      if (!targetRoleArn) throw new Error(`hibernation needs the role of the schedule's target (${schedule.node.path})`);
      return {
        name: literal(schedule.nameInput, "schedule name", schedule),
        group: schedule.groupNameInput === undefined ? "default" : literal(schedule.groupNameInput, "schedule group", schedule),
        state: configuredState(schedule),
        targetRoleArn,
      };
    });
}

/** What the plan takes from the stack's constructs and config (the services, schedules and alarms it finds itself). */
export interface PlanInputs {
  readonly cluster: string;
  /** Services stopped before the pools drain (they schedule new work); every other fixed-count service is "serving". */
  readonly scheduling: readonly string[];
  readonly pools: readonly PlannedPool[];
  readonly groups: readonly PlannedGroup[];
  readonly database: string;
  readonly broker: string;
  readonly alarmTopicArn: string;
  readonly heartbeatAlarm: string;
  readonly stateParameter: string;
  readonly drainMinutes: number;
}

/** The plan of the environment `scope` holds, `except` being hibernation itself. */
export function hibernationPlan(scope: IConstruct, except: IConstruct, inputs: PlanInputs, resolve: Resolve): HibernationPlan {
  const hostCount = inputs.groups.reduce((sum, g) => sum + g.maxSize, 0);
  const services = fixedCountServices(scope, new Set(inputs.pools.map((p) => p.service)), hostCount);
  const missing = inputs.scheduling.filter((name) => !services.some((s) => s.name === name));
  if (missing.length > 0) throw new Error(`hibernation: no ECS service ${missing.join(", ")} in ${scope.node.path}`);
  return {
    cluster: inputs.cluster,
    schedulingServices: services.filter((s) => inputs.scheduling.includes(s.name)),
    servingServices: services.filter((s) => !inputs.scheduling.includes(s.name)),
    pools: inputs.pools,
    groups: inputs.groups,
    database: inputs.database,
    broker: inputs.broker,
    schedules: pausedSchedules(scope, except).map(({ name, group, state }) => ({ name, group, state })),
    alarms: notifyingAlarms(scope, inputs.alarmTopicArn, except, resolve),
    heartbeatAlarm: inputs.heartbeatAlarm,
    stateParameter: inputs.stateParameter,
    drainMinutes: inputs.drainMinutes,
  };
}
