import { EcsAccountSettingDefault } from "@cdktf/provider-aws/lib/ecs-account-setting-default";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { Construct } from "constructs";
import { constructError } from "../core/construct-error";
import { ContainerInstances, type ContainerInstancesProps } from "./container-instances";

export interface AirflowClusterProps {
  /** ECS cluster name, e.g. `airflow-prod-cluster`. */
  readonly clusterName: string;
  /** Private DNS namespace, e.g. `airflow-prod.internal` (workers reach the api-server's Execution API there). */
  readonly namespace: string;
  /** VPC of the namespace. */
  readonly vpcId: string;
  /** The EC2 capacity: instances, their subnets, security group, profile and tags. */
  readonly capacity: Omit<ContainerInstancesProps, "clusterName">;
  /**
   * A second group bought as EC2 Spot (`spotInstanceTypes` set), registered as a capacity provider of its own for
   * the services that ask for it.
   * @default - no Spot capacity
   */
  readonly spotCapacity?: Omit<ContainerInstancesProps, "clusterName">;
  /** Manage the account's `awsvpcTrunking` default (one environment per account). */
  readonly awsvpcTrunking: boolean;
}

/**
 * The ECS cluster with Container Insights, its EC2 capacity provider as the default strategy (an EC2 Spot provider,
 * Fargate and Fargate Spot registered for the worker pools that ask for them), and the private DNS namespace for
 * service discovery.
 */
export class AirflowCluster extends Construct {
  /** The ECS cluster. */
  readonly cluster: EcsCluster;
  /** Its EC2 capacity: launch template, Auto Scaling group, capacity provider. */
  readonly capacity: ContainerInstances;
  /** Its EC2 Spot capacity, when configured. */
  readonly spotCapacity?: ContainerInstances;
  /** The most container instances both groups run together (cAdvisor keeps one task on each). */
  readonly maxInstances: number;
  /** The private DNS namespace of service discovery. */
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;

  constructor(scope: Construct, id: string, props: AirflowClusterProps) {
    super(scope, id);
    this.cluster = new EcsCluster(this, "cluster", {
      name: props.clusterName,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    this.capacity = new ContainerInstances(this, "capacity", { ...props.capacity, clusterName: props.clusterName });
    if (props.spotCapacity) {
      if (!props.spotCapacity.spotInstanceTypes?.length) throw constructError(this, "spotCapacity needs spotInstanceTypes (the Spot group's instance types)");
      this.spotCapacity = new ContainerInstances(this, "spot-capacity", { ...props.spotCapacity, clusterName: props.clusterName });
    }
    this.maxInstances = props.capacity.maxInstances + (props.spotCapacity?.maxInstances ?? 0);
    const ec2Providers = [this.capacity, ...(this.spotCapacity ? [this.spotCapacity] : [])].map((c) => c.capacityProvider.name);
    new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: this.cluster.name,
      capacityProviders: [...ec2Providers, "FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategy: [{ capacityProvider: this.capacity.capacityProvider.name, weight: 1, base: 0 }],
    });
    if (props.awsvpcTrunking) {
      new EcsAccountSettingDefault(this, "awsvpc-trunking", { name: "awsvpcTrunking", value: "enabled" });
    }
    this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
      name: props.namespace,
      vpc: props.vpcId,
      description: `Service discovery of ${props.clusterName}`,
    });
  }

  get clusterName(): string {
    return this.cluster.name;
  }

  get clusterArn(): string {
    return this.cluster.arn;
  }

  /** The EC2 capacity provider, the cluster's default strategy. */
  get capacityProviderName(): string {
    return this.capacity.capacityProvider.name;
  }

  /** The Auto Scaling group of the container instances. */
  get asgName(): string {
    return this.capacity.group.name;
  }

  /** The EC2 Spot capacity provider; undefined without Spot capacity. */
  get spotCapacityProviderName(): string | undefined {
    return this.spotCapacity?.capacityProvider.name;
  }

  /** The Auto Scaling group of the Spot container instances; undefined without Spot capacity. */
  get spotAsgName(): string | undefined {
    return this.spotCapacity?.group.name;
  }

  get namespaceId(): string {
    return this.namespace.id;
  }

  /** Domain of the namespace, e.g. `airflow-prod.internal`. */
  get namespaceName(): string {
    return this.namespace.name;
  }
}
