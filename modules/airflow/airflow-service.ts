import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Construct } from "constructs";
import type { AlbTarget } from "../alb/airflow-load-balancer";
import type { CapacityKind, TaskSize } from "../../config/schema";
import type { Naming } from "../core/naming";
import type { TaskCompatibility } from "../ecs/container-task";
import { ResilientService, type ServicePlacement } from "../ecs/resilient-service";
import type { OperatedService } from "../operations/operated-resources";
import type { AirflowRuntime } from "./airflow-settings";
import { AirflowTask, type DagVolumes } from "./airflow-task";
import type { Component } from "../../runtime/airflow-image";

/** Where the cluster runs tasks, resolved from the compute contract. */
export interface ClusterTarget {
  /** ARN of the ECS cluster the services join. */
  readonly clusterArn: string;
  /** Name of the ECS cluster (scaling targets and RunTask name it). */
  readonly clusterName: string;
  /** The cluster's EC2 capacity provider, for services on `ec2` capacity. */
  readonly capacityProviderName: string;
  /**
   * The cluster's EC2 Spot capacity provider, for worker pools on `ec2-spot` capacity.
   * @default - none: no service may ask for `ec2-spot`
   */
  readonly spotCapacityProviderName?: string;
  /** Private subnets tasks get their ENIs in (awsvpc), one per AZ. */
  readonly subnetIds: string[];
}

/** Maps a configured capacity to the service placement and the task's compatibility. */
export function placementFor(capacity: CapacityKind, cluster: ClusterTarget): { placement: ServicePlacement; compatibility: TaskCompatibility } {
  switch (capacity) {
    case "ec2":
      return { placement: { kind: "capacity-provider", name: cluster.capacityProviderName }, compatibility: "EC2" };
    case "ec2-spot":
      if (!cluster.spotCapacityProviderName) throw new Error('capacity "ec2-spot" needs the cluster\'s Spot capacity provider (compute.spot)');
      return { placement: { kind: "capacity-provider", name: cluster.spotCapacityProviderName }, compatibility: "EC2" };
    case "fargate":
      return { placement: { kind: "fargate", spot: false }, compatibility: "FARGATE" };
    case "fargate-spot":
      return { placement: { kind: "fargate", spot: true }, compatibility: "FARGATE" };
  }
}

export interface AirflowServiceProps {
  /** The Airflow component: its container name, settings, secrets, health check and port. */
  readonly component: Component;
  /** Names of the environment: the service and task family are `naming.name(shortName)`, the log group `naming.logGroup(shortName)`. */
  readonly naming: Naming;
  /**
   * The service's name within the environment, e.g. `scheduler` or `worker-default`.
   * @default the component
   */
  readonly shortName?: string;
  /** Airflow subcommand of the main container (the image's entrypoint prepends `airflow`). */
  readonly command: readonly string[];
  /** The Airflow image, `<repository url>:<tag>`. */
  readonly image: string;
  /** Task CPU units and memory (MiB). */
  readonly size: TaskSize;
  /** Tasks the service keeps running (the initial count when `autoscaled`). */
  readonly desiredCount: number;
  /**
   * Where the tasks run: the cluster's EC2 or EC2 Spot capacity provider, Fargate or Fargate Spot.
   * @default "ec2"
   */
  readonly capacity?: CapacityKind;
  /** The cluster, its capacity provider and the private subnets. */
  readonly cluster: ClusterTarget;
  /** Security group of the tasks' ENIs. */
  readonly securityGroupId: string;
  /** What the containers' settings and secrets are built from. */
  readonly runtime: AirflowRuntime;
  /** Role ECS uses to pull the image, write logs and inject the secrets. */
  readonly executionRoleArn: string;
  /** Role the containers run with. */
  readonly taskRoleArn: string;
  /** The DAG file system, mounted read-only through its access points. */
  readonly dags: DagVolumes;
  /**
   * Start the main container only after `airflow db check-migrations` succeeds.
   * @default true
   */
  readonly waitForMigrations?: boolean;
  /**
   * Seconds between SIGTERM and SIGKILL.
   * @default - Fargate's 30 s; on EC2 the agent's ECS_CONTAINER_STOP_TIMEOUT
   */
  readonly stopTimeout?: number;
  /**
   * Percentage of the desired count kept running while a new revision rolls out.
   * @default 100
   */
  readonly minimumHealthyPercent?: number;
  /**
   * Register the service behind a target group of the ALB.
   * @default - not behind the ALB
   */
  readonly loadBalancer?: AlbTarget & {
    /** Container port the target group forwards to. */
    readonly containerPort: number;
    /** Seconds after a task starts before failed ALB health checks count. */
    readonly gracePeriodSeconds: number;
  };
  /**
   * Register tasks in the private DNS namespace (A records).
   * @default - not discoverable
   */
  readonly discovery?: {
    /** The Cloud Map private DNS namespace. */
    readonly namespaceId: string;
    /** Name in the namespace: tasks resolve as `<name>.<namespace>`. */
    readonly name: string;
  };
  /**
   * Desired count is driven by Application Auto Scaling after creation (Terraform ignores its drift).
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * Plain variables added to the main and init containers, after the component's settings.
   * @default - none
   */
  readonly extraEnvironment?: Readonly<Record<string, string>>;
  /** Retention of the service's log group. */
  readonly logRetentionDays: number;
  /** KMS key encrypting the service's log group. */
  readonly logsKmsKeyArn: string;
}

