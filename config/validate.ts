import { contains, formatCidr, overlaps, parseCidr, type Ipv4Cidr } from "./cidr";
import type { FieldIssue } from "./spec/check";
import { checkHibernation } from "./hibernation";
import { describeFargateSizes, instanceArchitecture, isValidFargateSize, taskFitProblems } from "./instance-types";
import { checkSpotCapacity } from "./spot";
import { IMAGE_DAG_BUNDLE_NAME } from "../runtime/airflow-image";
import type { EnvironmentConfig, TaskSize } from "./schema";
import { resolveAirflowOptions } from "./derived/airflow-options";
import { checkBundleRefreshes } from "./derived/dag-processor-health";
import { checkAuth, checkWorkerTaskRoles } from "./validate-access";

/** The Airflow default queue (`[operators] default_queue`): tasks without an explicit queue land here. */
export const DEFAULT_QUEUE = "default";

export { CADVISOR_TASK_SIZE } from "./instance-types";

/**
 * Cross-field rules on a complete (defaults applied) environment. Each returns issues naming the field, the value
 * and what is allowed; the shape checks in `fields.ts` have already run.
 */
export function validateEnvironment(config: EnvironmentConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const report = (path: string, value: unknown, problem: string) => issues.push({ path, value, problem });
  checkNetwork(config, report);
  checkProduction(config, report);
  checkCompute(config, report);
  checkWorkerPools(config, report);
  checkData(config, report);
  checkAlb(config, report);
  checkDags(config, report);
  // The environment's own Airflow options, and the rules of the runtime values derived from the environment.
  issues.push(...resolveAirflowOptions(config).issues, ...checkBundleRefreshes(config.dags.bundles));
  checkAuth(config, report);
  checkWorkerTaskRoles(config, report);
  checkSpotCapacity(config, (issue) => issues.push(issue));
  checkHibernation(config, (issue) => issues.push(issue));
  checkAlarms(config, report);
  return issues;
}

/** Records one issue: the field's path, the value found and what is wrong with it (ending in what is expected). */
export type Report = (path: string, value: unknown, problem: string) => void;

function checkNetwork(config: EnvironmentConfig, report: Report): void {
  const { network, account } = config;
  const vpc = parseCidr(network.vpcCidr);
  if (!vpc) {
    report("network.vpcCidr", network.vpcCidr, "is not a valid IPv4 CIDR (octets 0-255, prefix 0-32, no host bits set); expected e.g. 10.20.0.0/16");
  } else if (vpc.prefix < 16 || vpc.prefix > 20) {
    report("network.vpcCidr", network.vpcCidr, "has a prefix outside /16-/20; expected a VPC of 4,096 to 65,536 addresses");
  }

  if (network.availabilityZones.length !== network.azCount) {
    report(
      "network.availabilityZones",
      network.availabilityZones,
      `has ${network.availabilityZones.length} entries but network.azCount is ${network.azCount}; expected one AZ per azCount`,
    );
  }
  network.availabilityZones.forEach((az, i) => {
    if (!az.startsWith(account.region) || az.length !== account.region.length + 1) {
      report(`network.availabilityZones[${i}]`, az, `is not an AZ of region ${account.region}; expected ${account.region} followed by one letter`);
    }
  });
  if (new Set(network.availabilityZones).size !== network.availabilityZones.length) {
    report("network.availabilityZones", network.availabilityZones, "repeats an AZ; expected distinct AZs");
  }

  const parsed: { path: string; text: string; cidr: Ipv4Cidr }[] = [];
  // An invalid VPC CIDR leaves the derived layout empty; its own message says enough.
  const derivedFromInvalidVpc = !vpc && network.subnets.public.length === 0 && network.subnets.private.length === 0;
  for (const tier of derivedFromInvalidVpc ? [] : (["public", "private"] as const)) {
    const subnets = network.subnets[tier];
    if (subnets.length !== network.azCount) {
      report(`network.subnets.${tier}`, subnets, `has ${subnets.length} entries but network.azCount is ${network.azCount}; expected one subnet per AZ`);
    }
    subnets.forEach((text, i) => {
      const path = `network.subnets.${tier}[${i}]`;
      const cidr = parseCidr(text);
      if (!cidr) return report(path, text, "is not a valid IPv4 CIDR; expected e.g. 10.20.0.0/19");
      if (cidr.prefix < 16 || cidr.prefix > 28) return report(path, text, "has a prefix outside /16-/28 (the AWS subnet size limits)");
      if (vpc && !contains(vpc, cidr)) return report(path, text, `is outside the VPC ${network.vpcCidr}; expected a subnet of the VPC CIDR`);
      parsed.push({ path, text, cidr });
    });
  }
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      if (overlaps(parsed[i].cidr, parsed[j].cidr)) {
        report(parsed[j].path, parsed[j].text, `overlaps ${parsed[i].path} (${formatCidr(parsed[i].cidr)}); expected non-overlapping subnets`);
      }
    }
  }
}

