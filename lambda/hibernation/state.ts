/** The state parameter (who is in charge), the waits' budgets, and muting and re-arming the alarms. */
import { DescribeAlarmsCommand, DisableAlarmActionsCommand, EnableAlarmActionsCommand, SetAlarmStateCommand, StateValue } from "@aws-sdk/client-cloudwatch";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { HIBERNATION_ERRORS, TARGET_STATE, type StepRequest } from "../../runtime/hibernation";
import { chunks, type HibernationClients } from "./clients";

export class SupersededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = HIBERNATION_ERRORS.superseded;
  }
}

export class TimedOutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = HIBERNATION_ERRORS.timedOut;
  }
}

/** Records the state this execution works towards; later steps of an older execution then see they were superseded. */
export async function claimState(clients: HibernationClients, request: StepRequest): Promise<string> {
  const state = TARGET_STATE[request.action];
  await clients.ssm.send(new PutParameterCommand({ Name: request.plan.stateParameter, Value: state, Type: "String", Overwrite: true }));
  return state;
}

/** Throws SupersededError when the state parameter no longer says what this execution works towards. */
export async function assertInCharge(clients: HibernationClients, request: StepRequest): Promise<void> {
  const answer = await clients.ssm.send(new GetParameterCommand({ Name: request.plan.stateParameter }));
  const current = answer.Parameter?.Value;
  const expected = TARGET_STATE[request.action];
  if (current !== expected) {
    throw new SupersededError(
      `${request.plan.stateParameter} is "${current ?? "(unset)"}", not "${expected}": a later action took over; ${request.action} stops here`,
    );
  }
}

/** Minutes since the current wait began; a wait without `since` is a wiring error. */
export function minutesWaiting(request: StepRequest, now: Date): number {
  if (!request.since) throw new Error(`step ${request.step} waits but was sent no "since"`);
  return (now.getTime() - Date.parse(request.since)) / 60_000;
}

export async function muteAlarms(clients: HibernationClients, names: readonly string[]): Promise<void> {
  for (const batch of chunks(names, 100)) await clients.cloudWatch.send(new DisableAlarmActionsCommand({ AlarmNames: batch }));
}

/**
 * Turns the alarms' actions back on. An alarm still in ALARM from the night (the heartbeat, "not running" alarms) is
 * first set to OK, so that if its condition still holds it goes to ALARM again and notifies, instead of staying
 * silently in the state it reached while muted.
 */
export async function rearmAlarms(clients: HibernationClients, names: readonly string[]): Promise<string[]> {
  const reset: string[] = [];
  for (const batch of chunks(names, 100)) {
    const answer = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: batch, StateValue: StateValue.ALARM, MaxRecords: 100 }));
    for (const alarm of [...(answer.MetricAlarms ?? []), ...(answer.CompositeAlarms ?? [])]) {
      await clients.cloudWatch.send(
        new SetAlarmStateCommand({
          AlarmName: alarm.AlarmName,
          StateValue: StateValue.OK,
          StateReason: "Re-armed after hibernation: evaluated again from now on",
        }),
      );
      reset.push(alarm.AlarmName!);
    }
    await clients.cloudWatch.send(new EnableAlarmActionsCommand({ AlarmNames: batch }));
  }
  return reset;
}
