import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ApplyMocks, ResourceOverride } from "./apply-mocks";
import { FakeAws } from "./fake-aws";
import { providerExecutable, SHARED_PROVIDER_VARIABLE, sharedProvider, type SharedProvider } from "./provider-server";
import { INIT_ARGS, offlineTerraform, phaseTimer, terraform, terraformEnvironment, type CommandResult, type StackUnderTest } from "./terraform-cli";
import { byStack, installModules, toDiagnostic, type Diagnostic, type SynthesizedConfig } from "./terraform-harness";
import { LONG_RUN_GC } from "./toolchain";

/**
 * The apply-time tier: every stack of every environment applied, re-planned and destroyed by real Terraform with
 * `mock_provider "aws"` (no cloud account), chained through the contracts.
 *
 * How the values travel. `terraform test` (1.11) cannot hand one root's applied outputs to another root's
 * `terraform_remote_state`: `override_data` values are static (decoded without an evaluation context), and only
 * `variables` may reference `run.<name>` outputs. So the remote state is not overridden at all: each consumer's
 * `terraform_remote_state` data source reads for real, through Terraform's S3 backend, from a loopback FakeAws that
 * serves state objects. The harness streams `terraform test -json -verbose`; when an apply run completes, its
 * `test_state` event carries every applied output, and the harness publishes each stack's outputs as a state file
 * under that stack's own backend bucket and key. A consumer's read that arrives before the publication is held
 * until it is there. So a consumer reads exactly what its producer applied, at the object its configuration names.
 *
 * One process for everything: run `apply-<k>` applies the k-th stack of every environment (`npm run stacks` order,
 * so every producer is in an earlier run), run `replan-<k>` plans the same state again and must show no change. Each
 * level is a root module of its own (`level-<k>`, one module per stack, each stack's outputs re-exported), hence a
 * state of its own, and Terraform destroys the states at the end of the file in reverse run order: each
 * environment's stacks in `npm run stacks -- --reverse` order. When a level's teardown starts, the states of the
 * levels already destroyed are withdrawn from the FakeAws, so a stack destroyed after one of its producers would
 * fail to read it. The stack copies drop their provider and backend blocks: `mock_provider` replaces the root's
 * provider configuration only, and a module with its own provider block would keep the real provider. The provider
 * itself is one shared process (see provider-server.ts): the mock only asks it for its schema and validation.
 */

export interface ApplyEnvironment {
  readonly name: string;
  /** The environment's stacks in apply order (`npm run stacks -- --env <name>`). */
  readonly stacks: readonly StackUnderTest[];
}

/** One output as the apply left it in state. */
export interface AppliedOutput {
  readonly value: unknown;
  /** Terraform's type of the value, e.g. `"string"` or `["tuple", ["string", "string"]]`. */
  readonly type: unknown;
}

export interface StackApply {
  readonly environment: string;
  /** Position in the environment's apply order: the run `apply-<level>` applied it. */
  readonly level: number;
  /** Status of the level's apply run: pass, fail, error, skip or "not run". */
  readonly apply: string;
  readonly applyDiagnostics: readonly Diagnostic[];
  /** Every output of the stack after apply; undefined when the apply did not complete. */
  readonly outputs?: Readonly<Record<string, AppliedOutput>>;
  /** Status of the level's plan run against the applied state. */
  readonly replan: string;
  readonly replanDiagnostics: readonly Diagnostic[];
  /** What that plan would still change, e.g. `update aws_ecs_service.scheduler`: empty when idempotent. */
  readonly changes: readonly string[];
}

export interface ApplyTierResults {
  readonly stacks: Readonly<Record<string, StackApply>>;
  /** Per environment, its stacks in the order Terraform tore them down. */
  readonly teardown: Readonly<Record<string, readonly string[]>>;
  /** Errors while tearing down (a stack that could not be destroyed, or could not read a producer's state). */
  readonly teardownDiagnostics: readonly Diagnostic[];
  /** Status of the whole test file. */
  readonly status: string;
  /** The transcript without the verbose state and plan events. */
  readonly output: CommandResult;
  /** Remote-state reads the FakeAws answered (`GetObject <bucket>/<key>`), in order. */
  readonly stateReads: readonly string[];
}