function checkProduction(config: EnvironmentConfig, report: Report): void {
  if (!config.production) return;
  const { database, redis } = config.storage;
  const rule = (ok: boolean, path: string, value: unknown, expected: string) => {
    if (!ok) report(path, value, `is not allowed in a production environment; expected ${expected}`);
  };
  rule(
    config.network.natGateways === "per-az",
    "network.natGateways",
    config.network.natGateways,
    '"per-az" (a single NAT gateway is a single point of failure)',
  );
  rule(database.multiAz, "storage.database.multiAz", database.multiAz, "true");
  rule(database.backupRetentionDays >= 7, "storage.database.backupRetentionDays", database.backupRetentionDays, "at least 7 days");
  rule(database.deletionProtection, "storage.database.deletionProtection", database.deletionProtection, "true");
  rule(database.performanceInsights, "storage.database.performanceInsights", database.performanceInsights, "true");
  rule(redis.nodeCount >= 2, "storage.redis.nodeCount", redis.nodeCount, "at least 2 nodes (automatic failover needs a replica)");
  rule(redis.snapshotRetentionDays >= 1, "storage.redis.snapshotRetentionDays", redis.snapshotRetentionDays, "at least 1 day");
  rule(config.airflow.apiServer.desiredCount >= 2, "airflow.apiServer.desiredCount", config.airflow.apiServer.desiredCount, "at least 2 replicas");
  rule(config.airflow.scheduler.desiredCount >= 2, "airflow.scheduler.desiredCount", config.airflow.scheduler.desiredCount, "at least 2 replicas");
  rule(config.airflow.auth.kind !== "simple", "airflow.auth.kind", config.airflow.auth.kind, '"fab" or "oidc" (the simple auth manager is for development)');
  rule(
    config.compute.maxInstances >= config.network.azCount,
    "compute.maxInstances",
    config.compute.maxInstances,
    `at least one host per AZ (${config.network.azCount})`,
  );
  rule(config.alarms.email !== undefined, "alarms.email", config.alarms.email, "an e-mail address for the alarm topic");
  rule(config.alb.certificateArn !== undefined, "alb.certificateArn", config.alb.certificateArn, "an ACM certificate ARN (production serves HTTPS only)");
}

function checkCompute(config: EnvironmentConfig, report: Report): void {
  const { compute } = config;
  if (compute.minInstances > compute.maxInstances) {
    report(
      "compute.minInstances",
      compute.minInstances,
      `is greater than compute.maxInstances (${compute.maxInstances}); expected minInstances <= maxInstances`,
    );
  }
  if (instanceArchitecture(compute.instanceType) !== "x86_64") {
    report(
      "compute.instanceType",
      compute.instanceType,
      "is an arm64 (Graviton) type; expected an x86_64 type such as m7i.large (the Airflow image is built for linux/amd64)",
    );
  }
  const fits = (path: string, size: TaskSize) => {
    const problems = taskFitProblems(compute.instanceType, size);
    if (problems.memory) report(`${path}.memory`, size.memory, problems.memory);
    if (problems.cpu) report(`${path}.cpu`, size.cpu, problems.cpu);
  };
  for (const name of ["apiServer", "scheduler", "dagProcessor", "triggerer", "flower"] as const) fits(`airflow.${name}`, config.airflow[name]);
  config.workerPools.forEach((pool, i) => {
    if (pool.capacity === "ec2") fits(`workerPools[${i}]`, pool);
  });
}

