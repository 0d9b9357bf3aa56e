/** The ECS services: stopping and starting them in order, and waiting until they did. */
import { DescribeAlarmsCommand, StateValue } from "@aws-sdk/client-cloudwatch";
import { WAIT_BUDGET_MINUTES, type PlannedService, type StepRequest, type StepResult } from "../../runtime/hibernation";
import { describeServices, type HibernationClients } from "./clients";
import { minutesWaiting, TimedOutError } from "./state";

/** Services with tasks still running or starting, as `name (n running, m pending)`. */
async function busy(clients: HibernationClients, request: StepRequest, names: readonly string[]): Promise<string[]> {
  const described = await describeServices(clients, request.plan, names);
  return described
    .filter((s) => (s.runningCount ?? 0) + (s.pendingCount ?? 0) > 0)
    .map((s) => `${s.serviceName} (${s.runningCount ?? 0} running, ${s.pendingCount ?? 0} pending)`);
}

/**
 * Waits for the pools to drain. Busy workers keep their task scale-in protection while they run tasks and shut down
 * warm when it ends, so this can take until the plan's drain budget; after it hibernation goes on (the tasks still
 * running then fail when the database stops, and Airflow retries them after the wake-up).
 */
export async function poolsStopped(request: StepRequest, clients: HibernationClients, now: Date): Promise<StepResult> {
  const running = await busy(
    clients,
    request,
    request.plan.pools.map((p) => p.service),
  );
  if (running.length === 0) return { done: true, detail: "every worker pool is at 0 tasks" };
  const waited = minutesWaiting(request, now);
  if (waited > request.plan.drainMinutes) {
    return { done: true, detail: `gave up waiting after ${Math.round(waited)} minutes, going on with tasks still running: ${running.join(", ")}` };
  }
  return { done: false, detail: `waiting for ${running.join(", ")}` };
}

/** Waits until no service runs a task, so ECS lifts the hosts' scale-in protection; after its budget it goes on. */
export async function servicesStopped(request: StepRequest, clients: HibernationClients, now: Date): Promise<StepResult> {
  const { plan } = request;
  const names = [...plan.schedulingServices, ...plan.servingServices].map((s) => s.name).concat(plan.pools.map((p) => p.service));
  const running = await busy(clients, request, names);
  if (running.length === 0) return { done: true, detail: "every service is at 0 tasks" };
  const waited = minutesWaiting(request, now);
  if (waited > WAIT_BUDGET_MINUTES["services-stopped"]) {
    return { done: true, detail: `gave up waiting after ${Math.round(waited)} minutes, going on with: ${running.join(", ")}` };
  }
  return { done: false, detail: `waiting for ${running.join(", ")}` };
}

/** Waits until the scheduling and serving services run their configured counts (per-host daemons excepted). */
export async function servicesRunning(request: StepRequest, clients: HibernationClients, now: Date): Promise<StepResult> {
  const { plan } = request;
  const awaited: PlannedService[] = [...plan.schedulingServices, ...plan.servingServices].filter((s) => s.awaited);
  const described = await describeServices(
    clients,
    plan,
    awaited.map((s) => s.name),
  );
  const short = awaited
    .map((s) => ({ s, running: described.find((d) => d.serviceName === s.name)?.runningCount ?? 0 }))
    .filter(({ s, running }) => running < s.desiredCount)
    .map(({ s, running }) => `${s.name} (${running} of ${s.desiredCount})`);
  if (short.length === 0) return { done: true, detail: `running: ${awaited.map((s) => s.name).join(", ")}` };
  const waited = minutesWaiting(request, now);
  if (waited > WAIT_BUDGET_MINUTES["services-running"]) {
    throw new TimedOutError(`services not running after ${Math.round(waited)} minutes (limit ${WAIT_BUDGET_MINUTES["services-running"]}): ${short.join(", ")}`);
  }
  return { done: false, detail: `waiting for ${short.join(", ")}` };
}

/**
 * Waits for the heartbeat alarm to be OK: the heartbeat DAG ran end to end after the wake-up. After its budget the
 * alarms are re-armed anyway, and a heartbeat still missing then notifies.
 */
export async function heartbeatOk(request: StepRequest, clients: HibernationClients, now: Date): Promise<StepResult> {
  const name = request.plan.heartbeatAlarm;
  const answer = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  const state = answer.MetricAlarms?.[0]?.StateValue ?? "missing";
  if (state === StateValue.OK) return { done: true, detail: `${name} is OK` };
  const waited = minutesWaiting(request, now);
  if (waited > WAIT_BUDGET_MINUTES["heartbeat-ok"]) {
    return { done: true, detail: `${name} is still ${state} after ${Math.round(waited)} minutes; re-arming the alarms so it notifies` };
  }
  return { done: false, detail: `${name} is ${state}; waiting for a heartbeat` };
}