/** A consumer's read of a producer's output through `terraform_remote_state`. */
export interface ContractRead {
  readonly consumer: string;
  readonly producer: string;
  readonly output: string;
}

interface StackState {
  readonly bucket: string;
  readonly key: string;
}

function readConfig(
  stack: StackUnderTest,
): SynthesizedConfig & { terraform?: { backend?: { s3?: StackState } }; output?: Record<string, { sensitive?: boolean }> } {
  return JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8"));
}

function backendOf(stack: StackUnderTest): StackState {
  const s3 = readConfig(stack).terraform?.backend?.s3;
  if (!s3) throw new Error(`stack ${stack.id} has no S3 backend: the apply tier publishes its state where its consumers read it`);
  return { bucket: s3.bucket, key: s3.key };
}

/**
 * Every output a stack reads from another stack of the tier, found in its configuration: each
 * `data.terraform_remote_state.<name>.outputs.<output>` reference, the producer being the stack whose backend is the
 * data source's bucket and key.
 */
export function contractReads(stacks: readonly StackUnderTest[]): ContractRead[] {
  const byState = new Map(stacks.map((s) => [`${backendOf(s).bucket}/${backendOf(s).key}`, s.id]));
  const reads: ContractRead[] = [];
  for (const consumer of stacks) {
    const json = readConfig(consumer);
    const text = JSON.stringify({ ...json, data: undefined, output: undefined, terraform: undefined });
    const remote = (json.data?.terraform_remote_state ?? {}) as Record<string, { config?: { bucket?: string; key?: string } }>;
    for (const [name, body] of Object.entries(remote)) {
      const producer = byState.get(`${body.config?.bucket}/${body.config?.key}`);
      if (!producer)
        throw new Error(`stack ${consumer.id}: data.terraform_remote_state.${name} reads ${body.config?.bucket}/${body.config?.key}, no stack of the tier`);
      const outputs = new Set([...text.matchAll(new RegExp(`data\\.terraform_remote_state\\.${name}\\.outputs\\.([A-Za-z0-9_]+)`, "g"))].map((m) => m[1]));
      for (const output of [...outputs].sort()) reads.push({ consumer: consumer.id, producer, output });
    }
  }
  return reads;
}

const hcl = (value: unknown) => JSON.stringify(value);

function overrideBlocks(kind: "override_resource" | "override_data", stack: string, overrides: readonly ResourceOverride[]): string[] {
  return overrides.map((o) => `  ${kind} {\n    target = module.${stack}.${o.address}\n    values = ${hcl(o.values)}\n  }\n`);
}

/** An ephemeral resource's stand-in variable in the stack copy: `ephemeral.<type>.<name>` becomes `var.<this>`. */
const ephemeralVariable = (address: string) => address.replace(/\./g, "__");

/**
 * The stack copy the tier applies: provider and backend blocks dropped (the mock provider configures the root
 * only; the backend is the harness's in-memory state), and each ephemeral resource, which Terraform 1.11 cannot
 * mock, turned into an ephemeral input variable fed its stand-in value, every reference rewritten to it.
 */
