import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service } from "@aws-sdk/client-ecs";
import { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { RDSClient } from "@aws-sdk/client-rds";
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { HibernationPlan, PlannedGroup, PlannedPool, PlannedService } from "../../runtime/hibernation";
import type { SchedulerApi } from "./schedules";

/** The AWS clients the steps use; tests pass mocked ones. */
export interface HibernationClients {
  readonly ecs: ECSClient;
  readonly applicationAutoScaling: ApplicationAutoScalingClient;
  readonly autoScaling: AutoScalingClient;
  readonly rds: RDSClient;
  readonly elastiCache: ElastiCacheClient;
  readonly cloudWatch: CloudWatchClient;
  readonly ssm: SSMClient;
  /** EventBridge Scheduler's GetSchedule and UpdateSchedule (see ./schedules). */
  readonly scheduler: SchedulerApi;
}

export function createClients(): HibernationClients {
  const options = { maxAttempts: 5 };
  const scheduler = new SchedulerClient(options);
  return {
    ecs: new ECSClient(options),
    applicationAutoScaling: new ApplicationAutoScalingClient(options),
    autoScaling: new AutoScalingClient(options),
    rds: new RDSClient(options),
    elastiCache: new ElastiCacheClient(options),
    cloudWatch: new CloudWatchClient(options),
    ssm: new SSMClient(options),
    scheduler: {
      getSchedule: (input) => scheduler.send(new GetScheduleCommand(input)),
      updateSchedule: (input) => scheduler.send(new UpdateScheduleCommand(input)),
    },
  };
}

/** `items` in slices of `size` (DescribeServices takes 10 services, the alarm calls 100 names). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function setDesiredCounts(
  clients: HibernationClients,
  plan: HibernationPlan,
  services: readonly PlannedService[],
  zero: boolean,
): Promise<string[]> {
  for (const service of services) {
    await clients.ecs.send(new UpdateServiceCommand({ cluster: plan.cluster, service: service.name, desiredCount: zero ? 0 : service.desiredCount }));
  }
  return services.map((s) => `${s.name}=${zero ? 0 : s.desiredCount}`);
}

/** Moves a pool's scaling bounds: 0/0 sets its desired count to 0 and keeps scaling out from raising it; the configured bounds bring it back. */
export async function setPoolBounds(clients: HibernationClients, pools: readonly PlannedPool[], zero: boolean): Promise<string[]> {
  for (const pool of pools) {
    await clients.applicationAutoScaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ScalableDimension: "ecs:service:DesiredCount",
        ResourceId: pool.resourceId,
        MinCapacity: zero ? 0 : pool.minCount,
        MaxCapacity: zero ? 0 : pool.maxCount,
      }),
    );
  }
  return pools.map((p) => `${p.service}=${zero ? "0-0" : `${p.minCount}-${p.maxCount}`}`);
}

/**
 * Moves a group's bounds. At 0/0 the group keeps its instances until ECS lifts their scale-in protection, which it
 * does on hosts without tasks (managed termination protection): the services are stopped first for that reason.
 */
export async function setGroupBounds(clients: HibernationClients, groups: readonly PlannedGroup[], zero: boolean): Promise<string[]> {
  for (const group of groups) {
    await clients.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: group.name,
        MinSize: zero ? 0 : group.minSize,
        MaxSize: zero ? 0 : group.maxSize,
        ...(zero ? { DesiredCapacity: 0 } : {}),
      }),
    );
  }
  return groups.map((g) => `${g.name}=${zero ? "0-0" : `${g.minSize}-${g.maxSize}`}`);
}

/** The named services of the plan's cluster as ECS describes them (missing ones are an error: the plan names them). */
export async function describeServices(clients: HibernationClients, plan: HibernationPlan, names: readonly string[]): Promise<Service[]> {
  const found: Service[] = [];
  for (const batch of chunks(names, 10)) {
    const answer = await clients.ecs.send(new DescribeServicesCommand({ cluster: plan.cluster, services: batch }));
    if (answer.failures?.length) {
      throw new Error(
        `ECS could not describe ${answer.failures.map((f) => `${f.arn ?? "?"} (${f.reason ?? "unknown reason"})`).join(", ")} in ${plan.cluster}`,
      );
    }
    found.push(...(answer.services ?? []));
  }
  return found;
}
