/**
 * Single-AZ failure analysis of one environment, from its synthesized stacks: for every tier, and for the loss of
 * each AZ in turn, whether the tier keeps serving, with the reason taken from the resources (cross-stack references
 * are followed to the network stack's subnets, so AZ membership is never read from configuration).
 *
 * Verdicts (the worst over all AZs is reported):
 * - serving:  keeps serving through the loss of any one AZ: capacity that already runs in another AZ takes over, at
 *             most after an automatic failover (RDS Multi-AZ ~60-120 s, Redis replica promotion).
 * - degraded: stops, or loses its only instance, but recovers by itself within minutes: ECS or the Auto Scaling group
 *             starts a replacement in a surviving AZ (a desired count of 1 is "degraded", not "serving").
 * - outage:   stays down until the AZ returns or an operator restores it (single-AZ database, single-node broker, a
 *             NAT gateway every AZ depends on, replacements that cannot start because what they need is unreachable).
 */
import { asgSubnets, ecsServices, ECS_AGENT_SERVICES, isServingPath, type EcsServiceFacts } from "./ecs-services";
import { asNumber, isTrue, uniqueSorted, type Body, type EnvironmentModel, type ResourceRef, type SubnetRef } from "./model";
import { INTERNET, NetworkFacts } from "./network-facts";

export type Verdict = "serving" | "degraded" | "outage";

export const VERDICTS: Readonly<Record<Verdict, string>> = {
  serving: "keeps serving through the loss of any one AZ (capacity already running in another AZ, at most an automatic failover of about 1-2 minutes)",
  degraded: "stops or loses capacity, then recovers by itself within minutes (ECS or the Auto Scaling group starts a replacement in a surviving AZ)",
  outage: "down until the AZ returns or an operator restores it",
};

const RANK: Readonly<Record<Verdict, number>> = { serving: 0, degraded: 1, outage: 2 };

export interface TierResult {
  /** Stable id, e.g. `egress`, `alb`, `api-server`, `worker-default`, `rds`, `redis`, `efs`, `ecs-capacity`, `bastion`. */
  readonly id: string;
  /** Human-readable tier name. */
  readonly tier: string;
  /** On the serving path (false: operator tools such as the bastion and Flower). */
  readonly critical: boolean;
  /** The worst verdict over the loss of each AZ. */
  readonly verdict: Verdict;
  readonly why: string;
  /** Verdict per lost AZ. */
  readonly byAz: Readonly<Record<string, Verdict>>;
}

export interface AzReport {
  readonly environment: string;
  readonly availabilityZones: readonly string[];
  readonly stacks: readonly string[];
  readonly verdicts: Readonly<Record<Verdict, string>>;
  readonly tiers: readonly TierResult[];
  /** One line: whether every serving-path tier keeps serving. */
  readonly summary: string;
}

/** The outcome of losing one AZ. */
interface Outcome {
  readonly verdict: Verdict;
  readonly why: string;
}

const list = (values: readonly string[]): string => (values.length === 0 ? "none" : values.join(", "));
const plural = (n: number, word: string, words = `${word}s`): string => `${n} ${n === 1 ? word : words}`;

/** Combines the outcomes per lost AZ: the worst verdict, explained by the first AZ that produces it. */
function combine(azs: readonly string[], outcome: (lostAz: string) => Outcome): { verdict: Verdict; why: string; byAz: Record<string, Verdict> } {
  const outcomes = azs.map((az) => ({ az, ...outcome(az) }));
  const byAz = Object.fromEntries(outcomes.map((o) => [o.az, o.verdict]));
  const worst = outcomes.reduce((a, b) => (RANK[b.verdict] > RANK[a.verdict] ? b : a), outcomes[0] ?? { az: "", verdict: "serving" as Verdict, why: "no AZs" });
  return { verdict: worst.verdict, why: worst.why, byAz };
}

