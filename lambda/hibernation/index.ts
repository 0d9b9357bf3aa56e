/**
 * The hibernation Lambda: one step of hibernating or waking up an environment per invocation. The Step Functions
 * state machine (modules/operations/hibernation-definition.ts) orders the steps, waits between checks and routes
 * the errors; each step is short and safe to repeat, and every step but "begin" first checks that no later action
 * took over (the state parameter).
 */
import { HIBERNATION_STEPS, type HibernationStep, type StepRequest, type StepResult } from "../../runtime/hibernation";
import { createClients, setDesiredCounts, setGroupBounds, setPoolBounds, type HibernationClients } from "./clients";
import { brokerAvailable, startDatabase, stopDatabase } from "./database";
import { pauseSchedules, resumeSchedules } from "./schedules";
import { heartbeatOk, poolsStopped, servicesRunning, servicesStopped } from "./services";
import { assertInCharge, claimState, muteAlarms, rearmAlarms } from "./state";

type Step = (request: StepRequest, clients: HibernationClients, now: Date) => Promise<StepResult>;

const done = (detail: string): StepResult => ({ done: true, detail });

/** Every step, in the order hibernating and waking up use them. */
export const STEPS: Readonly<Record<HibernationStep, Step>> = {
  begin: async (request, clients) => {
    const state = await claimState(clients, request);
    if (request.action !== "hibernate") return done(`state set to ${state}`);
    await muteAlarms(clients, request.plan.alarms);
    return done(`state set to ${state}; muted ${request.plan.alarms.length} alarms`);
  },
  "pause-schedules": async ({ plan }, clients) => pauseSchedules(clients.scheduler, plan.schedules),
  "stop-scheduling": async ({ plan }, clients) => done(`desired counts: ${(await setDesiredCounts(clients, plan, plan.schedulingServices, true)).join(", ")}`),
  "stop-pools": async ({ plan }, clients) => done(`pool bounds: ${(await setPoolBounds(clients, plan.pools, true)).join(", ")}`),
  "pools-stopped": poolsStopped,
  "stop-serving": async ({ plan }, clients) => done(`desired counts: ${(await setDesiredCounts(clients, plan, plan.servingServices, true)).join(", ")}`),
  "services-stopped": servicesStopped,
  "stop-capacity": async ({ plan }, clients) => done(`group bounds: ${(await setGroupBounds(clients, plan.groups, true)).join(", ")}`),
  "stop-database": stopDatabase,
  "start-database": startDatabase,
  "broker-available": brokerAvailable,
  "start-capacity": async ({ plan }, clients) => done(`group bounds: ${(await setGroupBounds(clients, plan.groups, false)).join(", ")}`),
  "start-services": async ({ plan }, clients) =>
    done(`desired counts: ${(await setDesiredCounts(clients, plan, [...plan.schedulingServices, ...plan.servingServices], false)).join(", ")}`),
  "services-running": servicesRunning,
  "resume-schedules": async ({ plan }, clients) => resumeSchedules(clients.scheduler, plan.schedules),
  "start-pools": async ({ plan }, clients) => done(`pool bounds: ${(await setPoolBounds(clients, plan.pools, false)).join(", ")}`),
  "heartbeat-ok": heartbeatOk,
  "rearm-alarms": async ({ plan }, clients) => {
    const reset = await rearmAlarms(clients, plan.alarms);
    return done(`re-armed ${plan.alarms.length} alarms${reset.length ? `; reset from ALARM to OK: ${reset.join(", ")}` : ""}`);
  },
};

/** Runs one step after checking the request and, except for "begin", that this execution is still in charge. */
export async function runStep(request: StepRequest, clients: HibernationClients, now: Date = new Date()): Promise<StepResult> {
  if (!HIBERNATION_STEPS.includes(request.step)) throw new Error(`unknown step "${String(request.step)}"; expected one of ${HIBERNATION_STEPS.join(", ")}`);
  if (request.step !== "begin") await assertInCharge(clients, request);
  return STEPS[request.step](request, clients, now);
}

let clients: HibernationClients | undefined;

export const handler = async (request: StepRequest): Promise<StepResult> => {
  clients ??= createClients();
  const result = await runStep(request, clients);
  console.log(JSON.stringify({ level: "INFO", message: result.detail, step: request.step, action: request.action, done: result.done }));
  return result;
};
