import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Construct } from "constructs";
import type { AlbTarget } from "../alb/airflow-load-balancer";
import type { CapacityKind, TaskSize } from "../../config/schema";
import type { TaskCompatibility } from "../ecs/container-task";
import { ResilientService, type ServicePlacement } from "../ecs/resilient-service";
import type { AirflowRuntime } from "./airflow-settings";
import { AirflowTask, type DagVolumes } from "./airflow-task";
import type { Component } from "../../runtime/airflow-image";

/** Where the cluster runs tasks, resolved from the compute contract. */
export interface ClusterTarget {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly capacityProviderName: string;
  readonly subnetIds: string[];
}

/** Maps a configured capacity to the service placement and the task's compatibility. */
export function placementFor(capacity: CapacityKind, cluster: ClusterTarget): { placement: ServicePlacement; compatibility: TaskCompatibility } {
  switch (capacity) {
    case "ec2":
      return { placement: { kind: "capacity-provider", name: cluster.capacityProviderName }, compatibility: "EC2" };
    case "fargate":
      return { placement: { kind: "fargate", spot: false }, compatibility: "FARGATE" };
    case "fargate-spot":
      return { placement: { kind: "fargate", spot: true }, compatibility: "FARGATE" };
  }
}

export interface AirflowServiceProps {
  readonly component: Component;
  /** Service and task-definition family name, e.g. `airflow-prod-scheduler`. */
  readonly name: string;
  readonly command: readonly string[];
  readonly image: string;
  readonly size: TaskSize;
  readonly desiredCount: number;
  /** @default "ec2" */
  readonly capacity?: CapacityKind;
  readonly cluster: ClusterTarget;
  readonly securityGroupId: string;
  readonly runtime: AirflowRuntime;
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  readonly dags: DagVolumes;
  /** @default true */
  readonly waitForMigrations?: boolean;
  readonly stopTimeout?: number;
  /** @default 100 */
  readonly minimumHealthyPercent?: number;
  /** Register the service behind a target group of the ALB. */
  readonly loadBalancer?: AlbTarget & { readonly containerPort: number; readonly gracePeriodSeconds: number };
  /** Register tasks in the private DNS namespace under this name (A records). */
  readonly discovery?: { readonly namespaceId: string; readonly name: string };
  /** Desired count is driven by Application Auto Scaling after creation. @default false */
  readonly autoscaled?: boolean;
  readonly extraEnvironment?: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly logsKmsKeyArn: string;
}

/**
 * An Airflow component as an ECS service: its task (settings, secrets, health check, read-only root, EFS DAGs,
 * migration gate, log group), a resilient service on the chosen capacity in the private subnets, and optionally an
 * ALB target and a service-discovery name. `scalableTarget` is the hook autoscaling policies attach to.
 */
export class AirflowService extends Construct {
  readonly task: AirflowTask;
  readonly deployment: ResilientService;
  readonly name: string;

  constructor(scope: Construct, id: string, props: AirflowServiceProps) {
    super(scope, id);
    this.name = props.name;
    const { placement, compatibility } = placementFor(props.capacity ?? "ec2", props.cluster);
    this.task = new AirflowTask(this, "task", {
      component: props.component,
      family: props.name,
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
      logGroupName: props.logGroupName,
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
      name: props.name,
      clusterArn: props.cluster.clusterArn,
      clusterName: props.cluster.clusterName,
      taskDefinitionArn: this.task.task.definition.arn,
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
}