function uniform(azs: readonly string[], verdict: Verdict, why: string): { verdict: Verdict; why: string; byAz: Record<string, Verdict> } {
  return { verdict, why, byAz: Object.fromEntries(azs.map((az) => [az, verdict])) };
}

export function analyzeAzFailure(model: EnvironmentModel): AzReport {
  const network = new NetworkFacts(model);
  const azs = network.availabilityZones;
  const services = ecsServices(model);
  const tiers: TierResult[] = [];
  const add = (id: string, tier: string, critical: boolean, result: { verdict: Verdict; why: string; byAz: Record<string, Verdict> }) =>
    tiers.push({ id, tier, critical, ...result });

  /** Why a replacement cannot start in any surviving AZ of `subnets` (undefined when it can). */
  const startBlocked = (subnets: readonly SubnetRef[], needs: readonly string[], lostAz: string): string | undefined => {
    const survivors = subnets.filter((s) => s.az !== lostAz);
    if (survivors.length === 0) return `it has no subnet outside ${lostAz}`;
    if (survivors.some((s) => network.unreachable(s.address, needs, lostAz).length === 0)) return undefined;
    const missing = network.unreachable(survivors[0].address, needs, lostAz);
    const nat = network.routingOf(survivors[0].address)?.defaultRoute;
    const via = nat?.kind === "nat" ? `only through the NAT gateway in ${nat.natAz ?? "an unknown AZ"}` : "through no route";
    return `${list(missing)} ${missing.length === 1 ? "is" : "are"} reachable from ${survivors[0].az} ${via}`;
  };

  // ---- NAT / egress -------------------------------------------------------------------------------------------
  const workloadNeeds = uniqueSorted([...services.flatMap((s) => s.startNeeds), ...lambdaFunctions(model).flatMap((f) => f.needs)]);
  const privateSubnets = network.privateSubnets().filter((r) => r.defaultRoute.kind === "nat");
  const endpointServices = [...network.interfaceEndpoints.keys()];
  const endpointAzs = uniqueSorted([...network.interfaceEndpoints.values()].flat());
  const throughNat = workloadNeeds.filter(
    (n) => n === INTERNET || (!network.interfaceEndpoints.has(n) && !(n === "s3" && privateSubnets.every((p) => p.s3Gateway))),
  );
  const endpointNote =
    endpointServices.length > 0
      ? `Interface endpoints (${plural(endpointServices.length, "service")}: ${list(endpointServices)}) in ${list(endpointAzs)}${network.gatewayEndpoints.length > 0 ? ` and the ${list(network.gatewayEndpoints)} gateway endpoint` : ""} keep those AWS APIs off NAT; through NAT still: ${list(throughNat)}.`
      : `No interface endpoints: ${list(throughNat)} (image pulls, secrets, logs, the ECS agent) ${throughNat.length === 1 ? "goes" : "go"} through NAT${network.gatewayEndpoints.length > 0 ? `; only ${list(network.gatewayEndpoints)} has a gateway endpoint` : ""}.`;
  if (network.natGateways.length === 0) {
    add(
      "egress",
      "NAT / internet egress",
      true,
      uniform(azs, "serving", `No NAT gateways: private subnets have no internet egress by design, so no AZ carries it. ${endpointNote}`),
    );
  } else {
    const natAzs = uniqueSorted(network.natGateways.map((n) => n.az ?? "unknown AZ"));
    const usage = natAzs.map(
      (natAz) =>
        `${natAz} ← ${list(uniqueSorted(privateSubnets.filter((p) => p.defaultRoute.kind === "nat" && p.defaultRoute.natAz === natAz).map((p) => p.subnet.az)))}`,
    );
    add(
      "egress",
      "NAT / internet egress",
      true,
      combine(azs, (lost) => {
        const cut = uniqueSorted(
          privateSubnets.filter((p) => p.subnet.az !== lost && p.defaultRoute.kind === "nat" && p.defaultRoute.natAz === lost).map((p) => p.subnet.az),
        );
        if (cut.length > 0) {
          return {
            verdict: "outage",
            why: `${plural(network.natGateways.length, "NAT gateway")} (in ${list(natAzs)}; NAT AZ ← private subnet AZs routed to it: ${usage.join("; ")}): losing ${lost} cuts internet egress from the private subnets in ${list(cut)} as well. ${endpointNote}`,
          };
        }
        return {
          verdict: "serving",
          why: `${plural(network.natGateways.length, "NAT gateway")}, one per AZ (${list(natAzs)}); each private route table uses the NAT gateway of its own AZ (${usage.join("; ")}), so losing an AZ removes only that AZ's egress. ${endpointNote}`,
        };
      }),
    );
  }

  // ---- ALB ----------------------------------------------------------------------------------------------------
  const albs = model.resources("aws_lb").filter((lb) => (model.literal(lb.stack, lb.body.load_balancer_type) ?? "application") === "application");
  for (const lb of albs) {
    const mappings = Array.isArray(lb.body.subnet_mapping) ? (lb.body.subnet_mapping as Body[]).map((m) => m.subnet_id) : [];
    const lbAzs = uniqueSorted(model.subnets(lb.stack, lb.body.subnets ?? mappings).subnets.map((s) => s.az));
    const name = String(model.literal(lb.stack, lb.body.name) ?? lb.name);
    const scheme = isTrue(model.literal(lb.stack, lb.body.internal)) ? "internal" : "internet-facing";
    add(
      albs.length === 1 ? "alb" : `alb:${name}`,
      `ALB (${name})`,
      true,
      lbAzs.length >= 2
        ? uniform(
            azs,
            "serving",
            `${scheme} ALB with nodes in ${lbAzs.length} AZs (${list(lbAzs)}): DNS stops answering with the failed AZ's node and cross-zone balancing sends requests to healthy targets in the other AZs.`,
          )
        : uniform(azs, "outage", `ALB subnets span ${lbAzs.length === 1 ? `only ${lbAzs[0]}` : "no resolvable AZ"}: losing it takes the entry point down.`),
    );
  }

  // ---- ECS services (api-server, scheduler, dag-processor, triggerer, workers, then operator tools) -----------------
  for (const service of services)
    add(service.shortName, serviceTierName(service), isServingPath(service.role), analyzeService(service, azs, startBlocked, model));

  // ---- RDS ----------------------------------------------------------------------------------------------------
  const databases = model.resources("aws_db_instance");
  for (const db of databases) {
    const id = String(model.literal(db.stack, db.body.identifier) ?? db.name);
    const group = model.referencedResources(db.stack, db.body.db_subnet_group_name, "aws_db_subnet_group")[0];
    const dbAzs = group ? uniqueSorted(model.subnets(group.stack, group.body.subnet_ids ?? []).subnets.map((s) => s.az)) : [];
    const engine = `${model.literal(db.stack, db.body.engine) ?? "database"} ${model.literal(db.stack, db.body.instance_class) ?? ""}`.trim();
    const multiAz = isTrue(model.literal(db.stack, db.body.multi_az));
    add(
      databases.length === 1 ? "rds" : `rds:${id}`,
      `RDS ${id}`,
      true,
      multiAz && dbAzs.length >= 2
        ? uniform(
            azs,
            "serving",
            `${engine} with multi_az = true: a synchronous standby in another AZ of its subnet group (${list(dbAzs)}) is promoted automatically (typically 60-120 s); clients reconnect to the same endpoint.`,
          )
        : uniform(
            azs,
            "outage",
            multiAz
              ? `${engine} with multi_az = true, but its subnet group spans ${list(dbAzs)}: no second AZ for the standby.`
              : `${engine} with multi_az = false: a single instance in one AZ of ${list(dbAzs)}; losing that AZ stops the metadata database (every Airflow component) until the AZ returns or an operator restores a snapshot elsewhere.`,
          ),
    );
  }

  // ---- Redis --------------------------------------------------------------------------------------------------
  const brokers = model.resources("aws_elasticache_replication_group");
  for (const rg of brokers) {
    const id = String(model.literal(rg.stack, rg.body.replication_group_id) ?? rg.name);
    const nodes = asNumber(model.literal(rg.stack, rg.body.num_cache_clusters)) ?? 1;
    const failover = isTrue(model.literal(rg.stack, rg.body.automatic_failover_enabled));
    const multiAz = isTrue(model.literal(rg.stack, rg.body.multi_az_enabled));
    const group = model.referencedResources(rg.stack, rg.body.subnet_group_name, "aws_elasticache_subnet_group")[0];
    const rgAzs = group ? uniqueSorted(model.subnets(group.stack, group.body.subnet_ids ?? []).subnets.map((s) => s.az)) : [];
    const facts = `num_cache_clusters = ${nodes}, automatic_failover_enabled = ${failover}, multi_az_enabled = ${multiAz}, subnet group in ${list(rgAzs)}`;
    const missing = [
      nodes < 2 ? "a single node (no replica)" : "",
      !failover ? "no automatic failover" : "",
      !multiAz ? "Multi-AZ off" : "",
      rgAzs.length < 2 ? "one AZ only" : "",
    ].filter(Boolean);
    add(
      brokers.length === 1 ? "redis" : `redis:${id}`,
      `Redis broker ${id}`,
      true,
      missing.length === 0
        ? uniform(
            azs,
            "serving",
            `${facts}: a replica in another AZ is promoted and the primary endpoint follows it; unreplicated in-flight messages may be lost and are retried by Airflow.`,
          )
        : uniform(
            azs,
            "outage",
            `${facts}: ${missing.join(", ")}; losing the primary's AZ stops the Celery broker (queued and in-flight messages lost) until the AZ returns or an operator recreates it.`,
          ),
    );
  }

  // ---- EFS ----------------------------------------------------------------------------------------------------
  const fileSystems = model.resources("aws_efs_file_system");
  const taskAzs = uniqueSorted(services.filter((s) => s.mountsEfs).flatMap((s) => s.placementAzs));
  for (const fs of fileSystems) {
    const id = String(model.literal(fs.stack, fs.body.creation_token) ?? fs.name);
    const targets = model.referencing("aws_efs_mount_target", "file_system_id", fs);
    const targetAzs = uniqueSorted(targets.flatMap((t) => model.subnets(t.stack, t.body.subnet_id).subnets.map((s) => s.az)));
    const oneZone = model.literal(fs.stack, fs.body.availability_zone_name);
    const uncovered = taskAzs.filter((az) => !targetAzs.includes(az));
    const facts = `${plural(targets.length, "mount target")} in ${list(targetAzs)}; tasks that mount it run in ${list(taskAzs)}`;
    add(
      fileSystems.length === 1 ? "efs" : `efs:${id}`,
      `EFS ${id}`,
      true,
      typeof oneZone === "string"
        ? uniform(azs, "outage", `One Zone file system in ${oneZone}: losing that AZ loses the DAGs and plugins.`)
        : uncovered.length > 0
          ? uniform(azs, "degraded", `Regional file system, but ${facts}: tasks placed in ${list(uncovered)} cannot mount it.`)
          : targetAzs.length >= 2
            ? uniform(
                azs,
                "serving",
                `Regional file system (data in every AZ), ${facts}: tasks in surviving AZs keep mounting through their own AZ's mount target.`,
              )
            : uniform(azs, "outage", `Regional file system with mount targets only in ${list(targetAzs)}: losing it leaves no mount target.`),
    );
  }

  // ---- EC2 capacity behind the ECS capacity providers, then other Auto Scaling groups (bastion) -------------------
  const capacityAsgs = uniqueByAddress(services.flatMap((s) => s.capacity.asgs).concat(capacityProviderAsgs(model)));
  for (const asg of capacityAsgs)
    add(
      capacityAsgs.length === 1 ? "ecs-capacity" : `ecs-capacity:${asgName(model, asg)}`,
      `ECS container instances (ASG ${asgName(model, asg)})`,
      true,
      analyzeCapacity(model, asg, azs, startBlocked),
    );
  for (const asg of model.resources("aws_autoscaling_group").filter((a) => !capacityAsgs.some((c) => c.stack === a.stack && c.name === a.name))) {
    const name = asgName(model, asg);
    add(
      shortNameOf(name, model.name),
      `${shortNameOf(name, model.name)} (ASG ${name}, operator access)`,
      false,
      analyzeStandaloneAsg(model, asg, azs, startBlocked),
    );
  }

  // ---- Lambda functions -----------------------------------------------------------------------------------------
  for (const fn of lambdaFunctions(model)) {
    add(
      `lambda:${shortNameOf(fn.name, model.name)}`,
      `Lambda ${fn.name}`,
      true,
      fn.subnets === undefined
        ? uniform(azs, "serving", "Runs outside the VPC: a regional service, not tied to an AZ.")
        : combine(azs, (lost) => {
            const fnAzs = uniqueSorted(fn.subnets!.map((s) => s.az));
            if (fnAzs.filter((az) => az !== lost).length === 0) return { verdict: "outage", why: `VPC function with subnets only in ${list(fnAzs)}.` };
            const blocked = startBlocked(fn.subnets!, fn.needs, lost);
            return blocked
              ? {
                  verdict: "outage",
                  why: `VPC function in ${list(fnAzs)} calling ${list(fn.needs)} (from its role's policies): when ${lost} fails, ${blocked}.`,
                }
              : {
                  verdict: "serving",
                  why: `VPC function in ${list(fnAzs)}: invocations run in the surviving AZs, and the APIs it calls (${list(fn.needs)}, from its role's policies) stay reachable.`,
                };
          }),
    );
  }

  const critical = tiers.filter((t) => t.critical);
  const failing = critical.filter((t) => t.verdict !== "serving");
  const summary =
    failing.length === 0
      ? `${model.name}: every serving-path tier (${critical.length}) keeps serving through the loss of any one of ${list(azs)}.`
      : `${model.name}: ${failing.length} of ${critical.length} serving-path tiers do not keep serving through the loss of one AZ: ${failing.map((t) => `${t.id} (${t.verdict})`).join(", ")}.`;
  return { environment: model.name, availabilityZones: azs, stacks: model.stacks.map((s) => s.id), verdicts: VERDICTS, tiers, summary };
}

