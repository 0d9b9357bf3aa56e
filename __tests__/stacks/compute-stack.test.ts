import { maxContainerInstances } from "../../config/spot";
import { ecsAgentConfig, SPOT_DISTRIBUTION } from "../../modules/compute/container-instances";
import { only, repoEnvironments, resources, snapshotText, stackJson } from "../support/synth";

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("ComputeStack (%s)", (_name, config) => {
  const json = stackJson(config.name, "compute");
  const all = (type: string) => Object.values(resources(json, type)) as Record<string, any>[];
  const base = `${config.namePrefix}-${config.name}`;
  const containerInstances = all("aws_launch_template").find((t) => t.name === `${base}-ec2`)!;
  const asg = all("aws_autoscaling_group").find((g) => g.name === `${base}-ec2`)!;

  it("matches the reviewed snapshot", () => {
    expect(snapshotText(json)).toMatchSnapshot();
  });

  it("reads the network, storage and IAM contracts", () => {
    expect(Object.keys(json.data?.terraform_remote_state ?? {}).sort()).toEqual(["iam_contract", "network_contract", "storage_contract"]);
  });

  it("runs an ECS cluster with Container Insights", () => {
    expect(only(json, "aws_ecs_cluster")).toMatchObject({ name: `${base}-cluster`, setting: [{ name: "containerInsights", value: "enabled" }] });
  });

  it("launches the ECS-optimized AL2023 AMI resolved at launch, with IMDSv2 (hop limit 1), encrypted EBS and no public IP", () => {
    expect(containerInstances).toMatchObject({
      image_id: "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
      instance_type: config.compute.instanceType,
      metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1, http_endpoint: "enabled" },
      block_device_mappings: [
        { device_name: "/dev/xvda", ebs: { encrypted: "true", volume_type: "gp3", volume_size: config.compute.rootVolumeGb, delete_on_termination: "true" } },
      ],
      network_interfaces: [
        {
          associate_public_ip_address: "false",
          delete_on_termination: "true",
          security_groups: ["${data.terraform_remote_state.network_contract.outputs.container_instances_security_group_id}"],
        },
      ],
      iam_instance_profile: { arn: "${data.terraform_remote_state.iam_contract.outputs.container_instance_profile_arn}" },
    });
  });

  it("configures the ECS agent in user data: cluster, task roles (task protection), IMDS blocked for tasks, stop timeout", () => {
    expect(containerInstances.user_data).toMatch(/^\$\{base64encode\("/);
    for (const [key, value] of Object.entries(
      ecsAgentConfig({ clusterName: `${base}-cluster`, containerStopTimeoutSeconds: config.compute.containerStopTimeoutSeconds }),
    )) {
      expect(containerInstances.user_data).toContain(`${key}=${value}`);
    }
    expect(containerInstances.user_data).toContain(`ECS_CONTAINER_STOP_TIMEOUT=${config.compute.containerStopTimeoutSeconds}s`);
  });

  it("spreads the Auto Scaling group over the private subnets with scale-in protection, leaving desired capacity to ECS", () => {
    expect(asg).toMatchObject({
      min_size: config.compute.minInstances,
      max_size: config.compute.maxInstances,
      vpc_zone_identifier: "${data.terraform_remote_state.network_contract.outputs.private_subnet_ids}",
      protect_from_scale_in: true,
      lifecycle: { ignore_changes: ["desired_capacity"] },
    });
    expect(asg.tag).toEqual(
      expect.arrayContaining([
        { key: "AmazonECSManaged", value: "true", propagate_at_launch: true },
        { key: "environment", value: config.name, propagate_at_launch: true },
      ]),
    );
  });

  it("scales instances through capacity providers with managed scaling, termination protection and draining, on demand the cluster default", () => {
    const providers = all("aws_ecs_capacity_provider");
    expect(providers.map((p) => p.name)).toEqual(config.compute.spot ? [`${base}-ec2`, `${base}-ec2-spot`] : [`${base}-ec2`]);
    for (const provider of providers) {
      expect(provider.auto_scaling_group_provider).toMatchObject({
        managed_termination_protection: "ENABLED",
        managed_draining: "ENABLED",
        managed_scaling: { status: "ENABLED", target_capacity: config.compute.targetCapacityPercent },
      });
    }
    const ec2 = providers.map(() => expect.stringContaining("aws_ecs_capacity_provider"));
    expect(only(json, "aws_ecs_cluster_capacity_providers")).toMatchObject({
      capacity_providers: [...ec2, "FARGATE", "FARGATE_SPOT"],
      default_capacity_provider_strategy: [
        { capacity_provider: expect.stringMatching(/aws_ecs_capacity_provider\.cluster_capacity_capacity-provider/), weight: 1, base: 0 },
      ],
    });
  });

  it(`${config.compute.spot ? "buys" : "has no"} a Spot group for the ec2-spot pools: every configured type, rebalanced, drained on the interruption notice`, () => {
    const spot = all("aws_autoscaling_group").find((g) => g.name === `${base}-ec2-spot`);
    expect(spot !== undefined).toBe(config.compute.spot !== undefined);
    if (!config.compute.spot || !spot) return;
    expect(spot).toMatchObject({
      min_size: config.compute.spot.minInstances,
      max_size: config.compute.spot.maxInstances,
      capacity_rebalance: true,
      protect_from_scale_in: true,
      vpc_zone_identifier: "${data.terraform_remote_state.network_contract.outputs.private_subnet_ids}",
      mixed_instances_policy: {
        instances_distribution: {
          on_demand_base_capacity: 0,
          on_demand_percentage_above_base_capacity: 0,
          spot_allocation_strategy: SPOT_DISTRIBUTION.spotAllocationStrategy,
        },
        launch_template: { override: config.compute.spot.instanceTypes.map((instance_type) => ({ instance_type })) },
      },
    });
    const template = all("aws_launch_template").find((t) => t.name === `${base}-ec2-spot`)!;
    expect(template).toMatchObject({ instance_type: config.compute.spot.instanceTypes[0], metadata_options: { http_tokens: "required" } });
    expect(template.user_data).toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
    expect(containerInstances.user_data).not.toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING");
  });

  it(`${config.compute.awsvpcTrunking ? "manages" : "leaves alone"} the account's awsvpcTrunking setting`, () => {
    expect(all("aws_ecs_account_setting_default")).toEqual(config.compute.awsvpcTrunking ? [{ name: "awsvpcTrunking", value: "enabled" }] : []);
  });

  it(`${config.compute.bastion.enabled ? "runs" : "has no"} an SSM-only bastion: one instance, private subnets, IMDSv2, no public IP`, () => {
    const bastion = all("aws_autoscaling_group").find((g) => g.name === `${base}-bastion`);
    expect(bastion !== undefined).toBe(config.compute.bastion.enabled);
    if (!bastion) return;
    expect(bastion).toMatchObject({
      min_size: 1,
      max_size: 1,
      vpc_zone_identifier: "${data.terraform_remote_state.network_contract.outputs.private_subnet_ids}",
    });
    expect(all("aws_launch_template").find((t) => t.name === `${base}-bastion`)).toMatchObject({
      image_id: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
      metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 },
      network_interfaces: [expect.objectContaining({ associate_public_ip_address: "false" })],
    });
  });

  it("keeps the image in an ECR repository with immutable tags, scan on push, KMS and lifecycle rules", () => {
    expect(only(json, "aws_ecr_repository")).toMatchObject({
      name: `${base}-airflow`,
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS" }],
    });
    expect(JSON.parse(only(json, "aws_ecr_lifecycle_policy").policy as string).rules.map((r: any) => r.selection.tagStatus)).toEqual(["untagged", "tagged"]);
  });

  it("creates the private DNS namespace workers reach the Execution API in", () => {
    expect(only(json, "aws_service_discovery_private_dns_namespace")).toMatchObject({
      name: `${base}.internal`,
      vpc: "${data.terraform_remote_state.network_contract.outputs.vpc_id}",
    });
  });

  it("defines the one-off migration task: db migrate as Airflow's user on a read-only root, with DB credentials and the admin password only", () => {
    const task = all("aws_ecs_task_definition").find((t) => t.family === `${base}-migrate`)!;
    const [container] = JSON.parse(task.container_definitions);
    expect(container).toMatchObject({ name: "migrate", command: ["db", "migrate"], user: "50000:0", readonlyRootFilesystem: true });
    expect(container.image).toMatch(
      new RegExp(`^\\$\\{aws_ecr_repository\\.images_repository_\\w+\\.repository_url\\}:${config.airflow.imageTag.replace(/\./g, "\\.")}$`),
    );
    expect(container.secrets.map((s: any) => s.name).sort()).toEqual([
      "AIRFLOW_ECS_ADMIN_PASSWORD",
      "AIRFLOW_ECS_DB_PASSWORD",
      "AIRFLOW_ECS_DB_USER",
      "AIRFLOW__API_AUTH__JWT_SECRET",
      "AIRFLOW__CORE__FERNET_KEY",
    ]);
    expect(task).toMatchObject({
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      task_role_arn: "${data.terraform_remote_state.iam_contract.outputs.migrate_task_role_arn}",
    });
  });

  it("publishes the cluster, capacity, the instance ceiling, namespace, repository and migration task", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual(
      [
        "max_container_instances",
        "spot_asg_name",
        "spot_capacity_provider_name",
        "asg_name",
        "capacity_provider_name",
        "cluster_arn",
        "cluster_name",
        "ecr_repository_url",
        "migrate_security_group_id",
        "migrate_subnet_ids",
        "migrate_task_definition_arn",
        "service_discovery_namespace_id",
        "service_discovery_namespace_name",
      ].sort(),
    );
    expect(json.output!.max_container_instances.value).toBe(maxContainerInstances(config.compute));
    const spot = [json.output!.spot_capacity_provider_name.value, json.output!.spot_asg_name.value];
    if (config.compute.spot)
      expect(spot).toEqual([expect.stringMatching(/aws_ecs_capacity_provider\.\S*spot/), expect.stringMatching(/aws_autoscaling_group\.\S*spot/)]);
    else expect(spot).toEqual(["", ""]);
  });
});
