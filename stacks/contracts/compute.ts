import type { EnvironmentConfig } from "../../config/schema";
import { defineContract, output } from "../../modules/core/contract";

/** The Spot outputs hold values only in an environment with a Spot group. */
const withSpot = (config: EnvironmentConfig) => config.compute.spot !== undefined;

/** What the compute stack publishes: the cluster, its capacity, service discovery, the image repository, the migrate task. */
export const computeContract = defineContract("compute", {
  cluster_name: output.string("ECS cluster name"),
  cluster_arn: output.string("ECS cluster ARN"),
  capacity_provider_name: output.string("EC2 capacity provider (the cluster's default strategy)"),
  asg_name: output.string("Auto Scaling group of the container instances"),
  spot_capacity_provider_name: output.string('EC2 Spot capacity provider of the "ec2-spot" worker pools; empty without compute.spot', {
    presentWhen: withSpot,
  }),
  spot_asg_name: output.string("Auto Scaling group of the Spot container instances; empty without compute.spot", { presentWhen: withSpot }),
  max_container_instances: output.number("Most container instances of both groups together (cAdvisor runs one task per instance)"),
  service_discovery_namespace_id: output.string("Private DNS namespace for service discovery"),
  service_discovery_namespace_name: output.string("Domain of the private DNS namespace"),
  ecr_repository_url: output.string("ECR repository of the Airflow image"),
  migrate_task_definition_arn: output.string("Task definition of the one-off database migration"),
  migrate_subnet_ids: output.list("Subnets the migration task runs in"),
  migrate_security_group_id: output.string("Security group of the migration task"),
});

export type ComputeContract = typeof computeContract.outputs;