function standInEphemerals(json: SynthesizedConfig, ephemeral: readonly ResourceOverride[]): { config: unknown; inputs: Record<string, unknown> } {
  const { provider: _provider, ephemeral: _ephemeral, ...rest } = json as Record<string, unknown>;
  const terraformBlock = { ...(json as { terraform?: Record<string, unknown> }).terraform };
  delete terraformBlock.backend;
  let text = JSON.stringify({ ...rest, terraform: terraformBlock });
  const variables: Record<string, unknown> = { ...((rest.variable as Record<string, unknown>) ?? {}) };
  const inputs: Record<string, unknown> = {};
  const declared = Object.entries(json.ephemeral ?? {}).flatMap(([type, instances]) => Object.keys(instances).map((name) => `ephemeral.${type}.${name}`));
  for (const address of declared) {
    const standIn = ephemeral.find((e) => e.address === address);
    if (!standIn) throw new Error(`no stand-in for ${address}`);
    const name = ephemeralVariable(address);
    text = text.split(`${address}.`).join(`var.${name}.`);
    variables[name] = { type: "any", ephemeral: true, description: `stand-in for ${address} (the mock provider cannot open ephemeral resources)` };
    inputs[name] = standIn.values;
  }
  const config = JSON.parse(text) as Record<string, unknown>;
  if (Object.keys(variables).length > 0) config.variable = variables;
  return { config, inputs };
}

/** Writes the stack copies, one root per level and the test file; returns the stacks of each level. */
function writeTier(
  root: string,
  environments: readonly ApplyEnvironment[],
  mocks: (stack: StackUnderTest, json: SynthesizedConfig) => ApplyMocks,
): StackUnderTest[][] {
  const levels: StackUnderTest[][] = [];
  environments.forEach((env) => env.stacks.forEach((stack, level) => (levels[level] ??= []).push(stack)));
  const runs: string[] = [];
  levels.forEach((stacks, level) => {
    const modules: Record<string, unknown> = {};
    const outputs: Record<string, unknown> = {};
    const resources: string[] = [];
    const data: string[] = [];
    for (const stack of stacks) {
      const json = readConfig(stack);
      const generated = mocks(stack, json);
      const copy = standInEphemerals(json, generated.ephemeral);
      fs.mkdirSync(path.join(root, stack.id), { recursive: true });
      fs.writeFileSync(path.join(root, stack.id, "cdk.tf.json"), JSON.stringify(copy.config));
      // cdktf asset paths are relative to the working directory (this root): merge each stack's assets there.
      const assets = path.join(stack.dir, "assets");
      if (fs.existsSync(assets)) fs.cpSync(assets, path.join(root, "assets"), { recursive: true, force: true });
      modules[stack.id] = { source: `../${stack.id}`, ...copy.inputs };
      outputs[stack.id] = { value: `\${module.${stack.id}}`, sensitive: true };
      resources.push(...overrideBlocks("override_resource", stack.id, generated.resources));
      data.push(...overrideBlocks("override_data", stack.id, generated.data));
    }
    fs.mkdirSync(path.join(root, `level-${level}`));
    fs.writeFileSync(
      path.join(root, `level-${level}`, "main.tf.json"),
      JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws" } } }, module: modules, output: outputs }, null, 1),
    );
    const source = `  module {\n    source = "./level-${level}"\n  }\n`;
    runs.push(`run "apply-${level}" {\n${source}${resources.join("")}${data.join("")}}\n`);
    runs.push(`run "replan-${level}" {\n  command = plan\n${source}${data.join("")}}\n`);
  });
  fs.writeFileSync(
    path.join(root, "main.tf.json"),
    JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } } }),
  );
  fs.mkdirSync(path.join(root, "tests"));
  fs.writeFileSync(path.join(root, "tests", "apply.tftest.hcl"), [`mock_provider "aws" {}\n`, ...runs].join("\n"));
  return levels;
}

interface TestEvent {
  readonly type: string;
  readonly "@testrun"?: string;
  readonly test_run?: { run: string; progress: string; status?: string };
  readonly test_file?: { progress: string; status?: string };
  readonly test_state?: { outputs?: Record<string, { value: unknown; type: unknown }> };
  readonly test_plan?: { resource_changes?: { address: string; change: { actions: string[] } }[] };
  readonly diagnostic?: Parameters<typeof toDiagnostic>[0];
}

const SCHEMAS = Buffer.from(',"provider_format_version":"');

