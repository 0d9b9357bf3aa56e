import type { EnvironmentConfig } from "../../config/schema";
import { ArnBuilder } from "../../modules/core/arn";
import { defineContract, output } from "../../modules/core/contract";
import { Naming } from "../../modules/core/naming";

const naming = (c: EnvironmentConfig) => new Naming(c.namePrefix, c.name, c.account.id);

/** What the compute stack publishes: the cluster, its capacity, service discovery, the image repository, the migrate task. */
export const computeContract = defineContract("compute", {
  cluster_name: output.string("ECS cluster name", (c) => naming(c).cluster),
  cluster_arn: output.string("ECS cluster ARN", (c) => new ArnBuilder(c).of("ecs", `cluster/${naming(c).cluster}`)),
  capacity_provider_name: output.string("EC2 capacity provider (the cluster's default strategy)", (c) => naming(c).name("ec2")),
  asg_name: output.string("Auto Scaling group of the container instances", (c) => naming(c).name("ec2")),
  asg_max_size: output.number("Maximum number of container instances (cAdvisor runs one task per instance)", (c) => c.compute.maxInstances),
  service_discovery_namespace_id: output.string("Private DNS namespace for service discovery", () => "ns-0a1b2c3d4e5f67890"),
  service_discovery_namespace_name: output.string("Domain of the private DNS namespace", (c) => `${naming(c).base}.internal`),
  ecr_repository_url: output.string(
    "ECR repository of the Airflow image",
    (c) => `${c.account.id}.dkr.ecr.${c.account.region}.amazonaws.com/${naming(c).imageRepository}`,
  ),
  migrate_task_definition_arn: output.string("Task definition of the one-off database migration", (c) =>
    new ArnBuilder(c).of("ecs", `task-definition/${naming(c).name("migrate")}:1`),
  ),
  migrate_subnet_ids: output.list("Subnets the migration task runs in", (c) => c.network.availabilityZones.map((_, i) => `subnet-prv-0${i}a1b2c3d4e5f6789`)),
  migrate_security_group_id: output.string("Security group of the migration task", () => "sg-0b1c2d3e4f5061728"),
});

export type ComputeContract = typeof computeContract.outputs;