function serviceTierName(service: EcsServiceFacts): string {
  const command = service.containers.find((c) => c.command?.[0] === "celery" && c.command?.[1] === "worker")?.command ?? [];
  const queues = command[command.indexOf("--queues") + 1];
  switch (service.role) {
    case "worker":
      return `workers ${service.shortName}${command.includes("--queues") && queues ? ` (queues ${queues})` : ""}`;
    case "flower":
      return `Flower (operator UI)`;
    case "other":
      return `${service.shortName} (supporting service)`;
    default:
      return service.role;
  }
}

type StartBlocked = (subnets: readonly SubnetRef[], needs: readonly string[], lostAz: string) => string | undefined;

function analyzeService(service: EcsServiceFacts, azs: readonly string[], startBlocked: StartBlocked, model: EnvironmentModel) {
  const placement = service.placementAzs;
  const where = `${service.capacity.label}, in ${list(placement)}`;
  if (service.perInstanceDaemon) {
    const minInstances = Math.min(...service.capacity.asgs.map((a) => asNumber(model.literal(a.stack, a.body.min_size)) ?? 0));
    return minInstances >= 2 && placement.length >= 2
      ? uniform(azs, "serving", `One task per container instance (distinctInstance): present on every instance, in ${list(placement)}.`)
      : uniform(
          azs,
          "degraded",
          `One task per container instance (distinctInstance); the steady state has ${minInstances} instance(s), so it comes back with the replacement instance.`,
        );
  }
  const subnets = service.capacity.kind === "ec2" ? service.subnets.filter((s) => placement.includes(s.az)) : service.subnets;
  return combine(azs, (lost) => {
    const survivors = placement.filter((az) => az !== lost);
    const count = service.count;
    const tasks = `${plural(count, "task")} (${service.countSource}${service.autoscaled ? `, max ${service.maxCount}` : ""})`;
    if (placement.length === 0) return { verdict: "outage", why: `${tasks}: no AZ where its subnets and its capacity meet (${where}).` };
    if (survivors.length === 0) return { verdict: "outage", why: `${tasks}: it can run only in ${list(placement)} (${where}).` };
    if (count >= 2 && service.spread && placement.length >= 2) {
      const lostTasks = Math.ceil(count / placement.length);
      const spreadBy =
        service.capacity.kind === "ec2" ? "placement spread on attribute:ecs.availability-zone" : "Fargate spreads a service's tasks over its subnets' AZs";
      return {
        verdict: "serving",
        why: `${tasks} spread across AZs (${spreadBy}; ${where}): losing one AZ stops at most ${lostTasks}, the other ${count - lostTasks} ${count - lostTasks === 1 ? "keeps" : "keep"} serving while ECS replaces ${lostTasks === 1 ? "it" : "them"}.`,
      };
    }
    if (!placement.includes(lost)) return { verdict: "serving", why: `${tasks}; none can run in ${lost} (${where}).` };
    const blocked = startBlocked(subnets, service.startNeeds, lost);
    if (count === 0) {
      return blocked
        ? { verdict: "outage", why: `${tasks}: scales from zero, but when ${lost} fails new tasks cannot start: ${blocked} (${where}).` }
        : { verdict: "serving", why: `${tasks}: scales from zero on demand; new tasks start in the surviving AZs (${where}).` };
    }
    const reason =
      count === 1
        ? `a single task: losing its AZ stops it until ECS starts a replacement in a surviving AZ (minutes${service.capacity.kind === "ec2" ? ", plus an instance launch when the surviving hosts are full" : ""})`
        : `no placement spread across AZs, so every task may sit in the lost AZ`;
    return blocked
      ? { verdict: "outage", why: `${tasks}, ${reason}; but when ${lost} fails the replacement cannot start: ${blocked} (${where}).` }
      : { verdict: "degraded", why: `${tasks}, ${reason} (${where}).` };
  });
}

