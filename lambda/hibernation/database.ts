/** The metadata database and the broker: stopping, starting and waiting for them. */
import { DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { DescribeDBInstancesCommand, StartDBInstanceCommand, StopDBInstanceCommand } from "@aws-sdk/client-rds";
import { WAIT_BUDGET_MINUTES, type StepRequest, type StepResult } from "../../runtime/hibernation";
import type { HibernationClients } from "./clients";
import { minutesWaiting, TimedOutError } from "./state";

async function databaseStatus(clients: HibernationClients, id: string): Promise<string> {
  const answer = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  const status = answer.DBInstances?.[0]?.DBInstanceStatus;
  if (!status) throw new Error(`RDS returned no status for ${id}`);
  return status;
}

function budget(request: StepRequest & { step: keyof typeof WAIT_BUDGET_MINUTES }, now: Date, status: string): void {
  const waited = minutesWaiting(request, now);
  const limit = WAIT_BUDGET_MINUTES[request.step];
  if (waited > limit) throw new TimedOutError(`${request.plan.database} is still "${status}" after ${Math.round(waited)} minutes (limit ${limit})`);
}

/**
 * Stops the database once it is available. RDS refuses StopDBInstance in any other state (starting, backing-up,
 * modifying), so those are waited out; stopped or stopping is done already.
 */
export async function stopDatabase(request: StepRequest, clients: HibernationClients, now: Date): Promise<StepResult> {
  const id = request.plan.database;
  const status = await databaseStatus(clients, id);
  if (status === "stopped" || status === "stopping") return { done: true, detail: `${id} is ${status}` };
  if (status === "available") {
    await clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }));
    return { done: true, detail: `stopping ${id}` };
  }
  budget({ ...request, step: "stop-database" }, now, status);
  return { done: false, detail: `${id} is ${status}; waiting for it to be available before stopping it` };
}

/** Starts the database (once a stop in progress has finished) and answers done when it is available. */
export async function startDatabase(request: StepRequest, clients: HibernationClients, now: Date): Promise<StepResult> {
  const id = request.plan.database;
  const status = await databaseStatus(clients, id);
  if (status === "available") return { done: true, detail: `${id} is available` };
  if (status === "stopped") {
    await clients.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: id }));
    return { done: false, detail: `starting ${id}` };
  }
  budget({ ...request, step: "start-database" }, now, status);
  return { done: false, detail: `${id} is ${status}; waiting for it to be available` };
}

/** The broker is never stopped, but the scheduler and workers need it: waking up checks it is available. */
export async function brokerAvailable(request: StepRequest, clients: HibernationClients, now: Date): Promise<StepResult> {
  const id = request.plan.broker;
  const answer = await clients.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
  const status = answer.ReplicationGroups?.[0]?.Status ?? "unknown";
  if (status === "available") return { done: true, detail: `${id} is available` };
  const waited = minutesWaiting(request, now);
  if (waited > WAIT_BUDGET_MINUTES["broker-available"]) {
    throw new TimedOutError(`the broker ${id} is still "${status}" after ${Math.round(waited)} minutes (limit ${WAIT_BUDGET_MINUTES["broker-available"]})`);
  }
  return { done: false, detail: `${id} is ${status}; waiting for it to be available` };
}
