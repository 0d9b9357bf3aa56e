import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EnvironmentConfig } from "../../config/schema";
import type { StackKind } from "../../modules/core/contract";
import type { Action, Change, PlanJson, ResourceChange } from "../../scripts/lib/terraform-plan";
import { FakeAws } from "./fake-aws";
import { contractOutputs } from "./offline-overrides";
import { providerExecutable, startProvider, type SharedProvider } from "./provider-server";
import { offlineTerraform, terraform, terraformEnvironment, type CommandResult, type StackUnderTest } from "./terraform-cli";

/**
 * Real `terraform show -json` plans of synthesized stacks, offline: the stack directory is copied and given an
 * override file (`offline_override.tf.json`; Terraform merges override files block by block) that
 *  - replaces the S3 (or bootstrap local) backend with a local backend inside the copy, so `init` needs no AWS and
 *    `plan -out` has a real, empty state to plan against;
 *  - points each `terraform_remote_state` at an empty local state file, with `defaults` = the producer's contract
 *    example outputs, exactly what a consumer reads once its producer is applied.
 * The provider runs as synthesized (account pin included) with fake credentials against a FakeAws per account.
 * Everything else is the stack's own configuration, so the plan is what CI's first plan of the stack shows.
 */

/** Data sources the provider evaluates without calling AWS. */
const LOCAL_DATA_SOURCES = new Set(["aws_iam_policy_document", "aws_partition"]);

/** An applied producer's state as a consumer's remote-state read sees it before `defaults` apply: no outputs. */
function emptyState(): string {
  // Terraform refuses a state written by a newer Terraform, so it claims the running version.
  const { toolchain } = offlineTerraform();
  return JSON.stringify({ version: 4, terraform_version: toolchain.version, serial: 1, lineage: "offline-plan-remote-state", outputs: {}, resources: [] });
}

export interface PlannableStack extends StackUnderTest {
  readonly accountId: string;
}

interface StackJson {
  readonly data?: Record<string, Record<string, { config?: { key?: string } }>>;
}

/** The override file for one stack: local backend, remote state from contract examples. */
export function offlinePlanOverride(
  stack: StackUnderTest,
  json: StackJson,
  configs: readonly EnvironmentConfig[],
): { override: Record<string, unknown>; stateFiles: string[] } {
  const remote: Record<string, unknown> = {};
  const stateFiles: string[] = [];
  for (const [type, instances] of Object.entries(json.data ?? {})) {
    for (const [name, body] of Object.entries(instances)) {
      if (LOCAL_DATA_SOURCES.has(type)) continue;
      if (type !== "terraform_remote_state") {
        throw new Error(
          `stack ${stack.id}: data.${type}.${name} would call AWS at plan time; the offline plan supports remote state and local data sources only`,
        );
      }
      const key = String(body.config?.key ?? "");
      const match = /^([^/]+)\/([a-z]+)\.tfstate$/.exec(key);
      const config = configs.find((c) => c.name === match?.[1]);
      if (!match || !config)
        throw new Error(`stack ${stack.id}: data.terraform_remote_state.${name} reads state key "${key}", which belongs to no known environment stack`);
      const file = `remote-state/${name}.tfstate`;
      stateFiles.push(file);
      remote[name] = { backend: "local", config: { path: file }, defaults: contractOutputs(match[2] as StackKind, config) };
    }
  }
  const override: Record<string, unknown> = { terraform: { backend: { local: { path: "terraform.tfstate" } } } };
  if (Object.keys(remote).length > 0) override.data = { terraform_remote_state: remote };
  return { override, stateFiles };
}

function check(result: CommandResult, what: string): CommandResult {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
  return result;
}

/**
 * Plans each stack offline and returns its `terraform show -json` plan, by stack id. Inits run one after another on a
 * private plugin cache (concurrent writes to one cache race, hashicorp/terraform#31964), with the provider attached
 * where it runs already; plans run one at a time.
 * The working copies are removed afterwards.
 */