/** ASGs behind the environment's ECS capacity providers (also when no service names the provider explicitly). */
function capacityProviderAsgs(model: EnvironmentModel): ResourceRef[] {
  return model.resources("aws_ecs_capacity_provider").flatMap((p) => {
    const provider = p.body.auto_scaling_group_provider as Body | undefined;
    return provider ? model.referencedResources(p.stack, provider.auto_scaling_group_arn, "aws_autoscaling_group") : [];
  });
}

function uniqueByAddress(refs: readonly ResourceRef[]): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const r of refs) if (!out.some((o) => o.stack === r.stack && o.name === r.name && o.type === r.type)) out.push(r);
  return out;
}

function asgName(model: EnvironmentModel, asg: ResourceRef): string {
  return String(model.literal(asg.stack, asg.body.name) ?? asg.name);
}

function shortNameOf(name: string, environment: string): string {
  const marker = `-${environment}-`;
  const at = name.indexOf(marker);
  return at >= 0 ? name.slice(at + marker.length) : name;
}

/**
 * EC2 capacity rule: the group spreads its instances evenly over its N AZs, so at steady state (min_size instances)
 * one AZ holds ceil(min/N). Losing an AZ keeps the other instances (and their tasks) running; the capacity provider
 * then grows the group in the surviving AZs to re-place the lost AZ's tasks. The lost instances may still count
 * until their health checks fail, so the group needs max_size ≥ min_size + ceil(min_size/N) to add the replacements
 * at once. New instances and the surviving agents must also reach the ECS APIs.
 */
