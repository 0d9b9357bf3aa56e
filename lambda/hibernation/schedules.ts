/**
 * The environment's EventBridge Scheduler schedules (the nightly `airflow db clean`): paused while hibernating, since
 * their tasks would fail against the stopped database, and resumed on waking up when Terraform configures them ENABLED.
 *
 * EventBridge Scheduler has no enable or disable call: UpdateSchedule replaces the whole schedule, and a field left
 * out is reset. So each change reads the schedule (GetSchedule) and writes back every field it got, with only `State`
 * changed. `SchedulerApi` names the two calls (so tests can stand in for them); `createClients` backs them with
 * @aws-sdk/client-scheduler.
 */
import type { GetScheduleInput, GetScheduleOutput, UpdateScheduleInput, UpdateScheduleOutput } from "@aws-sdk/client-scheduler";
import type { PlannedSchedule, ScheduleState, StepResult } from "../../runtime/hibernation";

export type { GetScheduleInput, GetScheduleOutput, UpdateScheduleInput, UpdateScheduleOutput };

/** The two EventBridge Scheduler calls the steps make (GetScheduleCommand and UpdateScheduleCommand of the SDK). */
export interface SchedulerApi {
  getSchedule(input: GetScheduleInput): Promise<GetScheduleOutput>;
  updateSchedule(input: UpdateScheduleInput): Promise<UpdateScheduleOutput>;
}

/** The UpdateSchedule input that writes back the schedule as `got` describes it, in `state`. */
export function updateInput(got: GetScheduleOutput, state: ScheduleState): UpdateScheduleInput {
  return {
    Name: got.Name,
    GroupName: got.GroupName,
    ScheduleExpression: got.ScheduleExpression,
    ScheduleExpressionTimezone: got.ScheduleExpressionTimezone,
    StartDate: got.StartDate,
    EndDate: got.EndDate,
    Description: got.Description,
    KmsKeyArn: got.KmsKeyArn,
    Target: got.Target,
    FlexibleTimeWindow: got.FlexibleTimeWindow,
    ActionAfterCompletion: got.ActionAfterCompletion,
    State: state,
  };
}

/** `group/name`, or just the name in the default group. */
const label = (s: PlannedSchedule) => (s.group === "default" ? s.name : `${s.group}/${s.name}`);

/** Puts one schedule in `state` unless it already is (a repeated step writes nothing); says what it did. */
async function setState(scheduler: SchedulerApi, schedule: PlannedSchedule, state: ScheduleState): Promise<string> {
  const got = await scheduler.getSchedule({ Name: schedule.name, GroupName: schedule.group });
  if (got.State === state) return `${label(schedule)} already ${state}`;
  await scheduler.updateSchedule(updateInput(got, state));
  return `${label(schedule)}=${state}`;
}

/** Hibernating: disables every planned schedule. */
export async function pauseSchedules(scheduler: SchedulerApi, schedules: readonly PlannedSchedule[]): Promise<StepResult> {
  const done: string[] = [];
  for (const schedule of schedules) done.push(await setState(scheduler, schedule, "DISABLED"));
  return { done: true, detail: done.length ? `schedules: ${done.join(", ")}` : "no schedules to pause" };
}

/** Waking up: enables the planned schedules Terraform configures ENABLED; those it configures DISABLED stay off. */
export async function resumeSchedules(scheduler: SchedulerApi, schedules: readonly PlannedSchedule[]): Promise<StepResult> {
  const done: string[] = [];
  for (const schedule of schedules) {
    done.push(schedule.state === "ENABLED" ? await setState(scheduler, schedule, "ENABLED") : `${label(schedule)} left DISABLED (configured so)`);
  }
  return { done: true, detail: done.length ? `schedules: ${done.join(", ")}` : "no schedules to resume" };
}
