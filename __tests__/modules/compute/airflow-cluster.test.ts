import { TerraformOutput, Testing } from "cdktf";
import { AirflowCluster } from "../../../modules/compute/airflow-cluster";
import { ImageRepository } from "../../../modules/compute/image-repository";

/** Synthesizes the cluster and the image repository, publishing what they expose as outputs. */
function synth() {
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      const cluster = new AirflowCluster(scope, "cluster", {
        clusterName: "airflow-dev-cluster",
        namespace: "airflow-dev.internal",
        vpcId: "vpc-1",
        awsvpcTrunking: false,
        capacity: {
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
        },
      });
      const images = new ImageRepository(scope, "images", { name: "airflow-dev-airflow" });
      const exposed: Record<string, string | number> = {
        cluster_name: cluster.clusterName,
        cluster_arn: cluster.clusterArn,
        capacity_provider: cluster.capacityProviderName,
        asg_name: cluster.asgName,
        asg_max_size: cluster.asgMaxSize,
        namespace_id: cluster.namespaceId,
        namespace_name: cluster.namespaceName,
        image: images.imageUri("3.1.5-1"),
      };
      for (const [name, value] of Object.entries(exposed)) new TerraformOutput(scope, name, { value });
    }),
  );
  return Object.fromEntries(Object.entries(json.output as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
}

describe("AirflowCluster", () => {
  it("exposes the cluster, its capacity and its namespace as references to its own resources", () => {
    // GIVEN a cluster WHEN its members are published THEN each refers to the resource attribute it names
    const outputs = synth();
    expect(outputs.cluster_name).toMatch(/^\$\{aws_ecs_cluster\.cluster_\w+\.name\}$/);
    expect(outputs.cluster_arn).toMatch(/^\$\{aws_ecs_cluster\.cluster_\w+\.arn\}$/);
    expect(outputs.capacity_provider).toMatch(/^\$\{aws_ecs_capacity_provider\.\S+\.name\}$/);
    expect(outputs.asg_name).toMatch(/^\$\{aws_autoscaling_group\.\S+\.name\}$/);
    expect(outputs.asg_max_size).toMatch(/^\$\{aws_autoscaling_group\.\S+\.max_size\}$/);
    expect(outputs.namespace_id).toMatch(/^\$\{aws_service_discovery_private_dns_namespace\.\S+\.id\}$/);
    expect(outputs.namespace_name).toMatch(/^\$\{aws_service_discovery_private_dns_namespace\.\S+\.name\}$/);
  });
});

describe("ImageRepository", () => {
  it("names an image of a tag in the repository", () => {
    expect(synth().image).toMatch(/^\$\{aws_ecr_repository\.images_repository_\w+\.repository_url\}:3\.1\.5-1$/);
  });
});
