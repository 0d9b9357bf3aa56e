import { createHash } from "crypto";
import type { EnvironmentConfig } from "../../config/schema";
import { partitionOf } from "../../modules/core/arn";
import type { OutputKind, StackKind } from "../../modules/core/contract";
import { CONTRACTS } from "../../stacks/contracts";
import { contractExampleValues } from "./contract-examples";
import { AWS_DATA_STAND_INS } from "./offline-overrides";
import type { SynthesizedConfig } from "./terraform-harness";

/**
 * What the mock provider returns after apply, generated per resource instance from its type and configuration (never
 * hand-written per stack). `mock_provider "aws"` fills a computed string with 8 random characters and a computed
 * list with `[]`, which the stacks cannot live with: an ARN feeds attributes the real provider validates at plan
 * time (alarm actions, policy ARNs, KMS keys), an RDS instance's `master_user_secret[0].secret_arn` indexes a list.
 * So every resource gets an `override_resource` with the shapes AWS returns: ids with their type's prefix, ARNs in
 * their service's format (partition, region and account of the stack's environment), endpoints and DNS names.
 * Outputs that pass one attribute of a resource straight through take the producer contract's example value
 * (`contract-examples.ts`), so the applied contract looks like the one the offline plan used.
 */

export interface ResourceOverride {
  /** Address inside the stack, e.g. `aws_vpc.vpc`. */
  readonly address: string;
  readonly values: Record<string, unknown>;
}

export interface ApplyMocks {
  readonly resources: readonly ResourceOverride[];
  /** Data sources that would call AWS: their stand-ins (remote state is read for real, see FakeAws). */
  readonly data: readonly ResourceOverride[];
  /**
   * Ephemeral resources, by address (`ephemeral.<type>.<name>`): the attributes they open with. Terraform 1.11's
   * mock provider refuses them ("No ephemeral resource types in mock providers"), so the harness declares each as an
   * ephemeral input variable of the stack copy with these values (see apply-harness.ts).
   */
  readonly ephemeral: readonly ResourceOverride[];
}

interface Context {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The instance's name from its configuration (or its logical name when the name is computed or a reference). */
  readonly name: string;
  /** 17 hex digits, stable per address: the unique part of ids. */
  readonly hex: string;
  readonly uuid: string;
  readonly body: Record<string, unknown>;
}

const literal = (value: unknown): string | undefined => (typeof value === "string" && value !== "" && !value.includes("${") ? value : undefined);

function arn(c: Context, service: string, resource: string, { region = true, account = true } = {}): string {
  return `arn:${c.partition}:${service}:${region ? c.region : ""}:${account ? c.account : ""}:${resource}`;
}

const withId = (id: string, values: (id: string) => Record<string, unknown>) => ({ id, ...values(id) });

