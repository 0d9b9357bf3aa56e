import * as fs from "fs";
import * as path from "path";
import { FakeAws } from "./fake-aws";
import { initializeStacks, installProviderRequirements, type StackInit } from "./stack-init";
import { sharedProvider, startProvider, type SharedProvider } from "./provider-server";
import { offlineTerraform, phaseTimer, terraform, terraformEnvironment, type CommandResult, type StackUnderTest } from "./terraform-cli";
import { AWS_PROVIDER_VERSION } from "./toolchain";

/**
 * The real-Terraform tiers, offline: every stack is initialized as its own root (`init -backend=false`, the provider
 * installed from the mirror once per set of requirements, see stack-init.ts), then the stacks of one AWS account are
 * validated and planned (`terraform test`, `command = plan`) together through an aggregate module that calls each
 * stack directory as a module, one run per account. One Terraform process runs every account's plan and loads the
 * ~13 MB provider schema once instead of once per stack or account (about 2 CPU-s each), and validates each stack
 * once, inside its plan run. The stack configurations are used as synthesized, with two stand-ins: `override_data`
 * for data sources that would read AWS or remote state, and the loopback FakeAws for credentials checks and
 * random-password generation. The provider configuration, the same in every stack of an account but for default tags
 * (checked), is held once by the account's aggregate module, with the account's FakeAws credentials; `terraform
 * validate` validates each stack's own. The plans attach to one provider process of their own (provider-server.ts),
 * which each run configures in turn; a `terraform validate` that separates validation errors from plan errors
 * attaches to the suite's shared one.
 */

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail: string;
  /** File the diagnostic points at, relative to the aggregate root (e.g. `prod-network/cdk.tf.json`). */
  readonly filename?: string;
  /** Resource the diagnostic is about, when Terraform names one (e.g. `module.prod-network.aws_vpc.vpc`). */
  readonly address?: string;
}

/** Values standing in for one data source during the offline plan. */
export interface DataOverride {
  /** Address inside the stack, e.g. `data.terraform_remote_state.network_contract`. */
  readonly address: string;
  readonly values: Record<string, unknown>;
}

/** Supplies override values for a stack's data sources; throws for a data source it cannot stand in for. */
export type OverrideResolver = (stack: StackUnderTest, config: SynthesizedConfig) => DataOverride[];

/** The parts of cdk.tf.json the harness reads. */
export interface SynthesizedConfig {
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, Record<string, unknown>>;
  readonly ephemeral?: Record<string, Record<string, Record<string, unknown>>>;
}

function readConfig(stack: StackUnderTest): SynthesizedConfig {
  return JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8"));
}

/** HCL accepts JSON-style object and tuple constructors, so JSON is a valid HCL expression. */
function hcl(value: unknown): string {
  return JSON.stringify(value);
}

const PLAN_RUN = "offline_plan";

/**
 * Moves the stack copies' provider configuration to the aggregate root, once. A real plan's stacks share one provider
 * process (provider-server.ts), which holds one configuration during an account's run, so every stack of the account
 * must configure the provider the same way once its default tags, the one setting in which they differ, are set
 * aside: this checks that and throws otherwise. The root then holds that configuration and each stack inherits it, so
 * Terraform validates and configures it once per walk instead of once per stack (the AWS provider checks its whole
 * schema on each provider validation). What is lost is `tags_all` in the plan; the stack tests assert the default
 * tags on the synthesized JSON.
 */
export function hoistAccountProvider(root: string, stacks: readonly StackUnderTest[]): Record<string, unknown> {
  let shared: { text: string; from: string } | undefined;
  for (const stack of stacks) {
    const file = path.join(root, stack.id, "cdk.tf.json");
    const { provider, ...rest } = JSON.parse(fs.readFileSync(file, "utf8")) as { provider?: Record<string, Record<string, unknown>[]> };
    const configuration = Object.fromEntries(
      Object.entries(provider ?? {}).map(([name, blocks]) => [name, blocks.map(({ default_tags: _tags, ...block }) => block)]),
    );
    const text = JSON.stringify(configuration);
    shared ??= { text, from: stack.id };
    if (text !== shared.text) {
      throw new Error(
        `stacks ${shared.from} and ${stack.id} of one account configure their providers differently (${shared.text} vs ${text}): ` +
          "the account's plans share one provider process, which holds one configuration",
      );
    }
    fs.writeFileSync(file, JSON.stringify(rest));
  }
  return shared ? (JSON.parse(shared.text) as Record<string, unknown>) : {};
}