export async function planStacksOffline(stacks: readonly PlannableStack[], configs: readonly EnvironmentConfig[]): Promise<Record<string, PlanJson>> {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-plan-json-"));
  const fakes = new Map<string, FakeAws>();
  const providers = new Map<string, SharedProvider>();
  try {
    const cache = path.join(workdir, "plugin-cache");
    fs.mkdirSync(cache);
    const copies = stacks.map((stack) => {
      const dir = path.join(workdir, stack.id);
      fs.cpSync(stack.dir, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) && !src.endsWith(".terraform.lock.hcl") });
      const json = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as StackJson;
      const { override, stateFiles } = offlinePlanOverride(stack, json, configs);
      for (const file of stateFiles) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), emptyState());
      }
      fs.writeFileSync(path.join(dir, "offline_override.tf.json"), JSON.stringify(override, null, 2));
      return { ...stack, dir };
    });

    // The provider's install is the offline tiers' subject: here it is installed only when the mirror is packed (the
    // first copy's, to start the provider from); every other init attaches it and only initializes the local backend.
    const { toolchain } = offlineTerraform();
    const installing = providerExecutable([toolchain.mirror]) ? [] : copies.slice(0, 1);
    const init = ["init", "-input=false", "-no-color"];
    for (const copy of installing) check(await terraform(init, copy.dir, terraformEnvironment({ TF_PLUGIN_CACHE_DIR: cache })), `terraform init of ${copy.id}`);
    for (const accountId of new Set(stacks.map((s) => s.accountId))) fakes.set(accountId, await FakeAws.start(accountId));
    // One provider process per account, started with its FakeAws environment: the account's plans attach to it one
    // after another (a process holds one configuration, which each plan sets for itself first), instead of starting
    // the plugin three times per stack (validate and plan walks, show).
    for (const [accountId, fake] of fakes) providers.set(accountId, await startProvider(toolchain, [copies[0].dir], fake.environment()));
    for (const copy of copies.filter((c) => !installing.includes(c))) {
      const attached = terraformEnvironment({ ...providers.get(copy.accountId)!.environment, TF_PLUGIN_CACHE_DIR: cache });
      check(await terraform(init, copy.dir, attached), `terraform init of ${copy.id}`);
    }

    const plans: Record<string, PlanJson> = {};
    for (const copy of copies) {
      const env = terraformEnvironment({
        ...fakes.get(copy.accountId)!.environment(),
        ...providers.get(copy.accountId)!.environment,
        TF_PLUGIN_CACHE_DIR: cache,
      });
      check(await terraform(["plan", "-input=false", "-lock=false", "-no-color", "-out=tfplan"], copy.dir, env), `terraform plan of ${copy.id}`);
      const shown = check(await terraform(["show", "-json", "-no-color", "tfplan"], copy.dir, env), `terraform show -json of ${copy.id}`);
      plans[copy.id] = JSON.parse(shown.stdout) as PlanJson;
    }
    return plans;
  } finally {
    await Promise.all([...fakes.values(), ...providers.values()].map((f) => f.stop()));
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Crafted plans: the cases an offline first plan cannot produce (replace, delete, update, sensitive, no-op). They
// follow the shape of `terraform show -json` (format 1.2) field for field.

export interface ChangeSpec {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly Action[];
  readonly mode?: "managed" | "data";
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  readonly replace_paths?: readonly (readonly (string | number)[])[];
  readonly action_reason?: string;
}

export function resourceChange(spec: ChangeSpec): ResourceChange {
  const prefix = spec.mode === "data" ? "data." : "";
  return {
    address: `${prefix}${spec.type}.${spec.name}`,
    mode: spec.mode ?? "managed",
    type: spec.type,
    name: spec.name,
    provider_name: "registry.terraform.io/hashicorp/aws",
    change: {
      actions: spec.actions,
      before: spec.before ?? null,
      after: spec.after ?? null,
      after_unknown: spec.after_unknown ?? {},
      before_sensitive: spec.before_sensitive ?? (spec.before ? {} : false),
      after_sensitive: spec.after_sensitive ?? (spec.after ? {} : false),
      ...(spec.replace_paths ? { replace_paths: spec.replace_paths } : {}),
    },
    ...(spec.action_reason ? { action_reason: spec.action_reason } : {}),
  };
}

export function craftedPlan(changes: readonly ResourceChange[], outputs: Readonly<Record<string, Change>> = {}): PlanJson {
  return { format_version: "1.2", terraform_version: "1.11.4", resource_changes: changes, output_changes: outputs };
}
