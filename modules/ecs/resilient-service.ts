import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsService, type EcsServiceLoadBalancer } from "@cdktf/provider-aws/lib/ecs-service";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

/** Where a service's tasks run. */
export type ServicePlacement =
  /** The cluster's EC2 capacity provider (tasks spread across AZs, then packed by memory). */
  | { readonly kind: "capacity-provider"; readonly name: string }
  /** Fargate or Fargate Spot. */
  | { readonly kind: "fargate"; readonly spot: boolean }
  /** EC2 launch type without the capacity provider: for per-host daemons that must not drive capacity scaling. */
  | { readonly kind: "ec2-launch-type" };

/** A target group the service registers its tasks in, and what routes traffic to it. */
export interface ServiceLoadBalancer extends EcsServiceLoadBalancer {
  /**
   * The listener or listener rule forwarding to the target group: ECS refuses a target group no load balancer uses
   * yet, so the service waits for it (AIRFLOW_ORDER_ECS_SERVICE_LISTENER).
   */
  readonly routedBy: ITerraformDependable;
}

export interface ResilientServiceProps {
  /** ECS service name. */
  readonly name: string;
  /** ARN of the cluster the service runs in. */
  readonly clusterArn: string;
  /** Name of that cluster (the scalable target's resource id names it). */
  readonly clusterName: string;
  /** Task definition the service runs. */
  readonly taskDefinitionArn: string;
  /** Tasks the service keeps running (the initial count when `autoscaled`). */
  readonly desiredCount: number;
  /** Where the tasks run: a capacity provider, Fargate (Spot), or the EC2 launch type. */
  readonly placement: ServicePlacement;
  /**
   * awsvpc networking: private subnets, security groups, no public IP.
   * @default - none (host networking)
   */
  readonly network?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * Percentage of the desired count kept running during a deployment.
   * @default 100
   */
  readonly minimumHealthyPercent?: number;
  /**
   * Percentage of the desired count allowed to run during a deployment.
   * @default 200
   */
  readonly maximumPercent?: number;
  /**
   * Seconds before load-balancer health checks count (services behind the ALB).
   * @default - none
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * Target groups the service registers its tasks in.
   * @default - none
   */
  readonly loadBalancers?: readonly ServiceLoadBalancer[];
  /**
   * Cloud Map service to register tasks in.
   * @default - none
   */
  readonly serviceRegistryArn?: string;
  /**
   * One task per container instance (and no AZ rebalancing, which would move them).
   * @default false
   */
  readonly distinctInstance?: boolean;
  /**
   * Leave desiredCount to Application Auto Scaling after creation.
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * `terraform apply` waits until the rollout is steady (fails on a broken rollout).
   * @default true
   */
  readonly waitForSteadyState?: boolean;
}

/**
 * An ECS service that rolls out safely: deployment circuit breaker with rollback, explicit healthy/maximum
 * percentages, AZ spread and rebalancing, no public IPs, managed tags, and `terraform apply` waits for steady state
 * so a failed rollout fails the apply instead of leaving a broken service behind.
 */
export class ResilientService extends Construct {
  readonly service: EcsService;
  /** The ECS service name (as configured, so alarms and scaling targets need no reference to the resource). */
  readonly serviceName: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ResilientServiceProps,
  ) {
    super(scope, id);
    const { placement } = props;
    this.serviceName = props.name;
    this.service = new EcsService(this, "service", {
      name: props.name,
      cluster: props.clusterArn,
      taskDefinition: props.taskDefinitionArn,
      desiredCount: props.desiredCount,
      launchType: placement.kind === "ec2-launch-type" ? "EC2" : undefined,
      capacityProviderStrategy:
        placement.kind === "capacity-provider"
          ? [{ capacityProvider: placement.name, weight: 1, base: 0 }]
          : placement.kind === "fargate"
            ? [{ capacityProvider: placement.spot ? "FARGATE_SPOT" : "FARGATE", weight: 1, base: 0 }]
            : undefined,
      platformVersion: placement.kind === "fargate" ? "LATEST" : undefined,
      networkConfiguration: props.network
        ? { subnets: props.network.subnetIds, securityGroups: props.network.securityGroupIds, assignPublicIp: false }
        : undefined,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: props.minimumHealthyPercent ?? 100,
      deploymentMaximumPercent: props.maximumPercent ?? 200,
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds,
      loadBalancer: props.loadBalancers?.map(({ routedBy: _routedBy, ...target }) => target),
      serviceRegistries: props.serviceRegistryArn ? { registryArn: props.serviceRegistryArn } : undefined,
      orderedPlacementStrategy:
        placement.kind === "capacity-provider"
          ? [
              { type: "spread", field: "attribute:ecs.availability-zone" },
              { type: "binpack", field: "memory" },
            ]
          : undefined,
      placementConstraints: props.distinctInstance ? [{ type: "distinctInstance" }] : undefined,
      availabilityZoneRebalancing: props.distinctInstance ? "DISABLED" : "ENABLED",
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      waitForSteadyState: props.waitForSteadyState ?? true,
      lifecycle: props.autoscaled ? { ignoreChanges: ["desired_count"] } : undefined,
      dependsOn: props.loadBalancers?.map((target) => target.routedBy),
    });
  }

  /** The Application Auto Scaling target of this service's desired count: the hook scaling policies attach to. */
  scalableTarget(minCapacity: number, maxCapacity: number): AppautoscalingTarget {
    return new AppautoscalingTarget(this, "scaling-target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${this.props.clusterName}/${this.props.name}`,
      minCapacity,
      maxCapacity,
      dependsOn: [this.service],
    });
  }
}