/**
 * What every Airflow service of an environment shares (image, cluster, runtime, execution role, DAG volumes, logs):
 * built once by the stack, spread into each service's props.
 */
export type AirflowServiceDefaults = Pick<
  AirflowServiceProps,
  "naming" | "image" | "cluster" | "runtime" | "executionRoleArn" | "dags" | "logRetentionDays" | "logsKmsKeyArn"
>;

/**
 * An Airflow component as an ECS service: its task (settings, secrets, health check, read-only root, EFS DAGs,
 * migration gate, log group), a resilient service on the chosen capacity in the private subnets, and optionally an
 * ALB target and a service-discovery name. `deployment.scalableTarget` is the hook autoscaling policies attach to.
 */
export class AirflowService extends Construct implements OperatedService {
  /** The task definition and its log group. */
  readonly task: AirflowTask;
  /** The ECS service. */
  readonly deployment: ResilientService;
  readonly shortName: string;
  readonly serviceName: string;
  readonly logGroupName: string;
  /** Security group of the service's tasks. */
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: AirflowServiceProps) {
    super(scope, id);
    this.shortName = props.shortName ?? props.component;
    this.serviceName = props.naming.name(this.shortName);
    this.logGroupName = props.naming.logGroup(this.shortName);
    this.securityGroupId = props.securityGroupId;
    const { placement, compatibility } = placementFor(props.capacity ?? "ec2", props.cluster);
    this.task = new AirflowTask(this, "task", {
      component: props.component,
      family: this.serviceName,
      command: props.command,
      image: props.image,
      size: props.size,
      compatibility,
      runtime: props.runtime,
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      dags: props.dags,
      waitForMigrations: props.waitForMigrations ?? true,
      stopTimeout: props.stopTimeout,
      extraEnvironment: props.extraEnvironment,
      logGroupName: this.logGroupName,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
    });
    const registry = props.discovery
      ? new ServiceDiscoveryService(this, "discovery", {
          name: props.discovery.name,
          dnsConfig: { namespaceId: props.discovery.namespaceId, routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
          healthCheckCustomConfig: { failureThreshold: 1 },
          forceDestroy: true,
        })
      : undefined;
    this.deployment = new ResilientService(this, "service", {
      name: this.serviceName,
      clusterArn: props.cluster.clusterArn,
      clusterName: props.cluster.clusterName,
      taskDefinitionArn: this.task.taskDefinitionArn,
      desiredCount: props.desiredCount,
      placement,
      network: { subnetIds: props.cluster.subnetIds, securityGroupIds: [props.securityGroupId] },
      minimumHealthyPercent: props.minimumHealthyPercent,
      healthCheckGracePeriodSeconds: props.loadBalancer?.gracePeriodSeconds,
      loadBalancers: props.loadBalancer
        ? [
            {
              targetGroupArn: props.loadBalancer.targetGroupArn,
              routedBy: props.loadBalancer.routedBy,
              containerName: props.component,
              containerPort: props.loadBalancer.containerPort,
            },
          ]
        : undefined,
      serviceRegistryArn: registry?.arn,
      autoscaled: props.autoscaled,
    });
  }

  /** ARN of the service's task definition. */
  get taskDefinitionArn(): string {
    return this.task.taskDefinitionArn;
  }
}