function analyzeCapacity(model: EnvironmentModel, asg: ResourceRef, azs: readonly string[], startBlocked: StartBlocked) {
  const subnets = asgSubnets(model, asg);
  const asgAzs = uniqueSorted(subnets.map((s) => s.az));
  const min = asNumber(model.literal(asg.stack, asg.body.min_size)) ?? 0;
  const max = asNumber(model.literal(asg.stack, asg.body.max_size)) ?? min;
  const n = asgAzs.length;
  const share = n > 0 ? Math.ceil(min / n) : min;
  const facts = `min_size ${min}, max_size ${max}, subnets in ${list(asgAzs)}`;
  return combine(azs, (lost) => {
    if (n < 2) return { verdict: "outage", why: `${facts}: new instances can launch only in ${list(asgAzs)}.` };
    const blocked = startBlocked(subnets, [...ECS_AGENT_SERVICES], lost);
    if (blocked)
      return {
        verdict: "outage",
        why: `${facts}; when ${lost} fails the ECS agents in the surviving AZs lose the ECS control plane (${blocked}): running tasks keep running, but no task can be placed.`,
      };
    if (min < 2)
      return {
        verdict: "degraded",
        why: `${facts}: the steady state is ${plural(min, "instance")}, so losing its AZ stops every EC2-placed task until the capacity provider launches a replacement in a surviving AZ (minutes).`,
      };
    if (max < min + share)
      return {
        verdict: "degraded",
        why: `${facts}: losing an AZ removes up to ${share} of ${min} instances; max_size ${max} < ${min} + ${share}, so replacements wait until the lost instances are terminated.`,
      };
    return {
      verdict: "serving",
      why: `${facts}: the ASG balances instances over ${n} AZs, so losing one removes up to ${share} of ${min}; the others keep their tasks and max_size ${max} ≥ ${min} + ${share} lets the capacity provider add replacements in the surviving AZs at once.`,
    };
  });
}

