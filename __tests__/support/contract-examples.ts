import type { EnvironmentConfig } from "../../config/schema";
import { maxContainerInstances } from "../../config/spot";
import type { OutputKind, OutputSpec, StackKind } from "../../modules/core/contract";
import { ArnBuilder } from "../../modules/core/arn";
import { Naming } from "../../modules/core/naming";
import { SECURITY_GROUP_ROLES } from "../../modules/network/security-groups";
import type { ComputeContract } from "../../stacks/contracts/compute";
import { TASK_ROLE_COMPONENTS, type IamContract } from "../../stacks/contracts/iam";
import type { NetworkContract } from "../../stacks/contracts/network";
import type { ServicesContract } from "../../stacks/contracts/services";
import type { StorageContract } from "../../stacks/contracts/storage";

/**
 * Realistic stand-ins for every output of every stack contract, per environment: what a consumer sees in the
 * offline plan (`override_data` on its `terraform_remote_state`), so each must pass the provider's validation
 * wherever a consumer uses it. Test support only: the contracts themselves carry names, kinds and descriptions.
 */
type ExampleOf<K extends OutputKind> = K extends "list"
  ? readonly string[]
  : K extends "number"
    ? number
    : K extends "map"
      ? Readonly<Record<string, string>>
      : string;
export type ContractExamples<S extends Readonly<Record<string, OutputSpec>>> = {
  readonly [K in keyof S]: (config: EnvironmentConfig) => ExampleOf<S[K]["kind"]>;
};

const naming = (c: EnvironmentConfig) => new Naming(c.namePrefix, c.name, c.account.id);
const perAz = (prefix: string) => (c: EnvironmentConfig) => c.network.availabilityZones.map((_, i) => `${prefix}-0${i}a1b2c3d4e5f6789`);
const secretArn = (name: string) => (c: EnvironmentConfig) => new ArnBuilder(c).of("secretsmanager", `secret:${naming(c).secret(name)}-AbC123`);
const roleArn = (part: string) => (c: EnvironmentConfig) => new ArnBuilder(c).of("iam", `role/${naming(c).name(part)}`, "");
const profileArn = (part: string) => (c: EnvironmentConfig) => new ArnBuilder(c).of("iam", `instance-profile/${naming(c).name(part)}`, "");

