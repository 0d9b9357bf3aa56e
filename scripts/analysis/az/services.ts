/**
 * ECS services (api-server, scheduler, dag-processor, triggerer, workers, then operator tools): whether enough tasks
 * run outside the lost AZ, and whether replacements can start in the surviving ones.
 */
import { isServingPath, type EcsServiceFacts } from "../ecs-services";
import { asNumber } from "../model";
import type { AzContext } from "./context";
import { combine, list, plural, tier, uniform, type Outcome, type TierResult, type TierVerdict } from "./verdict";

export function analyzeServices(context: AzContext): TierResult[] {
  return context.services.map((service) => tier(service.shortName, serviceTierName(service), isServingPath(service.role), analyzeService(service, context)));
}

function serviceTierName(service: EcsServiceFacts): string {
  const command = service.containers.find((c) => c.command?.[0] === "celery" && c.command?.[1] === "worker")?.command ?? [];
  const queues = command[command.indexOf("--queues") + 1];
  switch (service.role) {
    case "worker":
      return `workers ${service.shortName}${command.includes("--queues") && queues ? ` (queues ${queues})` : ""}`;
    case "flower":
      return `Flower (operator UI)`;
    case "other":
      return `${service.shortName} (supporting service)`;
    default:
      return service.role;
  }
}

function analyzeService(service: EcsServiceFacts, context: AzContext): TierVerdict {
  const { azs, model } = context;
  const placement = service.placementAzs;
  if (service.perInstanceDaemon) {
    const minInstances = Math.min(...service.capacity.asgs.map((a) => asNumber(model.literal(a.stack, a.body.min_size)) ?? 0));
    return minInstances >= 2 && placement.length >= 2
      ? uniform(azs, "serving", `One task per container instance (distinctInstance): present on every instance, in ${list(placement)}.`)
      : uniform(
          azs,
          "degraded",
          `One task per container instance (distinctInstance); the steady state has ${minInstances} instance(s), so it comes back with the replacement instance.`,
        );
  }
  return combine(azs, (lost) => lossOf(service, lost, context));
}

/** What losing `lost` does to a service that is not a per-instance daemon. */
function lossOf(service: EcsServiceFacts, lost: string, context: AzContext): Outcome {
  const placement = service.placementAzs;
  const where = `${service.capacity.label}, in ${list(placement)}`;
  const subnets = service.capacity.kind === "ec2" ? service.subnets.filter((s) => placement.includes(s.az)) : service.subnets;
  const survivors = placement.filter((az) => az !== lost);
  const count = service.count;
  const tasks = `${plural(count, "task")} (${service.countSource}${service.autoscaled ? `, max ${service.maxCount}` : ""})`;
  if (placement.length === 0) return { verdict: "outage", why: `${tasks}: no AZ where its subnets and its capacity meet (${where}).` };
  if (survivors.length === 0) return { verdict: "outage", why: `${tasks}: it can run only in ${list(placement)} (${where}).` };
  if (count >= 2 && service.spread && placement.length >= 2) {
    const lostTasks = Math.ceil(count / placement.length);
    const spreadBy =
      service.capacity.kind === "ec2" ? "placement spread on attribute:ecs.availability-zone" : "Fargate spreads a service's tasks over its subnets' AZs";
    return {
      verdict: "serving",
      why: `${tasks} spread across AZs (${spreadBy}; ${where}): losing one AZ stops at most ${lostTasks}, the other ${count - lostTasks} ${count - lostTasks === 1 ? "keeps" : "keep"} serving while ECS replaces ${lostTasks === 1 ? "it" : "them"}.`,
    };
  }
  if (!placement.includes(lost)) return { verdict: "serving", why: `${tasks}; none can run in ${lost} (${where}).` };
  const blocked = context.startBlocked(subnets, service.startNeeds, lost);
  if (count === 0) {
    return blocked
      ? { verdict: "outage", why: `${tasks}: scales from zero, but when ${lost} fails new tasks cannot start: ${blocked} (${where}).` }
      : { verdict: "serving", why: `${tasks}: scales from zero on demand; new tasks start in the surviving AZs (${where}).` };
  }
  const reason =
    count === 1
      ? `a single task: losing its AZ stops it until ECS starts a replacement in a surviving AZ (minutes${service.capacity.kind === "ec2" ? ", plus an instance launch when the surviving hosts are full" : ""})`
      : `no placement spread across AZs, so every task may sit in the lost AZ`;
  return blocked
    ? { verdict: "outage", why: `${tasks}, ${reason}; but when ${lost} fails the replacement cannot start: ${blocked} (${where}).` }
    : { verdict: "degraded", why: `${tasks}, ${reason} (${where}).` };
}