/** Session Manager: what an SSM-managed instance needs to be reachable. */
const SESSION_MANAGER_SERVICES = ["ec2messages", "ssm", "ssmmessages"];

function analyzeStandaloneAsg(model: EnvironmentModel, asg: ResourceRef, azs: readonly string[], startBlocked: StartBlocked) {
  const subnets = asgSubnets(model, asg);
  const asgAzs = uniqueSorted(subnets.map((s) => s.az));
  const min = asNumber(model.literal(asg.stack, asg.body.min_size)) ?? 0;
  const max = asNumber(model.literal(asg.stack, asg.body.max_size)) ?? min;
  const facts = `Auto Scaling group of min ${min} / max ${max} over subnets in ${list(asgAzs)}`;
  return combine(azs, (lost) => {
    if (asgAzs.filter((az) => az !== lost).length === 0) return { verdict: "outage", why: `${facts}: no subnet outside ${lost}.` };
    if (min >= 2) return { verdict: "serving", why: `${facts}: instances in more than one AZ.` };
    const blocked = startBlocked(subnets, SESSION_MANAGER_SERVICES, lost);
    return blocked
      ? { verdict: "outage", why: `${facts}: the replacement launched in a surviving AZ is unreachable by Session Manager when ${lost} fails (${blocked}).` }
      : {
          verdict: "degraded",
          why: `${facts}: losing its AZ loses the instance; the group launches a replacement in a surviving AZ within minutes (Session Manager: ${list(SESSION_MANAGER_SERVICES)} reachable).`,
        };
  });
}

