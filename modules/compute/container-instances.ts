import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { Construct } from "constructs";
import { ECS_RESERVED_MEMORY_MIB } from "../../config/instance-types";
import type { ComputeConfig } from "../../config/schema";
import { HardenedLaunchTemplate } from "./launch-template";

/** ECS-optimized Amazon Linux 2023 (x86_64), resolved by EC2 when an instance launches. */
export const ECS_AMI_PARAMETER = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

/**
 * How Spot instances are bought: price-capacity-optimized draws from the pools with the most spare capacity (the
 * least likely to be interrupted) and, among those, the cheapest, AWS's recommended strategy; capacity-optimized
 * would ignore price. No on-demand base: a Spot group is all Spot.
 */
export const SPOT_DISTRIBUTION = {
  onDemandBaseCapacity: 0,
  onDemandPercentageAboveBaseCapacity: 0,
  spotAllocationStrategy: "price-capacity-optimized",
} as const;

/** The sizing knobs come straight from the environment's `compute` configuration (documented there). */
export interface ContainerInstancesProps extends Pick<
  ComputeConfig,
  "instanceType" | "minInstances" | "maxInstances" | "targetCapacityPercent" | "rootVolumeGb" | "containerStopTimeoutSeconds"
> {
  /** Name of launch template, ASG and capacity provider, e.g. `airflow-prod-ec2`. */
  readonly name: string;
  /**
   * Buy the instances as EC2 Spot, from any of these types (all of one size; `instanceType`, the launch template's
   * own type, is the first of them), with capacity rebalancing and the agent's Spot interruption draining.
   * @default - on-demand instances of `instanceType`
   */
  readonly spotInstanceTypes?: readonly string[];
  /** The ECS cluster the instances join (ECS_CLUSTER). */
  readonly clusterName: string;
  /** Private subnets the group spreads over, one per AZ. */
  readonly subnetIds: string[];
  /** Security group of the instances (host network: cAdvisor). */
  readonly securityGroupId: string;
  /** Instance profile: the ECS agent, host logs, Session Manager. */
  readonly instanceProfileArn: string;
  /** Tags for the instances and volumes (provider default tags do not reach them). */
  readonly tags: Readonly<Record<string, string>>;
}

/** The ECS agent configuration written at first boot. */
export function ecsAgentConfig(
  props: Pick<ContainerInstancesProps, "clusterName" | "containerStopTimeoutSeconds" | "spotInstanceTypes">,
): Record<string, string> {
  return {
    ECS_CLUSTER: props.clusterName,
    // Task roles; also what the agent's task scale-in protection endpoint (ECS_AGENT_URI) signs its calls with.
    ECS_ENABLE_TASK_IAM_ROLE: "true",
    // Containers cannot read the instance role through IMDS (awsvpc tasks; the hop limit covers bridge and host mode).
    ECS_AWSVPC_BLOCK_IMDS: "true",
    // Warm-shutdown budget for containers without their own stopTimeout (EC2 worker pools).
    ECS_CONTAINER_STOP_TIMEOUT: `${props.containerStopTimeoutSeconds}s`,
    ECS_RESERVED_MEMORY: String(ECS_RESERVED_MEMORY_MIB),
    ECS_ENABLE_CONTAINER_METADATA: "true",
    ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached",
    ECS_LOGLEVEL: "info",
    // Spot: the agent watches for the two-minute interruption notice and sets the instance DRAINING, so ECS stops its
    // tasks (SIGTERM, warm shutdown) and starts replacements elsewhere while the instance still exists.
    ...(props.spotInstanceTypes ? { ECS_ENABLE_SPOT_INSTANCE_DRAINING: "true" } : {}),
  };
}

/**
 * EC2 capacity of the cluster: a hardened launch template of the ECS-optimized AMI, an Auto Scaling group across
 * the private subnets with scale-in protection, and a capacity provider with managed scaling, managed termination
 * protection (no instance running tasks is terminated by scale-in) and managed draining. On demand by default; with
 * `spotInstanceTypes`, the same group bought as Spot through a mixed instances policy.
 */
export class ContainerInstances extends Construct {
  /** The hardened launch template of the ECS-optimized AMI. */
  readonly launchTemplate: HardenedLaunchTemplate;
  /** The Auto Scaling group (desired capacity set by the capacity provider). */
  readonly group: AutoscalingGroup;
  /** The capacity provider with managed scaling, termination protection and draining. */
  readonly capacityProvider: EcsCapacityProvider;

  constructor(scope: Construct, id: string, props: ContainerInstancesProps) {
    super(scope, id);
    const agent = Object.entries(ecsAgentConfig(props))
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
    this.launchTemplate = new HardenedLaunchTemplate(this, "launch-template", {
      name: props.name,
      imageId: ECS_AMI_PARAMETER,
      instanceType: props.instanceType,
      instanceProfileArn: props.instanceProfileArn,
      securityGroupIds: [props.securityGroupId],
      rootVolumeGb: props.rootVolumeGb,
      userData: `#!/bin/bash\nset -euo pipefail\ncat >> /etc/ecs/ecs.config <<'EOF'\n${agent}\nEOF\n`,
      tags: props.tags,
    });
    const template = this.launchTemplate.template;
    const version = { id: template.id, version: template.latestVersion.toString() };
    const spot = props.spotInstanceTypes;
    this.group = new AutoscalingGroup(this, "group", {
      name: props.name,
      minSize: props.minInstances,
      maxSize: props.maxInstances,
      vpcZoneIdentifier: props.subnetIds,
      ...(spot
        ? {
            mixedInstancesPolicy: {
              instancesDistribution: { ...SPOT_DISTRIBUTION },
              launchTemplate: {
                launchTemplateSpecification: { launchTemplateId: version.id, version: version.version },
                override: spot.map((instanceType) => ({ instanceType })),
              },
            },
            // Replace a Spot instance EC2 flags as at risk before its interruption notice, when it can.
            capacityRebalance: true,
          }
        : { launchTemplate: version }),
      // Managed termination protection needs every instance protected; ECS lifts it on hosts without tasks.
      protectFromScaleIn: true,
      healthCheckType: "EC2",
      healthCheckGracePeriod: 120,
      defaultInstanceWarmup: 120,
      enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupMaxSize"],
      // A new launch template version (instance type, agent settings) replaces hosts gradually.
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90, instanceWarmup: "120" } },
      tag: [
        { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
        ...Object.entries({ ...props.tags, Name: props.name }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      ],
      // The capacity provider sets the desired capacity.
      lifecycle: { ignoreChanges: ["desired_capacity"] },
    });
    this.capacityProvider = new EcsCapacityProvider(this, "capacity-provider", {
      name: props.name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: this.group.arn,
        managedTerminationProtection: "ENABLED",
        managedDraining: "ENABLED",
        managedScaling: {
          status: "ENABLED",
          targetCapacity: props.targetCapacityPercent,
          minimumScalingStepSize: 1,
          maximumScalingStepSize: 10,
          instanceWarmupPeriod: 120,
        },
      },
    });
  }
}
