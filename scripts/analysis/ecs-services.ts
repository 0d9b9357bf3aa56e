/**
 * What the analyses need to know about each ECS service, derived from the synthesized resources: its Airflow role
 * (from the main container's command), where its tasks can run (subnets ∩ capacity), how many run at steady state
 * (desired count, or the autoscaling minimum when the desired count is left to autoscaling), whether placement
 * spreads them across AZs, and what a task needs from AWS to start.
 */
import { INTERNET } from "./network-facts";
import { asNumber, uniqueSorted, type Body, type EnvironmentModel, type ResourceRef, type SubnetRef } from "./model";

export type ServiceRole = "api-server" | "scheduler" | "dag-processor" | "triggerer" | "worker" | "flower" | "other";

/** AWS APIs the ECS agent on a container instance needs to receive and report tasks. */
export const ECS_AGENT_SERVICES = ["ecs", "ecs-agent", "ecs-telemetry"] as const;

export interface Capacity {
  readonly kind: "ec2" | "fargate" | "fargate-spot" | "mixed-fargate";
  /** The Auto Scaling groups behind EC2 capacity providers. */
  readonly asgs: readonly ResourceRef[];
  /** Capacity provider names / launch type as written, for reasons. */
  readonly label: string;
  /** Weight share of FARGATE_SPOT among Fargate providers (0..1). */
  readonly spotShare: number;
}

export interface ContainerDefinition {
  readonly name?: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly essential?: boolean;
  readonly secrets?: readonly { readonly valueFrom?: string }[];
  readonly logConfiguration?: { readonly logDriver?: string };
}

export interface EcsServiceFacts {
  readonly ref: ResourceRef;
  readonly name: string;
  /** The name without the `<prefix>-<env>-` part, e.g. `worker-default`. */
  readonly shortName: string;
  readonly role: ServiceRole;
  readonly taskDefinition?: ResourceRef;
  readonly containers: readonly ContainerDefinition[];
  readonly capacity: Capacity;
  /** Subnets of the awsvpc network configuration (empty for host/bridge networking). */
  readonly subnets: readonly SubnetRef[];
  /** AZs where tasks can run: the subnets' AZs, limited to the AZs of the EC2 capacity. */
  readonly placementAzs: readonly string[];
  /** Tasks at steady state. */
  readonly count: number;
  readonly countSource: string;
  /** Upper bound (autoscaling max, else the count). */
  readonly maxCount: number;
  readonly autoscaled: boolean;
  /** Spread across AZs: placement strategy `spread` on `attribute:ecs.availability-zone`, or Fargate (which spreads). */
  readonly spread: boolean;
  /** One task per container instance (`distinctInstance`, no awsvpc network): a per-host daemon. */
  readonly perInstanceDaemon: boolean;
  /** AWS services (endpoint short names, or `internet`) a task needs to start. */
  readonly startNeeds: readonly string[];
  readonly mountsEfs: boolean;
  /** Task CPU units and memory MiB. */
  readonly cpu?: number;
  readonly memory?: number;
  readonly cpuArchitecture?: string;
}

const ROLE_ORDER: readonly ServiceRole[] = ["api-server", "scheduler", "dag-processor", "triggerer", "worker", "flower", "other"];
export const roleRank = (role: ServiceRole): number => ROLE_ORDER.indexOf(role);

/** `worker-default` for `airflow-prod-worker-default` in environment prod. */
export function shortName(name: string, environment: string): string {
  const marker = `-${environment}-`;
  const at = name.indexOf(marker);
  return at >= 0 ? name.slice(at + marker.length) : name;
}

function roleOf(containers: readonly ContainerDefinition[]): ServiceRole {
  for (const c of containers) {
    const command = c.command ?? [];
    if (command[0] === "celery" && command[1] === "worker") return "worker";
    if (command[0] === "celery" && command[1] === "flower") return "flower";
    for (const role of ["api-server", "scheduler", "dag-processor", "triggerer"] as const) if (command[0] === role) return role;
  }
  return "other";
}

function parseContainers(value: unknown): ContainerDefinition[] {
  if (typeof value !== "string") return Array.isArray(value) ? (value as ContainerDefinition[]) : [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? (parsed as ContainerDefinition[]) : [];
  } catch {
    return [];
  }
}