interface LambdaFacts {
  readonly name: string;
  readonly subnets?: readonly SubnetRef[];
  readonly needs: readonly string[];
}

/** IAM action prefix → the endpoint service name a call goes to. */
const API_ENDPOINT: Readonly<Record<string, string>> = { cloudwatch: "monitoring", ecr: "ecr.api" };

/**
 * Lambda functions with their VPC subnets and the AWS APIs their code calls, read from the inline policies of their
 * role. Calls the Lambda service makes on the function's behalf are left out: ENI management (`ec2:*NetworkInterface*`,
 * `ec2:Describe*`, private IP assignment), logs, X-Ray, the dead-letter queue, and KMS used through another service.
 */
export function lambdaFunctions(model: EnvironmentModel): LambdaFacts[] {
  return model.resources("aws_lambda_function").map((fn) => {
    const name = String(model.literal(fn.stack, fn.body.function_name) ?? fn.name);
    const vpc = fn.body.vpc_config as Body | undefined;
    const subnets = vpc ? model.subnets(fn.stack, vpc.subnet_ids ?? []).subnets : undefined;
    const roles = model.referencedResources(fn.stack, fn.body.role, "aws_iam_role");
    const needs = new Set<string>();
    for (const role of roles) {
      for (const policy of model.referencing("aws_iam_role_policy", "role", role)) {
        for (const statement of statementsOf(policy.body.policy)) {
          if (statement.Effect !== "Allow") continue;
          const viaService = JSON.stringify(statement.Condition ?? {}).includes("kms:ViaService");
          for (const action of [statement.Action ?? []].flat()) {
            const [prefix, verb = ""] = String(action).split(":");
            if (prefix === "logs" || prefix === "xray" || (prefix === "kms" && viaService)) continue;
            if (prefix === "ec2" && /NetworkInterface|^Describe|PrivateIpAddresses/.test(verb)) continue;
            if (prefix === "sqs" && verb === "SendMessage" && fn.body.dead_letter_config !== undefined) continue;
            needs.add(API_ENDPOINT[prefix] ?? prefix);
          }
        }
      }
    }
    return { name, subnets, needs: uniqueSorted(needs) };
  });
}

