/**
 * The synthesized stacks of one environment, as the analysis tools (az-report, cost, diagram) read them: every
 * `<env>-<kind>` stack's cdk.tf.json without cdktf's "//" metadata, plus the state bootstrap stack of the bucket the
 * environment's backends point at. Either read from an existing synth output (`cdktf.out`) or synthesized in-process
 * for that one environment into a temporary directory that is removed again.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENVIRONMENTS_DIR, loadEnvironments } from "../../config/load";
import { buildApp } from "../../main";

/** A parsed cdk.tf.json (the parts the analyses read). */
export interface StackJson {
  readonly terraform?: { readonly backend?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  readonly provider?: Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>>;
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly output?: Readonly<Record<string, { readonly value: unknown; readonly description?: string; readonly sensitive?: boolean }>>;
}

export interface SynthStack {
  /** Stack id, e.g. `prod-network` or `bootstrap-airflow-tfstate-333333333333`. */
  readonly id: string;
  readonly json: StackJson;
}

export interface SynthesizedEnvironment {
  readonly name: string;
  /** The environment's stacks (`<name>-<kind>`), sorted by id. */
  readonly stacks: readonly SynthStack[];
  /** The state bootstrap stack of the environment's state bucket, when the synth output holds it. */
  readonly bootstrap?: SynthStack;
}

/** Thrown for input the user can fix (no such environment, no synth output): the CLIs print it without a trace. */
export class AnalysisInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnalysisInputError";
  }
}

/** Drops cdktf's "//" metadata (construct paths, versions) recursively. */
export function withoutMetadata<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutMetadata) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "//")
        .map(([k, v]) => [k, withoutMetadata(v)]),
    ) as T;
  }
  return value;
}

/** The S3 backend block of a stack (`bucket`, `key`, `region`), if it has one. */
export function s3Backend(json: StackJson): { bucket: string; key: string; region?: string } | undefined {
  const s3 = json.terraform?.backend?.s3;
  if (!s3 || typeof s3.bucket !== "string" || typeof s3.key !== "string") return undefined;
  return { bucket: s3.bucket, key: s3.key, region: typeof s3.region === "string" ? s3.region : undefined };
}

function readStack(stacksDir: string, id: string): SynthStack {
  const file = path.join(stacksDir, id, "cdk.tf.json");
  return { id, json: withoutMetadata(JSON.parse(fs.readFileSync(file, "utf8")) as StackJson) };
}

/**
 * Reads environment `name` from a synth output's stacks directory (`cdktf.out/stacks`): every `<name>-*` stack and
 * the bootstrap stack of the bucket its backends use.
 */
export function readSynthesizedEnvironment(stacksDir: string, name: string): SynthesizedEnvironment {
  if (!fs.existsSync(stacksDir)) throw new AnalysisInputError(`${stacksDir} does not exist; synthesize first (npm run synth) or leave out --from`);
  const ids = fs
    .readdirSync(stacksDir)
    .filter((id) => fs.existsSync(path.join(stacksDir, id, "cdk.tf.json")))
    .sort();
  const stacks = ids.filter((id) => id.startsWith(`${name}-`)).map((id) => readStack(stacksDir, id));
  if (stacks.length === 0) {
    const environments = [...new Set(ids.filter((id) => !id.startsWith("bootstrap-")).map((id) => id.replace(/-[^-]+$/, "")))].sort();
    throw new AnalysisInputError(`${stacksDir} holds no stacks of environment "${name}"; it holds: ${environments.join(", ") || "(none)"}`);
  }
  const buckets = [...new Set(stacks.map((s) => s3Backend(s.json)?.bucket).filter((b): b is string => b !== undefined))];
  const bootstrapId = buckets.length === 1 ? `bootstrap-${buckets[0]}` : undefined;
  const bootstrap = bootstrapId && ids.includes(bootstrapId) ? readStack(stacksDir, bootstrapId) : undefined;
  return { name, stacks, bootstrap };
}

/**
 * Synthesizes environment `name` (validated from `configDir`) in-process into a temporary directory, reads it and
 * removes the directory. Needs the Lambda bundles `npm run build` writes.
 */
export function synthesizeEnvironment(name: string, configDir = ENVIRONMENTS_DIR): SynthesizedEnvironment {
  const [config] = loadEnvironments(configDir, [name]);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-analysis-"));
  try {
    buildApp({ environments: [config], outdir }).app.synth();
    return readSynthesizedEnvironment(path.join(outdir, "stacks"), name);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The environment from `--from <cdktf.out>` when given, otherwise synthesized in-process. */
export function loadEnvironmentStacks(name: string, options: { readonly from?: string; readonly configDir?: string }): SynthesizedEnvironment {
  if (options.from !== undefined) {
    const dir = fs.existsSync(path.join(options.from, "stacks")) ? path.join(options.from, "stacks") : options.from;
    return readSynthesizedEnvironment(dir, name);
  }
  return synthesizeEnvironment(name, options.configDir);
}