/** Resolves one capacity-provider name (or launch type) of `stack` to Fargate or the ASGs behind an EC2 provider. */
function resolveProvider(model: EnvironmentModel, stack: string, value: unknown): { fargate?: "FARGATE" | "FARGATE_SPOT"; asgs: ResourceRef[]; label: string } {
  const literal = model.literal(stack, value);
  if (literal === "FARGATE" || literal === "FARGATE_SPOT") return { fargate: literal, asgs: [], label: literal };
  const providers = model.referencedResources(stack, value, "aws_ecs_capacity_provider");
  const asgs = providers.flatMap((p) => {
    const asgProvider = p.body.auto_scaling_group_provider as Body | undefined;
    return asgProvider ? model.referencedResources(p.stack, asgProvider.auto_scaling_group_arn, "aws_autoscaling_group") : [];
  });
  const names = providers.map((p) => String(model.literal(p.stack, p.body.name) ?? p.name));
  return { asgs, label: names.length > 0 ? `capacity provider ${names.join(", ")}` : String(literal ?? "unknown capacity") };
}

function capacityOf(model: EnvironmentModel, service: ResourceRef): Capacity {
  let strategy = Array.isArray(service.body.capacity_provider_strategy) ? (service.body.capacity_provider_strategy as Body[]) : [];
  let strategyStack = service.stack;
  const launchType = model.literal(service.stack, service.body.launch_type);
  if (strategy.length === 0 && launchType === "FARGATE") return { kind: "fargate", asgs: [], label: "launch type FARGATE", spotShare: 0 };
  if (strategy.length === 0) {
    // No strategy: the cluster's default strategy (launch type EC2: the cluster's EC2 capacity providers).
    const cluster = model.referencedResources(service.stack, service.body.cluster, "aws_ecs_cluster")[0];
    const providers = cluster ? model.referencing("aws_ecs_cluster_capacity_providers", "cluster_name", cluster)[0] : undefined;
    if (providers) {
      strategyStack = providers.stack;
      strategy =
        launchType === "EC2"
          ? ((providers.body.capacity_providers as unknown[]) ?? []).map((p) => ({ capacity_provider: p, weight: 1 }))
          : ((providers.body.default_capacity_provider_strategy as Body[]) ?? []);
    }
  }
  const entries = strategy.map((s) => ({
    weight: asNumber(model.literal(strategyStack, s.weight)) ?? 1,
    ...resolveProvider(model, strategyStack, s.capacity_provider),
  }));
  const asgs = entries.flatMap((e) => e.asgs);
  const fargate = entries.filter((e) => e.fargate);
  const label = entries.map((e) => e.label).join(" + ") || "unknown capacity";
  if (launchType === "EC2" || (asgs.length > 0 && fargate.length === 0)) return { kind: "ec2", asgs, label, spotShare: 0 };
  const total = fargate.reduce((sum, e) => sum + e.weight, 0) || 1;
  const spotShare = fargate.filter((e) => e.fargate === "FARGATE_SPOT").reduce((sum, e) => sum + e.weight, 0) / total;
  const kind = spotShare === 1 ? "fargate-spot" : spotShare === 0 ? "fargate" : "mixed-fargate";
  return { kind, asgs, label, spotShare };
}

/** The AZs of an Auto Scaling group's `vpc_zone_identifier`. */
export function asgSubnets(model: EnvironmentModel, asg: ResourceRef): SubnetRef[] {
  return model.subnets(asg.stack, asg.body.vpc_zone_identifier ?? []).subnets;
}

/** The Application Auto Scaling target of an ECS service (resource_id `service/<cluster>/<name>`), if any. */
function scalingTarget(model: EnvironmentModel, serviceName: string): ResourceRef | undefined {
  return model
    .resources("aws_appautoscaling_target")
    .find(
      (t) =>
        model.literal(t.stack, t.body.service_namespace) === "ecs" && typeof t.body.resource_id === "string" && t.body.resource_id.endsWith(`/${serviceName}`),
    );
}