function statementsOf(policy: unknown): { Effect?: string; Action?: string | string[]; Condition?: unknown }[] {
  if (typeof policy !== "string") return [];
  try {
    const statements = (JSON.parse(policy) as { Statement?: unknown }).Statement;
    return Array.isArray(statements) ? statements : [];
  } catch {
    return [];
  }
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The verdict, bold unless serving, with the verdict per lost AZ when it differs between AZs. */
function verdictCell(tier: TierResult): string {
  const text = tier.verdict === "serving" ? "serving" : `**${tier.verdict}**`;
  const perAz = Object.entries(tier.byAz);
  return new Set(perAz.map(([, v]) => v)).size > 1 ? `${text} (${perAz.map(([az, v]) => `${az} lost: ${v}`).join("; ")})` : text;
}

/** The report as Markdown: a summary line, the verdict legend, and one table per group of tiers. */
export function renderAzReport(report: AzReport): string {
  const table = (tiers: readonly TierResult[]) => [
    "| Tier | Verdict | Why |",
    "|---|---|---|",
    ...tiers.map((t) => `| ${cell(t.tier)} | ${verdictCell(t)} | ${cell(t.why)} |`),
  ];
  const critical = report.tiers.filter((t) => t.critical);
  const operator = report.tiers.filter((t) => !t.critical);
  return [
    `# Single-AZ failure: ${report.environment} (${report.availabilityZones.join(", ")})`,
    "",
    `Derived from the synthesized stacks ${report.stacks.join(", ")}; each tier is checked against the loss of each AZ and the worst case is shown.`,
    "",
    `**${report.summary}**`,
    "",
    ...(Object.entries(report.verdicts) as [Verdict, string][]).map(([v, text]) => `- **${v}**: ${text}`),
    "",
    "## Serving path",
    "",
    ...table(critical),
    ...(operator.length > 0 ? ["", "## Operator tools (not on the serving path)", "", ...table(operator)] : []),
    "",
  ].join("\n");
}