function checkWorkerPools(config: EnvironmentConfig, report: Report): void {
  const owners = new Map<string, string>();
  const names = new Set<string>();
  config.workerPools.forEach((pool, i) => {
    const path = `workerPools[${i}]`;
    if (names.has(pool.name)) report(`${path}.name`, pool.name, "is used by another pool; expected unique pool names");
    names.add(pool.name);
    if (pool.queues.length === 0) report(`${path}.queues`, pool.queues, "is empty; a worker pool must consume at least one Celery queue");
    pool.queues.forEach((queue, q) => {
      const owner = owners.get(queue);
      if (owner !== undefined) {
        report(
          `${path}.queues[${q}]`,
          queue,
          `is already consumed by ${owner}; expected each queue in exactly one pool (queue-depth scaling counts a queue once)`,
        );
      } else {
        owners.set(queue, `pool "${pool.name}"`);
      }
    });
    if (pool.minCount > pool.maxCount) {
      report(`${path}.minCount`, pool.minCount, `is greater than ${path}.maxCount (${pool.maxCount}); expected minCount <= maxCount`);
    }
    if (pool.capacity.startsWith("fargate") && !isValidFargateSize(pool.cpu, pool.memory)) {
      report(`${path}.memory`, { cpu: pool.cpu, memory: pool.memory }, `is not a Fargate task size; expected ${describeFargateSizes()}`);
    }
  });
  if (!owners.has(DEFAULT_QUEUE)) {
    report(
      "workerPools",
      config.workerPools.map((p) => p.name),
      `has no pool consuming the "${DEFAULT_QUEUE}" queue; tasks without an explicit queue would never run`,
    );
  }
}

function checkData(config: EnvironmentConfig, report: Report): void {
  const { database, redis } = config.storage;
  if (database.maxAllocatedStorageGb < database.allocatedStorageGb) {
    report(
      "storage.database.maxAllocatedStorageGb",
      database.maxAllocatedStorageGb,
      `is below storage.database.allocatedStorageGb (${database.allocatedStorageGb}); expected >= allocatedStorageGb`,
    );
  }
  if (redis.nodeCount === 1 && redis.snapshotRetentionDays === 0 && config.production) {
    report("storage.redis.snapshotRetentionDays", 0, "leaves a single-node broker without snapshots in production");
  }
}

function checkAlb(config: EnvironmentConfig, report: Report): void {
  const { alb, account } = config;
  alb.allowedCidrs.forEach((text, i) => {
    if (!parseCidr(text)) report(`alb.allowedCidrs[${i}]`, text, "is not a valid IPv4 CIDR; expected e.g. 203.0.113.0/24 or 0.0.0.0/0");
  });
  if (alb.certificateArn) {
    const [, , , region, accountId] = alb.certificateArn.split(":");
    if (region !== account.region) {
      report(
        "alb.certificateArn",
        alb.certificateArn,
        `is in region ${region}; expected a certificate in ${account.region} (an ALB uses certificates of its own region)`,
      );
    }
    if (accountId !== account.id) {
      report("alb.certificateArn", alb.certificateArn, `belongs to account ${accountId}; expected a certificate of account ${account.id}`);
    }
  }
}

function checkDags(config: EnvironmentConfig, report: Report): void {
  const { account } = config;
  const names = new Map<string, number>();
  const prefixes: { path: string; prefix: string }[] = [];
  config.dags.bundles.forEach((bundle, i) => {
    const path = `dags.bundles[${i}]`;
    if (bundle.name === IMAGE_DAG_BUNDLE_NAME) {
      report(`${path}.name`, bundle.name, "is the image's platform DAG bundle; expected another name");
    } else if (names.has(bundle.name)) {
      report(`${path}.name`, bundle.name, `is already the name of dags.bundles[${names.get(bundle.name)}]; expected distinct bundle names`);
    } else {
      names.set(bundle.name, i);
    }
    if (bundle.source === "git") {
      const ssh = /^(ssh:\/\/)?git@/.test(bundle.repository);
      if (ssh && !bundle.credentialsSecretArn) {
        report(
          `${path}.credentialsSecretArn`,
          undefined,
          `is required for the SSH repository ${bundle.repository}; expected the ARN of a secret holding the git connection with its deploy key`,
        );
      }
      if (bundle.credentialsSecretArn) {
        const [, , , region, accountId] = bundle.credentialsSecretArn.split(":");
        if (region !== account.region || accountId !== account.id) {
          report(
            `${path}.credentialsSecretArn`,
            bundle.credentialsSecretArn,
            `is in ${accountId}/${region}; expected a secret of account ${account.id} in ${account.region}`,
          );
        }
      }
    }
    if (bundle.source === "s3") {
      const other = prefixes.find((p) => p.prefix === bundle.prefix || p.prefix.startsWith(`${bundle.prefix}/`) || bundle.prefix.startsWith(`${p.prefix}/`));
      if (other) {
        report(
          `${path}.prefix`,
          bundle.prefix,
          `overlaps ${other.path}.prefix (${other.prefix}); expected S3 bundles in separate folders (a bundle syncs everything under its prefix)`,
        );
      }
      prefixes.push({ path, prefix: bundle.prefix });
    }
  });
  if (config.dags.deployRepositories.length > 0 && !config.dags.bundles.some((b) => b.source !== "git")) {
    report(
      "dags.deployRepositories",
      config.dags.deployRepositories,
      "is set but every bundle is a git bundle (delivered by pushing to its repository); expected an efs or s3 bundle to deliver, or no deploy repositories",
    );
  }
}