/** The images, secrets and log drivers of a task's containers → what it must reach to start. */
function startNeeds(model: EnvironmentModel, stack: string, containers: readonly ContainerDefinition[], capacity: Capacity): string[] {
  const needs = new Set<string>();
  for (const c of containers) {
    const image = c.image ?? "";
    const refs = [...image.matchAll(/\$\{([^}]+)\}/g)].flatMap((m) => model.resolve(stack, `\${${m[1]}}`));
    const fromEcr = /\.dkr\.ecr\./.test(image) || refs.some((r) => r.kind === "attribute" && r.address.type === "aws_ecr_repository");
    if (fromEcr) ["ecr.api", "ecr.dkr", "s3"].forEach((n) => needs.add(n));
    else if (image) needs.add(INTERNET);
    for (const secret of c.secrets ?? []) needs.add(/:ssm:|:parameter\//.test(secret.valueFrom ?? "") ? "ssm" : "secretsmanager");
    if (c.logConfiguration?.logDriver === "awslogs") needs.add("logs");
  }
  if (capacity.kind === "ec2") ECS_AGENT_SERVICES.forEach((n) => needs.add(n));
  return uniqueSorted(needs);
}

export function ecsServices(model: EnvironmentModel): EcsServiceFacts[] {
  const facts = model.resources("aws_ecs_service").map((ref): EcsServiceFacts => {
    const name = String(model.literal(ref.stack, ref.body.name) ?? ref.name);
    const taskDefinition = model.referencedResources(ref.stack, ref.body.task_definition, "aws_ecs_task_definition")[0];
    const containers = parseContainers(taskDefinition?.body.container_definitions);
    const capacity = capacityOf(model, ref);
    const network = ref.body.network_configuration as Body | undefined;
    const subnets = network ? model.subnets(ref.stack, network.subnets ?? []).subnets : [];
    const capacityAzs = capacity.kind === "ec2" ? uniqueSorted(capacity.asgs.flatMap((a) => asgSubnets(model, a).map((s) => s.az))) : undefined;
    const subnetAzs = uniqueSorted(subnets.map((s) => s.az));
    const placementAzs = network ? (capacityAzs ? subnetAzs.filter((az) => capacityAzs.includes(az)) : subnetAzs) : (capacityAzs ?? []);

    const target = scalingTarget(model, name);
    const lifecycle = ref.body.lifecycle as Body | undefined;
    const ignoresDesired = Array.isArray(lifecycle?.ignore_changes) && (lifecycle.ignore_changes as unknown[]).includes("desired_count");
    const desired = asNumber(model.literal(ref.stack, ref.body.desired_count)) ?? 0;
    const minimum = target ? asNumber(model.literal(target.stack, target.body.min_capacity)) : undefined;
    const maximum = target ? asNumber(model.literal(target.stack, target.body.max_capacity)) : undefined;
    const autoscaled = minimum !== undefined;
    const count = autoscaled && ignoresDesired ? minimum : desired;
    const strategies = Array.isArray(ref.body.ordered_placement_strategy) ? (ref.body.ordered_placement_strategy as Body[]) : [];
    const spreadByAz = strategies.some((s) => s.type === "spread" && s.field === "attribute:ecs.availability-zone");
    const constraints = Array.isArray(ref.body.placement_constraints) ? (ref.body.placement_constraints as Body[]) : [];
    const volumes = Array.isArray(taskDefinition?.body.volume) ? (taskDefinition.body.volume as Body[]) : [];
    const runtime = taskDefinition?.body.runtime_platform as Body | undefined;
    return {
      ref,
      name,
      shortName: shortName(name, model.name),
      role: roleOf(containers),
      taskDefinition,
      containers,
      capacity,
      subnets,
      placementAzs,
      count,
      countSource: autoscaled && ignoresDesired ? `autoscaling minimum ${minimum}` : `desired_count ${desired}`,
      maxCount: autoscaled ? (maximum ?? count) : count,
      autoscaled,
      spread: capacity.kind === "ec2" ? spreadByAz : network !== undefined,
      perInstanceDaemon: !network && constraints.some((c) => c.type === "distinctInstance"),
      startNeeds: startNeeds(model, ref.stack, containers, capacity),
      mountsEfs: volumes.some((v) => v.efs_volume_configuration !== undefined),
      cpu: asNumber(model.literal(taskDefinition?.stack ?? ref.stack, taskDefinition?.body.cpu)),
      memory: asNumber(model.literal(taskDefinition?.stack ?? ref.stack, taskDefinition?.body.memory)),
      cpuArchitecture: typeof runtime?.cpu_architecture === "string" ? runtime.cpu_architecture : undefined,
    };
  });
  return facts.sort((a, b) => roleRank(a.role) - roleRank(b.role) || a.name.localeCompare(b.name));
}

/** Whether an ECS service is one of the Airflow components on the serving path. */
export function isServingPath(role: ServiceRole): boolean {
  return role !== "flower" && role !== "other";
}
