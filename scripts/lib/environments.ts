import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TerraformStack } from "cdktf";
import { ENVIRONMENTS_DIR, environmentNames, loadEnvironments } from "../../config/load";
import type { DagSourceKind, EnvironmentConfig } from "../../config/schema";
import { dagDeliveryNames } from "../../modules/dags/dag-delivery";
import { buildApp } from "../../main";
import { partitionOf } from "../../modules/core/arn";
import { AIRFLOW_VERSION, PYTHON_VERSION } from "../../runtime/airflow-image";
import { Naming } from "../../modules/core/naming";
import { bootstrapStackId } from "../../terraform-state/state-bootstrap-stack";
import { unknownEnvironmentsMessage } from "./cli-environment";
import { topologicalOrder, type DependencyGraph } from "./graph";

/** What CI needs to know about one environment: its stacks in apply order and where it deploys. */
export interface EnvironmentDescription {
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  /** The environment's stacks in apply order (every stack after the stacks it reads); bootstrap stacks excluded. */
  readonly stacks: readonly string[];
  /** Each stack's direct upstream stacks, as recorded by the contracts (`readContract` → `addDependency`). */
  readonly upstream: Readonly<Record<string, readonly string[]>>;
  /**
   * The stack whose apply waits for the database migration (`npm run migrate`): its task definitions roll the new
   * image, so the migrate task (registered by the stacks before it) runs between them.
   */
  readonly migrateBefore: string;
  /** The state bootstrap stack of the environment's state bucket (applied once by hand, never by CI). */
  readonly bootstrap: string;
  /** GitHub OIDC roles of the environment; null when `ci.githubRepository` is not configured (no roles exist). */
  readonly ciRoles: { readonly plan: string; readonly apply: string } | null;
  /** The repository allowed to assume the CI roles (`owner/repo`), or null. */
  readonly githubRepository: string | null;
  /** The environment's ECR repository URL of the Airflow image (`<registry>/<repository>`). */
  readonly ecrRepository: string;
  /** The registry host alone (for `docker login` / amazon-ecr-login). */
  readonly ecrRegistry: string;
  readonly stateBucket: string;
  readonly stateRegion: string;
  /** Build arguments of the Airflow image, from runtime/airflow-image.ts. */
  readonly image: { readonly airflowVersion: string; readonly pythonVersion: string };
  /**
   * DAG delivery: each bundle with its source (efs and s3 bundles are delivered with `npm run deploy-dags`, git
   * bundles by pushing to their repository), the repositories allowed to deliver, and the OIDC role they assume
   * (null without `dags.deployRepositories`).
   */
  readonly dagDelivery: {
    readonly role: string | null;
    readonly repositories: readonly string[];
    readonly bundles: readonly { readonly name: string; readonly source: DagSourceKind }[];
  };
}

/** Environment names with a file in `dir` (sorted). */
export const availableEnvironments = environmentNames;

export class UnknownEnvironmentError extends Error {
  constructor(names: readonly string[], available: readonly string[]) {
    super(unknownEnvironmentsMessage(names, available));
    this.name = "UnknownEnvironmentError";
  }
}

/** Checks `names` against the environment files in `dir`; returns them, or every environment when `names` is empty. */
export function selectEnvironments(names: readonly string[], dir = ENVIRONMENTS_DIR): string[] {
  const available = availableEnvironments(dir);
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length > 0) throw new UnknownEnvironmentError(unknown, available);
  return names.length > 0 ? available.filter((n) => names.includes(n)) : available;
}

/** The stack graph of one environment, read from a built (not synthesized) app. */
export function stackGraph(stacks: readonly TerraformStack[]): DependencyGraph {
  const ids = new Set(stacks.map((s) => s.node.id));
  const graph: Record<string, string[]> = {};
  for (const stack of stacks) {
    const deps = stack.dependencies.map((d) => d.node.id).sort();
    const outside = deps.filter((d) => !ids.has(d));
    if (outside.length > 0) throw new Error(`stack "${stack.node.id}" depends on ${outside.map((d) => `"${d}"`).join(", ")} outside its environment`);
    graph[stack.node.id] = deps;
  }
  return graph;
}

/** ARNs of the environment's GitHub OIDC roles (named by `Naming.ciRole`). */
function ciRoleArns(config: EnvironmentConfig): EnvironmentDescription["ciRoles"] {
  if (!config.ci.githubRepository) return null;
  const naming = new Naming(config.namePrefix, config.name, config.account.id);
  const arn = (kind: "plan" | "apply") => `arn:${partitionOf(config.account.region)}:iam::${config.account.id}:role/${naming.ciRole(kind)}`;
  return { plan: arn("plan"), apply: arn("apply") };
}

function ecrRegistry(config: EnvironmentConfig): string {
  const suffix = partitionOf(config.account.region) === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `${config.account.id}.dkr.ecr.${config.account.region}.${suffix}`;
}

/**
 * Builds the app in memory for one environment (configuration from `dir`, output directory a temporary one that is
 * removed again: nothing is synthesized) and describes it. The order comes from the dependencies the contracts
 * recorded, never from a hand-kept list.
 */
export function describeEnvironment(name: string, dir = ENVIRONMENTS_DIR): EnvironmentDescription {
  selectEnvironments([name], dir);
  // Building the app costs a few hundred milliseconds: describe each environment file's content once per process.
  const key = `${path.resolve(dir)}\0${name}\0${fs.readFileSync(path.join(dir, `${name}.json`), "utf8")}`;
  const cached = described.get(key);
  if (cached) return cached;
  const description = build(name, dir);
  described.set(key, description);
  return description;
}

const described = new Map<string, EnvironmentDescription>();

function build(name: string, dir: string): EnvironmentDescription {
  const [config] = loadEnvironments(dir, [name]);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-stacks-"));
  try {
    const built = buildApp({ environments: [config], outdir });
    const environment = built.environments.get(name)!;
    const stacks = Object.values(environment) as TerraformStack[];
    const graph = stackGraph(stacks);
    const naming = new Naming(config.namePrefix, config.name, config.account.id);
    return {
      environment: config.name,
      accountId: config.account.id,
      region: config.account.region,
      stacks: topologicalOrder(graph),
      upstream: graph,
      migrateBefore: environment.services.node.id,
      bootstrap: bootstrapStackId(config.state.bucket),
      ciRoles: ciRoleArns(config),
      githubRepository: config.ci.githubRepository ?? null,
      ecrRepository: `${ecrRegistry(config)}/${naming.imageRepository}`,
      ecrRegistry: ecrRegistry(config),
      stateBucket: config.state.bucket,
      stateRegion: config.state.region,
      image: { airflowVersion: AIRFLOW_VERSION, pythonVersion: PYTHON_VERSION },
      dagDelivery: {
        role:
          config.dags.deployRepositories.length > 0
            ? `arn:${partitionOf(config.account.region)}:iam::${config.account.id}:role/${dagDeliveryNames(naming).deployRole}`
            : null,
        repositories: config.dags.deployRepositories,
        bundles: config.dags.bundles.map((b) => ({ name: b.name, source: b.source })),
      },
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