/** Resource shapes by type: the computed attributes consumers read, in the format AWS returns them. */
const SHAPES: Readonly<Record<string, (c: Context) => Record<string, unknown>>> = {
  aws_vpc: (c) =>
    withId(`vpc-0${c.hex}`, (id) => ({
      arn: arn(c, "ec2", `vpc/${id}`),
      owner_id: c.account,
      default_security_group_id: `sg-1${c.hex}`,
      default_route_table_id: `rtb-1${c.hex}`,
      main_route_table_id: `rtb-1${c.hex}`,
      default_network_acl_id: `acl-1${c.hex}`,
    })),
  aws_subnet: (c) => withId(`subnet-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `subnet/${id}`), owner_id: c.account })),
  aws_security_group: (c) => withId(`sg-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `security-group/${id}`), owner_id: c.account })),
  aws_default_security_group: (c) => withId(`sg-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `security-group/${id}`), owner_id: c.account })),
  aws_vpc_security_group_ingress_rule: (c) =>
    withId(`sgr-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `security-group-rule/${id}`), security_group_rule_id: id })),
  aws_vpc_security_group_egress_rule: (c) => withId(`sgr-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `security-group-rule/${id}`), security_group_rule_id: id })),
  aws_internet_gateway: (c) => withId(`igw-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `internet-gateway/${id}`), owner_id: c.account })),
  aws_eip: (c) =>
    withId(`eipalloc-0${c.hex}`, (id) => ({
      allocation_id: id,
      public_ip: `203.0.113.${parseInt(c.hex.slice(0, 2), 16) % 250}`,
      arn: arn(c, "ec2", `elastic-ip/${id}`),
    })),
  aws_nat_gateway: (c) =>
    withId(`nat-0${c.hex}`, () => ({ network_interface_id: `eni-0${c.hex}`, public_ip: `203.0.113.${parseInt(c.hex.slice(2, 4), 16) % 250}` })),
  aws_route_table: (c) => withId(`rtb-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `route-table/${id}`), owner_id: c.account })),
  aws_route: (c) => ({ id: `r-rtb-0${c.hex}1080289494` }),
  aws_route_table_association: (c) => ({ id: `rtbassoc-0${c.hex}` }),
  aws_vpc_endpoint: (c) => withId(`vpce-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `vpc-endpoint/${id}`), owner_id: c.account })),
  aws_flow_log: (c) => withId(`fl-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `vpc-flow-log/${id}`) })),
  aws_launch_template: (c) => withId(`lt-0${c.hex}`, (id) => ({ arn: arn(c, "ec2", `launch-template/${id}`), latest_version: 1, default_version: 1 })),
  aws_kms_key: (c) => withId(c.uuid, (id) => ({ key_id: id, arn: arn(c, "kms", `key/${id}`) })),
  aws_kms_alias: (c) => withId(c.name, (id) => ({ arn: arn(c, "kms", id), target_key_arn: arn(c, "kms", `key/${c.uuid}`) })),
  aws_s3_bucket: (c) =>
    withId(c.name, (id) => ({
      bucket: id,
      arn: arn(c, "s3", id, { region: false, account: false }),
      bucket_domain_name: `${id}.s3.amazonaws.com`,
      bucket_regional_domain_name: `${id}.s3.${c.region}.amazonaws.com`,
      hosted_zone_id: "Z1BKCTXD74EZPE",
      region: c.region,
    })),
  aws_iam_role: (c) => withId(c.name, (id) => ({ name: id, arn: arn(c, "iam", `role/${id}`, { region: false }), unique_id: `AROA${c.hex.toUpperCase()}` })),
  aws_iam_instance_profile: (c) =>
    withId(c.name, (id) => ({ name: id, arn: arn(c, "iam", `instance-profile/${id}`, { region: false }), unique_id: `AIPA${c.hex.toUpperCase()}` })),
  aws_iam_openid_connect_provider: (c) => {
    const host = String(literal(c.body.url) ?? "token.actions.githubusercontent.com").replace(/^https:\/\//, "");
    return withId(arn(c, "iam", `oidc-provider/${host}`, { region: false }), (id) => ({ arn: id }));
  },
  aws_iam_role_policy: (c) => ({ id: `${c.name}:${c.name}` }),
  aws_iam_role_policy_attachment: (c) => ({ id: `${c.name}-2024010100000000000000000${c.hex.slice(0, 1)}` }),
  aws_secretsmanager_secret: (c) => withId(arn(c, "secretsmanager", `secret:${c.name}-${c.hex.slice(0, 6)}`), (id) => ({ arn: id })),
  aws_secretsmanager_secret_version: (c) => ({
    id: `${arn(c, "secretsmanager", `secret:${c.name}`)}|${c.uuid}`,
    version_id: c.uuid,
    arn: arn(c, "secretsmanager", `secret:${c.name}`),
  }),
  aws_secretsmanager_secret_rotation: (c) => ({ id: arn(c, "secretsmanager", `secret:${c.name}`) }),
  aws_cloudwatch_log_group: (c) => withId(c.name, (id) => ({ name: id, arn: arn(c, "logs", `log-group:${id}`) })),
  aws_cloudwatch_metric_alarm: (c) => withId(c.name, (id) => ({ arn: arn(c, "cloudwatch", `alarm:${id}`) })),
  aws_cloudwatch_dashboard: (c) => withId(c.name, (id) => ({ dashboard_arn: arn(c, "cloudwatch", `dashboard/${id}`, { region: false }) })),
  aws_cloudwatch_event_rule: (c) => withId(c.name, (id) => ({ arn: arn(c, "events", `rule/${id}`) })),
  aws_sns_topic: (c) => withId(arn(c, "sns", c.name), (id) => ({ arn: id, owner: c.account })),
  aws_sns_topic_subscription: (c) => withId(arn(c, "sns", `${c.name}:${c.uuid}`), (id) => ({ arn: id, owner_id: c.account })),
  aws_sqs_queue: (c) => withId(`https://sqs.${c.region}.amazonaws.com/${c.account}/${c.name}`, (id) => ({ url: id, arn: arn(c, "sqs", c.name), name: c.name })),
  aws_ssm_parameter: (c) => withId(c.name, (id) => ({ arn: arn(c, "ssm", `parameter${id.startsWith("/") ? "" : "/"}${id}`), version: 1 })),
  aws_lambda_function: (c) =>
    withId(c.name, (id) => {
      const fn = arn(c, "lambda", `function:${id}`);
      return {
        arn: fn,
        qualified_arn: `${fn}:1`,
        invoke_arn: `arn:${c.partition}:apigateway:${c.region}:lambda:path/2015-03-31/functions/${fn}/invocations`,
        version: "1",
      };
    }),
  aws_ecr_repository: (c) =>
    withId(c.name, (id) => ({
      name: id,
      arn: arn(c, "ecr", `repository/${id}`),
      registry_id: c.account,
      repository_url: `${c.account}.dkr.ecr.${c.region}.amazonaws.com/${id}`,
    })),
  aws_ecs_cluster: (c) => withId(arn(c, "ecs", `cluster/${c.name}`), (id) => ({ arn: id })),
  aws_ecs_capacity_provider: (c) => withId(arn(c, "ecs", `capacity-provider/${c.name}`), (id) => ({ arn: id })),
  aws_ecs_task_definition: (c) =>
    withId(c.name, (family) => ({
      arn: arn(c, "ecs", `task-definition/${family}:1`),
      arn_without_revision: arn(c, "ecs", `task-definition/${family}`),
      revision: 1,
    })),
  aws_ecs_service: (c) => withId(arn(c, "ecs", `service/${c.name}`), () => ({})),
  aws_autoscaling_group: (c) => withId(c.name, (id) => ({ arn: arn(c, "autoscaling", `autoScalingGroup:${c.uuid}:autoScalingGroupName/${id}`) })),
  aws_appautoscaling_target: (c) =>
    withId(`service/${c.name}`, (id) => ({ arn: arn(c, "application-autoscaling", `scalable-target/${c.hex}`), resource_id: id })),
  aws_appautoscaling_policy: (c) =>
    withId(c.name, (id) => ({ arn: arn(c, "autoscaling", `scalingPolicy:${c.uuid}:resource/ecs/service/${c.name}:policyName/${id}`) })),
  aws_lb: (c) => {
    const suffix = `app/${c.name}/${c.hex.slice(0, 16)}`;
    return withId(arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`), (id) => ({
      arn: id,
      arn_suffix: suffix,
      dns_name: `internal-${c.name}-${parseInt(c.hex.slice(0, 8), 16)}.${c.region}.elb.amazonaws.com`,
      zone_id: "Z32O12XQLNTSW2",
    }));
  },
  aws_lb_target_group: (c) => {
    const suffix = `targetgroup/${c.name}/${c.hex.slice(0, 16)}`;
    return withId(arn(c, "elasticloadbalancing", suffix), (id) => ({ arn: id, arn_suffix: suffix }));
  },
  aws_lb_listener: (c) => withId(arn(c, "elasticloadbalancing", `listener/app/${c.name}/${c.hex.slice(0, 16)}/${c.hex.slice(1, 17)}`), (id) => ({ arn: id })),
  aws_efs_file_system: (c) =>
    withId(`fs-0${c.hex}`, (id) => ({
      arn: arn(c, "elasticfilesystem", `file-system/${id}`),
      dns_name: `${id}.efs.${c.region}.amazonaws.com`,
      owner_id: c.account,
    })),
  aws_efs_access_point: (c) => withId(`fsap-0${c.hex}`, (id) => ({ arn: arn(c, "elasticfilesystem", `access-point/${id}`), owner_id: c.account })),
  aws_efs_mount_target: (c) => withId(`fsmt-0${c.hex}`, () => ({ network_interface_id: `eni-0${c.hex}`, ip_address: "10.0.0.10" })),
  aws_db_instance: (c) => {
    const address = `${c.name}.c0abcdefghij.${c.region}.rds.amazonaws.com`;
    return withId(`db-${c.hex.toUpperCase()}`, (id) => ({
      resource_id: id,
      identifier: c.name,
      arn: arn(c, "rds", `db:${c.name}`),
      address,
      endpoint: `${address}:5432`,
      port: 5432,
      hosted_zone_id: "Z29XKXDKYMONMX",
      master_user_secret: [
        {
          secret_arn: arn(c, "secretsmanager", `secret:rds!${id.toLowerCase()}-${c.hex.slice(0, 6)}`),
          kms_key_id: arn(c, "kms", `key/${c.uuid}`),
          secret_status: "active",
        },
      ],
    }));
  },
  aws_db_parameter_group: (c) => withId(c.name, (id) => ({ arn: arn(c, "rds", `pg:${id}`) })),
  aws_db_subnet_group: (c) => withId(c.name, (id) => ({ arn: arn(c, "rds", `subgrp:${id}`) })),
  aws_elasticache_replication_group: (c) =>
    withId(c.name, (id) => ({
      arn: arn(c, "elasticache", `replicationgroup:${id}`),
      primary_endpoint_address: `master.${id}.${c.hex.slice(0, 6)}.cache.amazonaws.com`,
      reader_endpoint_address: `replica.${id}.${c.hex.slice(0, 6)}.cache.amazonaws.com`,
      port: 6379,
      member_clusters: [`${id}-001`, `${id}-002`],
    })),
  aws_elasticache_parameter_group: (c) => withId(c.name, (id) => ({ arn: arn(c, "elasticache", `parametergroup:${id}`) })),
  aws_elasticache_subnet_group: (c) => withId(c.name, (id) => ({ arn: arn(c, "elasticache", `subnetgroup:${id}`) })),
  aws_service_discovery_private_dns_namespace: (c) =>
    withId(`ns-0${c.hex}`, (id) => ({ arn: arn(c, "servicediscovery", `namespace/${id}`), hosted_zone: `Z0${c.hex.toUpperCase()}` })),
  aws_service_discovery_service: (c) => withId(`srv-0${c.hex}`, (id) => ({ arn: arn(c, "servicediscovery", `service/${id}`) })),
  aws_wafv2_web_acl: (c) => withId(c.uuid, (id) => ({ arn: arn(c, "wafv2", `regional/webacl/${c.name}/${id}`), lock_token: c.uuid })),
};

/** What an ephemeral resource opens with, by type. */
const EPHEMERAL_STAND_INS: Readonly<Record<string, (body: Record<string, unknown>, hex: string) => Record<string, unknown>>> = {
  // Secrets Manager's GetRandomPassword: `password_length` characters (default 32); letters and digits satisfy every
  // exclusion the stacks ask for.
  aws_secretsmanager_random_password: (body, hex) => {
    const length = typeof body.password_length === "number" ? body.password_length : 32;
    return { random_password: `Mock${hex}`.repeat(Math.ceil(length / (hex.length + 4))).slice(0, length) };
  },
};

/** Any other type: an id and an ARN of its service (`aws_<service>_<kind>`), so validators of either accept it. */
function genericShape(type: string, c: Context): Record<string, unknown> {
  const [, service = "aws", ...kind] = type.split("_");
  return { id: `${c.name}-${c.hex.slice(0, 8)}`, arn: arn(c, service, `${kind.join("-") || service}/${c.name}`) };
}

function hashOf(text: string): { hex: string; uuid: string } {
  const digest = createHash("sha256").update(text).digest("hex");
  return {
    hex: digest.slice(0, 17),
    uuid: `${digest.slice(17, 25)}-${digest.slice(25, 29)}-4${digest.slice(30, 33)}-8${digest.slice(33, 36)}-${digest.slice(36, 48)}`,
  };
}

const NAME_ATTRIBUTES = ["name", "identifier", "bucket", "function_name", "family", "replication_group_id", "dashboard_name", "alarm_name", "creation_token"];

/** A single attribute of a resource, as an output's whole value: `${aws_x.y.attr}`. */
const PASS_THROUGH = /^\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

/** The producer contract's example value for every output that passes one resource attribute through. */
function contractOverlay(kind: StackKind | undefined, config: EnvironmentConfig, json: SynthesizedConfig): Map<string, Record<string, unknown>> {
  const overlay = new Map<string, Record<string, unknown>>();
  const contract = kind ? CONTRACTS[kind] : undefined;
  if (!kind || !contract) return overlay;
  const examples = contractExampleValues(kind, config);
  for (const [name, output] of Object.entries(json.output ?? {})) {
    const match = PASS_THROUGH.exec(String(output.value));
    const spec = contract.outputs[name] as { kind: OutputKind } | undefined;
    if (!match || !spec || spec.kind === "list" || examples[name] === undefined) continue;
    const address = `${match[1]}.${match[2]}`;
    overlay.set(address, { ...overlay.get(address), [match[3]]: examples[name] });
  }
  return overlay;
}

/**
 * The mocks of one stack: an `override_resource` for every resource (its type's shape, then the contract examples
 * of the outputs that pass its attributes through) and a stand-in for every data source that would call AWS.
 */
export function applyMocks(stackId: string, kind: StackKind | undefined, config: EnvironmentConfig, json: SynthesizedConfig): ApplyMocks {
  const overlay = contractOverlay(kind, config, json);
  const resources: ResourceOverride[] = [];
  for (const [type, instances] of Object.entries(json.resource ?? {})) {
    for (const [logical, body] of Object.entries(instances)) {
      const address = `${type}.${logical}`;
      const name = NAME_ATTRIBUTES.map((a) => literal(body[a])).find(Boolean) ?? logical;
      const c: Context = {
        partition: partitionOf(config.account.region),
        region: config.account.region,
        account: config.account.id,
        name,
        body,
        ...hashOf(`${stackId}/${address}`),
      };
      const shape = SHAPES[type] ? SHAPES[type](c) : genericShape(type, c);
      resources.push({ address, values: { ...shape, ...overlay.get(address) } });
    }
  }
  const data: ResourceOverride[] = [];
  for (const [type, instances] of Object.entries(json.data ?? {})) {
    if (type === "terraform_remote_state") continue;
    for (const [logical, body] of Object.entries(instances)) {
      const standIn = AWS_DATA_STAND_INS[type];
      if (!standIn)
        throw new Error(`stack ${stackId}: no apply-time stand-in for data.${type}.${logical}; register one in __tests__/support/offline-overrides.ts`);
      data.push({ address: `data.${type}.${logical}`, values: standIn(body) });
    }
  }
  const ephemeral: ResourceOverride[] = [];
  for (const [type, instances] of Object.entries(json.ephemeral ?? {}) as [string, Record<string, Record<string, unknown>>][]) {
    for (const [logical, body] of Object.entries(instances)) {
      const standIn = EPHEMERAL_STAND_INS[type];
      if (!standIn)
        throw new Error(`stack ${stackId}: no apply-time stand-in for ephemeral.${type}.${logical}; register one in __tests__/support/apply-mocks.ts`);
      ephemeral.push({ address: `ephemeral.${type}.${logical}`, values: standIn(body, hashOf(`${stackId}/${type}.${logical}`).hex) });
    }
  }
  return { resources, data, ephemeral };
}