/** Claims an account-wide singleton for `config`'s environment; returns the environment that already owns it, if any. */
function claimAccount(owners: Map<string, string>, config: EnvironmentConfig): string | undefined {
  const owner = owners.get(config.account.id);
  if (owner === undefined) owners.set(config.account.id, config.name);
  return owner;
}

/**
 * Rules across environments: environments sharing a state bucket must agree on its account and region, and only one
 * environment per account may manage an account-wide singleton (the GitHub OIDC provider, the ECS trunking setting).
 */
export function validateEnvironmentSet(configs: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  const buckets = new Map<string, EnvironmentConfig>();
  const oidcOwners = new Map<string, string>();
  const trunkingOwners = new Map<string, string>();
  for (const c of configs) {
    if (c.compute.awsvpcTrunking) {
      const owner = claimAccount(trunkingOwners, c);
      if (owner) {
        problems.push(
          `environment "${c.name}": compute.awsvpcTrunking = true but environment "${owner}" already manages the ECS awsvpcTrunking setting of account ${c.account.id}; expected false (one owner per account)`,
        );
      }
    }
    const first = buckets.get(c.state.bucket);
    if (first && (first.account.id !== c.account.id || first.state.region !== c.state.region)) {
      problems.push(
        `environment "${c.name}": state.bucket = "${c.state.bucket}" is shared with environment "${first.name}" but in account ${c.account.id}/${c.state.region} instead of ${first.account.id}/${first.state.region}; expected environments sharing a state bucket to share its account and region`,
      );
    }
    if (!first) buckets.set(c.state.bucket, c);
    if (c.ci.createOidcProvider) {
      const owner = claimAccount(oidcOwners, c);
      if (owner) {
        problems.push(
          `environment "${c.name}": ci.createOidcProvider = true but environment "${owner}" already creates the GitHub OIDC provider of account ${c.account.id}; expected false (one provider per account)`,
        );
      }
    }
  }
  return problems;
}

/** What each subscription protocol's endpoint must look like, in words and as a check (ARNs: the environment's account). */
function checkAlarms(config: EnvironmentConfig, report: Report): void {
  const { account } = config;
  const seen = new Map<string, string>();
  if (config.alarms.email) seen.set(`email ${config.alarms.email}`, "alarms.email");
  config.alarms.subscriptions.forEach(({ protocol, endpoint }, i) => {
    const path = `alarms.subscriptions[${i}].endpoint`;
    const problem = subscriptionEndpointProblem(protocol, endpoint, account.id);
    if (problem) report(path, endpoint, problem);
    const key = `${protocol} ${endpoint}`;
    const earlier = seen.get(key);
    if (earlier) report(path, endpoint, `is already subscribed by ${earlier}; expected each endpoint once`);
    else seen.set(key, `alarms.subscriptions[${i}]`);
  });
}

/** Why an endpoint does not fit its protocol, or undefined when it does. */
export function subscriptionEndpointProblem(protocol: "email" | "https" | "sqs" | "lambda", endpoint: string, accountId: string): string | undefined {
  switch (protocol) {
    case "email":
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint) ? undefined : "is not an e-mail address; expected e.g. oncall@example.com for protocol email";
    case "https": {
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        url = undefined;
      }
      return url?.protocol === "https:" && url.hostname !== ""
        ? undefined
        : "is not an https URL; expected e.g. https://hooks.example.com/sns for protocol https (SNS delivers only over TLS here)";
    }
    case "sqs":
    case "lambda": {
      const pattern =
        protocol === "sqs"
          ? /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:(\d{12}):[A-Za-z0-9_-]{1,80}(\.fifo)?$/
          : /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:(\d{12}):function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/;
      const match = pattern.exec(endpoint);
      if (!match)
        return `is not ${protocol === "sqs" ? "an SQS queue" : "a Lambda function"} ARN; expected arn:aws:${protocol}:<region>:${accountId}:${protocol === "sqs" ? "<queue>" : "function:<name>"}`;
      return match[1] === accountId
        ? undefined
        : `belongs to account ${match[1]}; expected ${protocol === "sqs" ? "a queue" : "a function"} of account ${accountId}`;
    }
  }
}