/**
 * One line of the stream as text; a verbose state or plan event without its trailing `provider_schemas` (the whole
 * AWS provider schema, ~14 MB, repeated in every such event), whose bytes are never decoded: the harness reads the
 * state and the changes, never the schema.
 */
function withoutSchemas(line: Buffer): string {
  const type = /"type":"(test_state|test_plan)"\}\s*$/.exec(line.toString("latin1", Math.max(0, line.length - 40)))?.[1];
  const cut = type ? line.indexOf(SCHEMAS) : -1;
  return cut < 0 ? line.toString("utf8") : `${line.toString("utf8", 0, cut)}},"type":"${type}"}`;
}

/** Runs `terraform test -json -verbose`, handing each event to `onEvent` as it arrives; keeps the rest as text. */
function streamTest(cwd: string, env: NodeJS.ProcessEnv, onEvent: (event: TestEvent) => void): Promise<CommandResult> {
  const { toolchain } = offlineTerraform();
  return new Promise((resolve, reject) => {
    const child = spawn(toolchain.binary, ["test", "-json", "-verbose", "-no-color"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    // A verbose event is one line of ~14 MB (it embeds the provider schema): collect the chunks' bytes, join once per line.
    let pending: Buffer[] = [];
    let stdout = "";
    let stderr = "";
    let failure: Error | undefined;
    const line = (bytes: Buffer) => {
      const text = withoutSchemas(bytes);
      if (!text.trim().startsWith("{")) return void (stdout += `${text}\n`);
      const event = JSON.parse(text) as TestEvent;
      if (event.type !== "test_state" && event.type !== "test_plan") stdout += `${text}\n`;
      try {
        onEvent(event);
      } catch (error) {
        failure ??= error as Error;
      }
    };
    const flush = (last: Buffer) => {
      pending.push(last);
      line(pending.length === 1 ? pending[0] : Buffer.concat(pending));
      pending = [];
    };
    child.stdout.on("data", (chunk: Buffer) => {
      let start = 0;
      for (let end = chunk.indexOf(10); end >= 0; start = end + 1, end = chunk.indexOf(10, start)) flush(chunk.subarray(start, end));
      if (start < chunk.length) pending.push(chunk.subarray(start));
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (pending.length > 0) flush(Buffer.alloc(0));
      if (failure) reject(failure);
      else resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A state file (format 4) holding only outputs: what `terraform_remote_state` reads of a producer. */
function stateFile(version: string, id: string, outputs: Record<string, AppliedOutput>, sensitive: ReadonlySet<string>): unknown {
  return {
    version: 4,
    terraform_version: version,
    serial: 1,
    lineage: `apply-tier-${id}`,
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([name, o]) => [name, { value: o.value, type: o.type, ...(sensitive.has(name) ? { sensitive: true } : {}) }]),
    ),
    resources: [],
    check_results: null,
  };
}

/** Splits a module object output (`["object", {name: type}]`) into its outputs. */
function moduleOutputs(output: { value: unknown; type: unknown }): Record<string, AppliedOutput> {
  const value = (output.value ?? {}) as Record<string, unknown>;
  const types = (Array.isArray(output.type) && output.type[0] === "object" ? output.type[1] : {}) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(value).map((name) => [name, { value: value[name], type: types[name] }]));
}

/** Where the stream of one tier run stands: what each run did, what each level published, what the teardown did. */
class TierRecorder {
  readonly runStatus = new Map<string, string>();
  readonly outputs = new Map<string, Record<string, AppliedOutput>>();
  readonly changes = new Map<string, string[]>();
  readonly runDiagnostics = new Map<string, Diagnostic[]>();
  /** Levels in the order their teardown started. */
  readonly teardownLevels: number[] = [];
  readonly teardownDiagnostics: Diagnostic[] = [];
  fileStatus = "not run";
  private readonly started = Date.now();

  constructor(
    private readonly levels: readonly (readonly StackUnderTest[])[],
    private readonly fake: FakeAws,
    private readonly backends: ReadonlyMap<string, StackState>,
    private readonly sensitiveOutputs: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  private static level(run: string): number {
    return Number(/^(?:apply|replan)-(\d+)$/.exec(run)?.[1] ?? NaN);
  }

  /** Withdraws (or gives up on) a level's state objects: destroyed, or never applied. */
  private settle(level: number): void {
    for (const stack of this.levels[level] ?? []) this.fake.settleState(this.backends.get(stack.id)!.bucket, this.backends.get(stack.id)!.key);
  }

  readonly onEvent = (event: TestEvent): void => {
    const run = event["@testrun"];
    const progress = event.test_run?.progress;
    if (process.env.AIRFLOW_TF_TIMING && event.type === "test_run" && progress !== "running")
      process.stderr.write(
        `apply tier: ${event.test_run?.run} ${progress} ${event.test_run?.status ?? ""} at ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`,
      );
    if (event.type === "test_run" && progress === "complete") {
      this.runStatus.set(event.test_run!.run, event.test_run!.status ?? "unknown");
      // A level that did not apply publishes nothing: its consumers' reads fail at once instead of waiting.
      if (/^apply-/.test(event.test_run!.run) && event.test_run!.status !== "pass") this.settle(TierRecorder.level(event.test_run!.run));
    } else if (event.type === "test_run" && progress === "teardown" && run) {
      const level = TierRecorder.level(run);
      if (!this.teardownLevels.includes(level)) {
        // The levels torn down before this one are gone: their states go too.
        this.teardownLevels.forEach((k) => this.settle(k));
        this.teardownLevels.push(level);
      }
    } else if (event.type === "test_state" && run && /^apply-/.test(run)) {
      this.publish(event.test_state?.outputs ?? {});
    } else if (event.type === "test_plan" && run && /^replan-/.test(run)) {
      for (const rc of event.test_plan?.resource_changes ?? []) {
        if (rc.change.actions.every((a) => a === "no-op")) continue;
        const [, id, address] = /^module\.([^.]+)\.(.*)$/.exec(rc.address) ?? [undefined, "", rc.address];
        this.changes.set(id, [...(this.changes.get(id) ?? []), `${rc.change.actions.join("/")} ${address}`]);
      }
    } else if (event.type === "diagnostic" && event.diagnostic) {
      const diagnostic = toDiagnostic(event.diagnostic);
      if (this.teardownLevels.length > 0) this.teardownDiagnostics.push(diagnostic);
      else if (run) this.runDiagnostics.set(run, [...(this.runDiagnostics.get(run) ?? []), diagnostic]);
    } else if (event.type === "test_cleanup") {
      this.teardownDiagnostics.push({ severity: "error", summary: "Terraform left resources in state after the test file", detail: JSON.stringify(event) });
    } else if (event.type === "test_file" && event.test_file?.progress === "complete") {
      this.fileStatus = event.test_file.status ?? "unknown";
    }
  };

  /** A level's applied outputs (one object output per stack) become each stack's state object on the FakeAws. */
  private publish(levelOutputs: Record<string, { value: unknown; type: unknown }>): void {
    for (const [id, output] of Object.entries(levelOutputs)) {
      const applied = moduleOutputs(output);
      this.outputs.set(id, applied);
      const backend = this.backends.get(id);
      const state = stateFile(offlineTerraform().toolchain.version, id, applied, this.sensitiveOutputs.get(id) ?? new Set());
      if (backend) this.fake.publishState(backend.bucket, backend.key, state);
    }
  }
}

/**
 * Runs the apply tier over `environments` (each with its stacks in apply order). `workdir` must be empty. The
 * suite's shared provider is attached to unless one is given (or there is none: then one is started for the run).
 */
export async function runApplyTier(options: {
  readonly environments: readonly ApplyEnvironment[];
  readonly mocks: (stack: StackUnderTest, json: SynthesizedConfig) => ApplyMocks;
  readonly workdir: string;
  readonly provider?: SharedProvider;
}): Promise<ApplyTierResults> {
  const { environments, workdir } = options;
  const timing = phaseTimer();
  const all = environments.flatMap((e) => e.stacks);
  const levels = writeTier(workdir, environments, options.mocks);
  // The root needs only its modules when its provider is attached: the suite's shared one, or one started from the
  // mirror. A packed mirror has no executable to start, so then init unpacks the provider into the root to start.
  const { toolchain } = offlineTerraform();
  if (options.provider || process.env[SHARED_PROVIDER_VARIABLE] || providerExecutable([toolchain.mirror])) await installModules(workdir);
  else {
    const init = await terraform(INIT_ARGS, workdir, terraformEnvironment({ TF_PLUGIN_CACHE_DIR: path.join(workdir, ".plugin-cache") }));
    if (init.code !== 0) throw new Error(`terraform init of the apply tier failed:\n${init.stderr}${init.stdout}`);
  }
  timing("apply tier written, modules installed");

  const provider = options.provider ?? (await sharedProvider(toolchain, [workdir]));
  // The S3 backend checks its credentials (STS) but no account: any identity will do.
  const fake = await FakeAws.start("000000000000");
  const backends = new Map(all.map((s) => [s.id, backendOf(s)]));
  for (const { bucket, key } of backends.values()) fake.expectState(bucket, key);
  const sensitive = (s: StackUnderTest) => new Set(Object.entries(readConfig(s).output ?? {}).flatMap(([name, o]) => (o.sensitive ? [name] : [])));
  const recorder = new TierRecorder(levels, fake, backends, new Map(all.map((s) => [s.id, sensitive(s)])));
  let output: CommandResult;
  try {
    output = await streamTest(workdir, terraformEnvironment({ ...fake.stateEnvironment(), ...provider.environment, ...LONG_RUN_GC }), recorder.onEvent);
    timing("apply, replan and destroy of every level");
  } finally {
    await fake.stop();
    if (!options.provider) await provider.stop();
  }
  return { ...tierResults(environments, levels, recorder), output, stateReads: fake.calls.filter((c) => c.startsWith("GetObject")) };
}

/** Per stack and environment, what the recorder saw. */
function tierResults(
  environments: readonly ApplyEnvironment[],
  levels: readonly (readonly StackUnderTest[])[],
  recorder: TierRecorder,
): Omit<ApplyTierResults, "output" | "stateReads"> {
  const all = environments.flatMap((e) => e.stacks);
  const environmentOf = new Map(environments.flatMap((e) => e.stacks.map((s) => [s.id, e.name] as const)));
  const diagnosticsOf = (run: string) => byStack(recorder.runDiagnostics.get(run) ?? [], all);
  const stacks: Record<string, StackApply> = {};
  levels.forEach((level, k) => {
    for (const stack of level) {
      stacks[stack.id] = {
        environment: environmentOf.get(stack.id)!,
        level: k,
        apply: recorder.runStatus.get(`apply-${k}`) ?? "not run",
        applyDiagnostics: diagnosticsOf(`apply-${k}`)[stack.id] ?? [],
        outputs: recorder.outputs.get(stack.id),
        replan: recorder.runStatus.get(`replan-${k}`) ?? "not run",
        replanDiagnostics: diagnosticsOf(`replan-${k}`)[stack.id] ?? [],
        changes: recorder.changes.get(stack.id) ?? [],
      };
    }
  });
  const teardown = Object.fromEntries(
    environments.map((env) => [
      env.name,
      recorder.teardownLevels.map((k) => levels[k].find((s) => environmentOf.get(s.id) === env.name)?.id).filter((id): id is string => !!id),
    ]),
  );
  return { stacks, teardown, teardownDiagnostics: recorder.teardownDiagnostics, status: recorder.fileStatus };
}
