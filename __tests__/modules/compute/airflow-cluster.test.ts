import { TerraformOutput, Testing } from "cdktf";
import { AirflowCluster, type AirflowClusterProps } from "../../../modules/compute/airflow-cluster";
import { SPOT_DISTRIBUTION } from "../../../modules/compute/container-instances";
import { ImageRepository } from "../../../modules/compute/image-repository";

const CAPACITY: AirflowClusterProps["capacity"] = {
  name: "airflow-dev-ec2",
  instanceType: "m7i.large",
  minInstances: 1,
  maxInstances: 4,
  targetCapacityPercent: 100,
  rootVolumeGb: 30,
  containerStopTimeoutSeconds: 900,
  subnetIds: ["subnet-a"],
  securityGroupId: "sg-hosts",
  instanceProfileArn: "arn:profile",
  tags: {},
};
const SPOT_TYPES = ["m7i.xlarge", "m6i.xlarge", "m5.xlarge"];

/** Synthesizes the cluster (optionally with Spot capacity) and the image repository, publishing what they expose as outputs. */
function synth(spot = false) {
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      const cluster = new AirflowCluster(scope, "cluster", {
        clusterName: "airflow-dev-cluster",
        namespace: "airflow-dev.internal",
        vpcId: "vpc-1",
        awsvpcTrunking: false,
        capacity: CAPACITY,
        spotCapacity: spot
          ? { ...CAPACITY, name: "airflow-dev-ec2-spot", instanceType: SPOT_TYPES[0], spotInstanceTypes: SPOT_TYPES, minInstances: 0, maxInstances: 2 }
          : undefined,
      });
      const images = new ImageRepository(scope, "images", { name: "airflow-dev-airflow" });
      const exposed: Record<string, string | number> = {
        cluster_name: cluster.clusterName,
        cluster_arn: cluster.clusterArn,
        capacity_provider: cluster.capacityProviderName,
        asg_name: cluster.asgName,
        spot_capacity_provider: cluster.spotCapacityProviderName ?? "none",
        spot_asg_name: cluster.spotAsgName ?? "none",
        max_instances: cluster.maxInstances,
        namespace_id: cluster.namespaceId,
        namespace_name: cluster.namespaceName,
        image: images.imageUri("3.1.5-1"),
      };
      for (const [name, value] of Object.entries(exposed)) new TerraformOutput(scope, name, { value });
    }),
  );
  const outputs = Object.fromEntries(Object.entries(json.output as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
  return { json, outputs };
}

const groups = (json: any) => Object.values(json.resource.aws_autoscaling_group as Record<string, any>);
const group = (json: any, name: string) => groups(json).find((g) => g.name === name);
const userData = (json: any, name: string) => {
  const template = Object.values(json.resource.aws_launch_template as Record<string, any>).find((t) => t.name === name);
  return String(template.user_data);
};

describe("AirflowCluster", () => {
  it("exposes the cluster, its capacity and its namespace as references to its own resources", () => {
    // GIVEN a cluster WHEN its members are published THEN each refers to the resource attribute it names
    const { outputs } = synth();
    expect(outputs.cluster_name).toMatch(/^\$\{aws_ecs_cluster\.cluster_\w+\.name\}$/);
    expect(outputs.cluster_arn).toMatch(/^\$\{aws_ecs_cluster\.cluster_\w+\.arn\}$/);
    expect(outputs.capacity_provider).toMatch(/^\$\{aws_ecs_capacity_provider\.\S+\.name\}$/);
    expect(outputs.asg_name).toMatch(/^\$\{aws_autoscaling_group\.\S+\.name\}$/);
    expect(outputs.namespace_id).toMatch(/^\$\{aws_service_discovery_private_dns_namespace\.\S+\.id\}$/);
    expect(outputs.namespace_name).toMatch(/^\$\{aws_service_discovery_private_dns_namespace\.\S+\.name\}$/);
    // AND without Spot capacity there is no Spot provider, and the instance ceiling is the one group's
    expect([outputs.spot_capacity_provider, outputs.spot_asg_name, outputs.max_instances]).toEqual(["none", "none", 4]);
  });

  it("buys the on-demand group from its launch template alone, without Spot draining", () => {
    const { json } = synth();
    const onDemand = group(json, "airflow-dev-ec2");
    expect(onDemand.mixed_instances_policy).toBeUndefined();
    expect(onDemand.launch_template).toEqual({ id: expect.stringMatching(/aws_launch_template/), version: expect.any(String) });
    expect(userData(json, "airflow-dev-ec2")).not.toContain("SPOT");
  });

  describe("with Spot capacity", () => {
    const { json, outputs } = synth(true);

    it("adds a second group bought as Spot from every configured type, rebalancing at-risk instances", () => {
      // GIVEN three Spot types WHEN synthesized THEN the group's mixed instances policy overrides the template with each, all Spot
      const spot = group(json, "airflow-dev-ec2-spot");
      expect(spot.launch_template).toBeUndefined();
      expect(spot.mixed_instances_policy).toEqual({
        instances_distribution: {
          on_demand_base_capacity: 0,
          on_demand_percentage_above_base_capacity: 0,
          spot_allocation_strategy: SPOT_DISTRIBUTION.spotAllocationStrategy,
        },
        launch_template: {
          launch_template_specification: { launch_template_id: expect.stringMatching(/aws_launch_template/), version: expect.any(String) },
          override: SPOT_TYPES.map((instance_type) => ({ instance_type })),
        },
      });
      expect(spot).toMatchObject({ capacity_rebalance: true, protect_from_scale_in: true, min_size: 0, max_size: 2 });
      // AND its agent drains the host on the two-minute interruption notice
      expect(userData(json, "airflow-dev-ec2-spot")).toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
    });

    it("registers the Spot provider with managed scaling, termination protection and draining, beside the on-demand one", () => {
      const providers = Object.values(json.resource.aws_ecs_capacity_provider as Record<string, any>);
      expect(providers.map((p) => p.name).sort()).toEqual(["airflow-dev-ec2", "airflow-dev-ec2-spot"]);
      for (const p of providers) {
        expect(p.auto_scaling_group_provider).toMatchObject({ managed_termination_protection: "ENABLED", managed_draining: "ENABLED" });
      }
      const cluster = Object.values(json.resource.aws_ecs_cluster_capacity_providers as Record<string, any>)[0];
      expect(cluster.capacity_providers).toHaveLength(4);
      expect(cluster.capacity_providers.slice(2)).toEqual(["FARGATE", "FARGATE_SPOT"]);
      // AND the default strategy stays the on-demand provider alone
      expect(cluster.default_capacity_provider_strategy).toEqual([{ capacity_provider: cluster.capacity_providers[0], weight: 1, base: 0 }]);
    });

    it("exposes the Spot provider and group, and counts both groups' maxima as the instance ceiling", () => {
      expect(outputs.spot_capacity_provider).toMatch(/^\$\{aws_ecs_capacity_provider\.\S*spot\S*\.name\}$/);
      expect(outputs.spot_asg_name).toMatch(/^\$\{aws_autoscaling_group\.\S*spot\S*\.name\}$/);
      expect(outputs.max_instances).toBe(6);
    });
  });

  it("refuses Spot capacity without instance types, naming the construct", () => {
    expect(() =>
      Testing.synthScope(
        (scope) =>
          new AirflowCluster(scope, "cluster", {
            clusterName: "c",
            namespace: "n.internal",
            vpcId: "vpc-1",
            awsvpcTrunking: false,
            capacity: CAPACITY,
            spotCapacity: { ...CAPACITY, name: "spot" },
          }),
      ),
    ).toThrow("spotCapacity needs spotInstanceTypes (the Spot group's instance types)");
  });
});

describe("ImageRepository", () => {
  it("names an image of a tag in the repository", () => {
    expect(synth().outputs.image).toMatch(/^\$\{aws_ecr_repository\.images_repository_\w+\.repository_url\}:3\.1\.5-1$/);
  });
});
