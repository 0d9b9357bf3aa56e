import { AirflowCluster } from "../modules/compute/airflow-cluster";
import { Bastion } from "../modules/compute/bastion";
import type { ComputeStack } from "./compute-stack";

/**
 * The ECS cluster and its container instances: the on-demand group and, when `compute.spot` is set, the Spot group,
 * both in the private subnets with the stack's default tags on every instance.
 */
export function environmentCluster(stack: ComputeStack): AirflowCluster {
  const { config, naming, network, iam } = stack;
  const { compute } = config;
  const capacity = {
    targetCapacityPercent: compute.targetCapacityPercent,
    rootVolumeGb: compute.rootVolumeGb,
    containerStopTimeoutSeconds: compute.containerStopTimeoutSeconds,
    subnetIds: network.private_subnet_ids,
    securityGroupId: network.container_instances_security_group_id,
    instanceProfileArn: iam.container_instance_profile_arn,
    tags: { ...stack.defaultTags },
  };
  return new AirflowCluster(stack, "cluster", {
    clusterName: naming.cluster,
    namespace: naming.discoveryNamespace,
    vpcId: network.vpc_id,
    awsvpcTrunking: compute.awsvpcTrunking,
    capacity: {
      ...capacity,
      name: naming.name("ec2"),
      instanceType: compute.instanceType,
      minInstances: compute.minInstances,
      maxInstances: compute.maxInstances,
    },
    spotCapacity: compute.spot && {
      ...capacity,
      name: naming.name("ec2-spot"),
      instanceType: compute.spot.instanceTypes[0],
      spotInstanceTypes: compute.spot.instanceTypes,
      minInstances: compute.spot.minInstances,
      maxInstances: compute.spot.maxInstances,
    },
  });
}

/** The SSM-only bastion, when `compute.bastion.enabled`. */
export function environmentBastion(stack: ComputeStack): Bastion | undefined {
  const { config, naming, network, iam } = stack;
  const { bastion } = config.compute;
  if (!bastion.enabled) return undefined;
  return new Bastion(stack, "bastion", {
    name: naming.name("bastion"),
    instanceType: bastion.instanceType,
    subnetIds: network.private_subnet_ids,
    securityGroupId: network.bastion_security_group_id,
    instanceProfileArn: iam.bastion_instance_profile_arn,
    tags: { ...stack.defaultTags },
  });
}