const network: ContractExamples<NetworkContract> = {
  vpc_id: () => "vpc-0a1b2c3d4e5f67890",
  vpc_cidr_block: (c) => c.network.vpcCidr,
  availability_zones: (c) => c.network.availabilityZones,
  public_subnet_ids: perAz("subnet-pub"),
  private_subnet_ids: perAz("subnet-prv"),
  nat_public_ips: (c) => Array.from({ length: c.network.natGateways === "per-az" ? c.network.azCount : 1 }, (_, i) => `203.0.113.${10 + i}`),
  logs_kms_key_arn: (c) => new ArnBuilder(c).of("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
  ...(Object.fromEntries(
    SECURITY_GROUP_ROLES.map((role, i) => [`${role}_security_group_id`, () => `sg-0${i.toString(16).padStart(2, "0")}b2c3d4e5f678901`]),
  ) as Record<`${(typeof SECURITY_GROUP_ROLES)[number]}_security_group_id`, () => string>),
};

const storage: ContractExamples<StorageContract> = {
  data_kms_key_arn: (c) => new ArnBuilder(c).of("kms", "key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
  db_instance_identifier: (c) => naming(c).name("metadata"),
  db_address: (c) => `${naming(c).name("metadata")}.c0abcdefghij.${c.account.region}.rds.amazonaws.com`,
  db_port: () => 5432,
  db_name: () => "airflow",
  db_master_secret_arn: (c) => new ArnBuilder(c).of("secretsmanager", "secret:rds!db-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbC123"),
  redis_replication_group_id: (c) => naming(c).name("broker"),
  redis_primary_endpoint: (c) => `master.${naming(c).name("broker")}.abc123.euw1.cache.amazonaws.com`,
  redis_port: () => 6379,
  redis_auth_token_secret_arn: secretArn("redis-auth-token"),
  efs_file_system_id: () => "fs-0a1b2c3d4e5f67890",
  efs_file_system_arn: (c) => new ArnBuilder(c).of("elasticfilesystem", "file-system/fs-0a1b2c3d4e5f67890"),
  efs_dags_access_point_id: () => "fsap-0a1b2c3d4e5f67891",
  efs_dags_access_point_arn: (c) => new ArnBuilder(c).of("elasticfilesystem", "access-point/fsap-0a1b2c3d4e5f67891"),
  efs_plugins_access_point_id: () => "fsap-0a1b2c3d4e5f67892",
  efs_plugins_access_point_arn: (c) => new ArnBuilder(c).of("elasticfilesystem", "access-point/fsap-0a1b2c3d4e5f67892"),
  task_logs_bucket_name: (c) => naming(c).globalName("task-logs"),
  task_logs_bucket_arn: (c) => `arn:aws:s3:::${naming(c).globalName("task-logs")}`,
  alb_logs_bucket_name: (c) => naming(c).globalName("alb-logs"),
  dag_bucket_name: (c) => naming(c).globalName("dags"),
  dag_bucket_arn: (c) => `arn:aws:s3:::${naming(c).globalName("dags")}`,
  fernet_key_secret_arn: secretArn("fernet-key"),
  api_secret_key_secret_arn: secretArn("api-secret-key"),
  jwt_secret_secret_arn: secretArn("jwt-secret"),
  admin_password_secret_arn: secretArn("admin-password"),
  flower_basic_auth_secret_arn: secretArn("flower-basic-auth"),
  heartbeat_probe_secret_arn: secretArn("variables/heartbeat_probe"),
};

const iam: ContractExamples<IamContract> = {
  task_execution_role_arn: roleArn("task-execution"),
  container_instance_role_arn: roleArn("container-instance"),
  container_instance_profile_arn: profileArn("container-instance"),
  bastion_instance_profile_arn: profileArn("bastion"),
  publisher_lambda_role_arn: roleArn("queue-depth-publisher"),
  redeployer_lambda_role_arn: roleArn("service-redeployer"),
  worker_pool_task_role_arns: (c) => Object.fromEntries(c.workerPools.filter((p) => p.taskRole).map((p) => [p.name, roleArn(`worker-${p.name}-task`)(c)])),
  db_clean_scheduler_role_arn: roleArn("db-clean-scheduler"),
  ...(Object.fromEntries(TASK_ROLE_COMPONENTS.map((component) => [`${component}_task_role_arn`, roleArn(`${component.replace(/_/g, "-")}-task`)])) as Record<
    `${(typeof TASK_ROLE_COMPONENTS)[number]}_task_role_arn`,
    (c: EnvironmentConfig) => string
  >),
};

const compute: ContractExamples<ComputeContract> = {
  cluster_name: (c) => naming(c).cluster,
  cluster_arn: (c) => new ArnBuilder(c).of("ecs", `cluster/${naming(c).cluster}`),
  capacity_provider_name: (c) => naming(c).name("ec2"),
  asg_name: (c) => naming(c).name("ec2"),
  spot_capacity_provider_name: (c) => (c.compute.spot ? naming(c).name("ec2-spot") : ""),
  spot_asg_name: (c) => (c.compute.spot ? naming(c).name("ec2-spot") : ""),
  max_container_instances: (c) => maxContainerInstances(c.compute),
  service_discovery_namespace_id: () => "ns-0a1b2c3d4e5f67890",
  service_discovery_namespace_name: (c) => `${naming(c).base}.internal`,
  ecr_repository_url: (c) => `${c.account.id}.dkr.ecr.${c.account.region}.amazonaws.com/${naming(c).imageRepository}`,
  migrate_task_definition_arn: (c) => new ArnBuilder(c).of("ecs", `task-definition/${naming(c).name("migrate")}:1`),
  migrate_subnet_ids: (c) => c.network.availabilityZones.map((_, i) => `subnet-prv-0${i}a1b2c3d4e5f6789`),
  migrate_security_group_id: () => "sg-0b1c2d3e4f5061728",
};

const services: ContractExamples<ServicesContract> = {
  airflow_url: (c) => (c.alb.hostname ? `https://${c.alb.hostname}` : `http://internal-${naming(c).name("alb")}.elb.amazonaws.com`),
  alb_dns_name: (c) => `internal-${naming(c).name("alb")}-123456789.${c.account.region}.elb.amazonaws.com`,
  service_names: (c) => ["api-server", "scheduler"].map((s) => naming(c).name(s)),
  worker_service_names: (c) => c.workerPools.map((p) => naming(c).name(`worker-${p.name}`)),
};

export const CONTRACT_EXAMPLES: Readonly<Record<StackKind, Readonly<Record<string, (config: EnvironmentConfig) => unknown>>>> = {
  network,
  storage,
  iam,
  compute,
  services,
};

/** The example values of a producer's contract, as a consumer would read them from remote state. */
export function contractExampleValues(kind: StackKind, config: EnvironmentConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(CONTRACT_EXAMPLES[kind]).map(([name, example]) => [name, example(config)]));
}