/**
 * Writes an aggregate module into `dir`: the stack copies, one module each, called by `dir/main.tf.json`; their
 * assets go to `assetsRoot` (cdktf asset paths are relative to Terraform's working directory, not the module; same
 * path means same content, by the hash). With `credentials`, the stacks' provider configuration is held once by
 * `dir` (hoistAccountProvider), with those credentials. Returns the `override_data` blocks standing in for the
 * stacks' data sources, addressed from `dir`.
 */
function writeAggregate(
  dir: string,
  stacks: readonly StackUnderTest[],
  overrides: OverrideResolver,
  assetsRoot: string,
  credentials?: Readonly<Record<string, string>>,
): string[] {
  const modules: Record<string, { source: string }> = {};
  const blocks: string[] = [];
  for (const stack of stacks) {
    fs.cpSync(stack.dir, path.join(dir, stack.id), {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}.terraform`) && !src.endsWith(".terraform.lock.hcl"),
    });
    const assets = path.join(stack.dir, "assets");
    if (fs.existsSync(assets)) fs.cpSync(assets, path.join(assetsRoot, "assets"), { recursive: true, force: true });
    modules[stack.id] = { source: `./${stack.id}` };
    for (const o of overrides(stack, readConfig(stack))) {
      blocks.push(`  override_data {\n    target = module.${stack.id}.${o.address}\n    values = ${hcl(o.values)}\n  }\n`);
    }
  }
  const hoisted = credentials ? hoistAccountProvider(dir, stacks) : {};
  const provider = Object.fromEntries(
    Object.entries(hoisted).map(([name, configurations]) => [name, (configurations as Record<string, unknown>[]).map((c) => ({ ...c, ...credentials }))]),
  );
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ ...(Object.keys(provider).length > 0 ? { provider } : {}), module: modules }, null, 2));
  return blocks;
}

/**
 * Writes the plans' root: per account a module `plan-<account>` (its stacks, their provider configuration held once
 * with the account's FakeAws credentials) and a test file `tests/<account>.tftest.hcl` whose one run plans it. One
 * `terraform test` process runs the files one after another (an error in one file does not stop the next), so the
 * ~13 MB provider schema is loaded once, and one provider process serves every account, each run configuring it in
 * turn; the FakeAws tells the accounts apart by their credentials.
 */
function writePlanRoot(
  root: string,
  accounts: readonly { accountId: string; stacks: readonly StackUnderTest[] }[],
  overrides: OverrideResolver,
  fake: FakeAws,
): void {
  fs.mkdirSync(path.join(root, "tests"), { recursive: true });
  for (const { accountId, stacks } of accounts) {
    const blocks = writeAggregate(path.join(root, `plan-${accountId}`), stacks, overrides, root, fake.credentials(accountId));
    const run = `run "${PLAN_RUN}" {\n  command = plan\n  module {\n    source = "./plan-${accountId}"\n  }\n${blocks.join("")}}\n`;
    fs.writeFileSync(path.join(root, "tests", `${accountId}.tftest.hcl`), run);
  }
  fs.writeFileSync(
    path.join(root, "main.tf.json"),
    JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } } } }),
  );
}

/** The stack a diagnostic belongs to: the stack directory in its file's path, else the one module its address or text names. */
export function stackOf(d: Diagnostic, stacks: readonly StackUnderTest[]): string | undefined {
  const segments = d.filename?.split(/[\\/]/) ?? [];
  const byFile = stacks.find((s) => segments.includes(s.id))?.id;
  if (byFile) return byFile;
  const named = new Set([...`${d.address ?? ""} ${d.summary} ${d.detail}`.matchAll(/module\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]));
  return named.size === 1 ? stacks.find((s) => named.has(s.id))?.id : undefined;
}

/** Warnings the aggregate itself causes (a stack's backend and provider blocks are inert in a child module). */
export function isAggregateArtefact(d: Diagnostic): boolean {
  return (
    d.severity === "warning" &&
    /Backend configuration ignored|Redundant empty provider block|provider configurations only in the root/i.test(`${d.summary} ${d.detail}`)
  );
}

export function toDiagnostic(raw: { severity: string; summary: string; detail?: string; address?: string; range?: { filename?: string } }): Diagnostic {
  return {
    severity: raw.severity as Diagnostic["severity"],
    summary: raw.summary,
    detail: raw.detail ?? "",
    filename: raw.range?.filename,
    ...(raw.address ? { address: raw.address } : {}),
  };
}

/** Groups diagnostics by stack; a diagnostic that names no stack goes to every stack (it is nobody's pass). */
export function byStack(diagnostics: readonly Diagnostic[], stacks: readonly StackUnderTest[]): Record<string, Diagnostic[]> {
  const out: Record<string, Diagnostic[]> = Object.fromEntries(stacks.map((s) => [s.id, [] as Diagnostic[]]));
  for (const d of diagnostics) {
    if (isAggregateArtefact(d)) continue;
    const owner = stackOf(d, stacks);
    for (const id of owner ? [owner] : stacks.map((s) => s.id)) out[id]?.push(d);
  }
  return out;
}

/** Result of one account's plan run. */
export interface AccountPlan {
  /** Status of the `terraform test` plan run over the account's stacks: pass, fail, error or skip. */
  readonly status: string;
  readonly output: CommandResult;
  /** AWS calls the stacks made at plan time. */
  readonly awsCalls: readonly string[];
}

export interface TierResults {
  /** Each stack's init as its own root, and the full init that installed its provider requirements (stack-init.ts). */
  readonly init: Readonly<Record<string, StackInit>>;
  /**
   * `terraform validate` diagnostics per stack (warnings the aggregate itself causes are removed). Empty for a stack
   * whose plan run reported nothing: the run validated it first, with the same core validation.
   */
  readonly validate: Readonly<Record<string, Diagnostic[]>>;
  readonly plans: Readonly<Record<string, AccountPlan>>;
  readonly planDiagnostics: Readonly<Record<string, Diagnostic[]>>;
}

/** Each test file's plan-run status (by file name, e.g. `111111111111.tftest.hcl`) and every diagnostic. */
function parseTestEvents(stdout: string): { status: Record<string, string>; diagnostics: Diagnostic[] } {
  const status: Record<string, string> = {};
  const diagnostics: Diagnostic[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    const event = JSON.parse(line) as {
      type: string;
      "@testfile"?: string;
      test_run?: { run: string; progress: string; status?: string };
      diagnostic?: Parameters<typeof toDiagnostic>[0];
    };
    if (event.type === "test_run" && event.test_run?.run === PLAN_RUN && event.test_run.progress === "complete")
      status[path.basename(event["@testfile"] ?? "")] = event.test_run.status ?? "unknown";
    if (event.type === "diagnostic" && event.diagnostic) diagnostics.push(toDiagnostic(event.diagnostic));
  }
  return { status, diagnostics };
}

/**
 * Installs an aggregate root's modules (`terraform get`). The root's provider is always attached
 * (TF_REATTACH_PROVIDERS, provider-server.ts), never started from `.terraform`, and Terraform neither installs nor
 * checks an attached provider: `terraform init` would only add a provider copy and a lock file, hashing the ~700 MB
 * binary for it (about 0.6 s of CPU a root). Each stack is still initialized as its own root.
 */
export async function installModules(dir: string): Promise<void> {
  const result = await terraform(["get", "-no-color"], dir);
  if (result.code !== 0) throw new Error(`terraform get of the aggregate root ${path.basename(dir)} failed:\n${result.stderr}${result.stdout}`);
}

/**
 * Runs the offline tiers: every stack is initialized as its own root, then each account's stacks are validated and
 * planned through an aggregate module of their own, in one run per account of one `terraform test` (a run validates
 * its configuration with the same core validation as `terraform validate`, then plans it), against a FakeAws that
 * answers for every account, telling them apart by their credentials. Only when a run reports a diagnostic for some
 * stack is `terraform validate` run over those stacks, to tell what fails validation from what fails the plan; a
 * clean suite validates once, inside the plans. `workdir` must be empty; of the stack directories only the
 * `.terraform` and lock file of a stack that installs its requirements are written.
 */
export async function runOfflineTiers(options: {
  readonly stacks: readonly (StackUnderTest & { readonly accountId: string })[];
  readonly overrides: OverrideResolver;
  readonly workdir: string;
  /** The running provider `terraform validate` attaches to; one is started for the call when not given. */
  readonly provider?: SharedProvider;
}): Promise<TierResults> {
  const { stacks, workdir } = options;
  const timing = phaseTimer();
  const installs = await installProviderRequirements(stacks, workdir);
  timing("provider requirements installed");

  const accounts = [...new Set(stacks.map((s) => s.accountId))].sort();
  // One provider process serves every account's plan, started with the FakeAws's endpoints (from the mirror, or from
  // an installing stack's initialization), instead of starting the plugin twice per stack; the stacks whose
  // requirements are installed already initialize with it attached.
  const fake = await FakeAws.start(accounts[0], ...accounts.slice(1));
  const provider = await startProvider(
    offlineTerraform().toolchain,
    stacks.map((s) => s.dir),
    fake.environment(),
  );
  const plans: Record<string, AccountPlan> = {};
  const runDiagnostics: Diagnostic[] = [];
  let init: Readonly<Record<string, StackInit>>;
  try {
    init = await initializeStacks(stacks, installs, () => provider.environment);
    timing("init of every stack");
    const root = path.join(workdir, "plans");
    writePlanRoot(
      root,
      accounts.map((accountId) => ({ accountId, stacks: stacks.filter((s) => s.accountId === accountId) })),
      options.overrides,
      fake,
    );
    await installModules(root);
    timing("plans' root written, modules installed");
    const output = await terraform(["test", "-json", "-no-color"], root, terraformEnvironment({ ...fake.environment(), ...provider.environment }));
    timing("validate and plan runs");
    const parsed = parseTestEvents(output.stdout);
    for (const accountId of accounts) {
      plans[accountId] = { status: parsed.status[`${accountId}.tftest.hcl`] ?? "not run", output, awsCalls: [...fake.callsOf(accountId)] };
    }
    runDiagnostics.push(...parsed.diagnostics);
  } finally {
    await Promise.all([fake.stop(), provider.stop()]);
  }
  const planDiagnostics = byStack(runDiagnostics, stacks);
  const flagged = stacks.filter((s) => planDiagnostics[s.id].length > 0);
  const validation = flagged.length > 0 ? await validateStacks(workdir, flagged, options) : undefined;
  timing(`terraform validate of the ${flagged.length} stacks the runs reported something for`);
  return {
    init,
    validate: { ...Object.fromEntries(stacks.map((s) => [s.id, [] as Diagnostic[]])), ...validation },
    plans,
    planDiagnostics,
  };
}

/** `terraform validate` over `stacks` through one aggregate root: diagnostics by stack. */
async function validateStacks(
  workdir: string,
  stacks: readonly StackUnderTest[],
  options: { readonly overrides: OverrideResolver; readonly provider?: SharedProvider },
): Promise<Record<string, Diagnostic[]>> {
  const dir = path.join(workdir, "validate");
  writeAggregate(dir, stacks, options.overrides, dir);
  await installModules(dir);
  // Validation configures no provider: every stack's validation attaches to one running provider.
  const provider =
    options.provider ??
    (await sharedProvider(
      offlineTerraform().toolchain,
      stacks.map((s) => s.dir),
    ));
  try {
    const output = await terraform(["validate", "-json", "-no-color"], dir, terraformEnvironment(provider.environment));
    const parsed = JSON.parse(output.stdout || "{}") as { diagnostics?: Parameters<typeof toDiagnostic>[0][] };
    return byStack((parsed.diagnostics ?? []).map(toDiagnostic), stacks);
  } finally {
    if (!options.provider) await provider.stop();
  }
}

/** One line per diagnostic, for assertion messages. */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity}: ${d.summary}${d.filename ? ` (${d.filename})` : ""}\n  ${d.detail.replace(/\n/g, "\n  ")}`).join("\n");
}
