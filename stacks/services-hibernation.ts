import type { HibernationConfig } from "../config/schema";
import { TASK_PROTECTION_MINUTES } from "../modules/airflow/worker-pool";
import { Hibernation } from "../modules/operations/hibernation";
import { hibernationDrainMinutes } from "../modules/operations/hibernation-plan";
import type { ServicesStack } from "./services-stack";

/** Hibernation of the services stack's environment: its services in stop order, both groups, its data stores and alarms. */
export function environmentHibernation(stack: ServicesStack, windows: HibernationConfig): Hibernation {
  const { config, naming, compute, storage, network } = stack;
  const { spot } = config.compute;
  return new Hibernation(stack, "hibernation", {
    naming,
    arns: stack.arns,
    hibernation: windows,
    clusterName: compute.cluster_name,
    scheduling: (["scheduler", "dag-processor", "triggerer"] as const).flatMap((c) => stack.services[c]?.serviceName ?? []),
    pools: stack.workerPools,
    groups: [
      { name: compute.asg_name, minSize: config.compute.minInstances, maxSize: config.compute.maxInstances },
      ...(spot ? [{ name: compute.spot_asg_name, minSize: spot.minInstances, maxSize: spot.maxInstances }] : []),
    ],
    databaseId: storage.db_instance_identifier,
    brokerId: storage.redis_replication_group_id,
    alarmTopicArn: stack.operations.topic.arn,
    heartbeatAlarmName: stack.operations.heartbeat.alarm.alarmName,
    publisherRuleName: naming.lambdas.publisher,
    drainMinutes: hibernationDrainMinutes(TASK_PROTECTION_MINUTES, config.compute.containerStopTimeoutSeconds),
    logRetentionDays: config.storage.logRetentionDays,
    logsKmsKeyArn: network.logs_kms_key_arn,
  });
}
