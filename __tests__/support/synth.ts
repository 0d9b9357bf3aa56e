import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import type { TerraformStack } from "cdktf";
import { loadEnvironments } from "../../config/load";
import type { EnvironmentConfig } from "../../config/schema";
import { buildApp, withLeanStackTraces } from "../../main";
import { buildEnvironment, type EnvironmentStacks } from "../../stacks/environment";
import type { StackUnderTest } from "./terraform-cli";

let cached: readonly EnvironmentConfig[] | undefined;

/** The repository's environments (config/environments/*.json), validated. */
export function repoEnvironments(): readonly EnvironmentConfig[] {
  cached = cached ?? loadEnvironments();
  return cached;
}

export function repoEnvironment(name: string): EnvironmentConfig {
  const config = repoEnvironments().find((c) => c.name === name);
  if (!config) throw new Error(`no environment ${name}`);
  return config;
}

/** A parsed cdk.tf.json. */
export type StackJson = {
  terraform: { backend?: Record<string, Record<string, unknown>>; required_providers?: Record<string, unknown> };
  provider?: Record<string, Record<string, unknown>[]>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; description?: string; sensitive?: boolean }>;
  ephemeral?: Record<string, Record<string, Record<string, unknown>>>;
  locals?: Record<string, unknown>;
};

/** Builds one environment in a test app and prepares its stacks, as `cdktf synth` would. */
export function environmentStacks(config: EnvironmentConfig): EnvironmentStacks {
  const app = Testing.app();
  const stacks = buildEnvironment(app, config);
  for (const stack of Object.values(stacks) as TerraformStack[]) stack.prepareStack();
  return stacks;
}

/** Synthesized JSON of a prepared stack (deterministic: sorted keys, no metadata). */
export function synthJson(stack: TerraformStack): StackJson {
  return JSON.parse(Testing.synth(stack));
}

/** Resources of one type in a stack's JSON, by logical id. */
export function resources(json: StackJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The only resource of a type (fails when there are none or several). */
export function only(json: StackJson, type: string): Record<string, unknown> {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

export interface SynthesizedApp {
  readonly outdir: string;
  /** Every synthesized stack with the account it deploys to. */
  readonly stacks: readonly (StackUnderTest & { readonly accountId: string; readonly environment?: string })[];
}

/**
 * The whole app synthesized once per test run by global-setup (read-only for tests: never modify its files, except
 * the per-stack `.terraform` directories the Terraform tier creates). Falls back to synthesizing here when run
 * outside Jest's global setup.
 */
export function sharedApp(): SynthesizedApp {
  const shared = process.env.AIRFLOW_SHARED_SYNTH;
  return shared ? (JSON.parse(shared) as SynthesizedApp) : synthesizeApp();
}

/** Drops cdktf's "//" metadata (construct paths, versions), as Testing.synth does. */
function withoutMetadata<T>(value: T): T {
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

const stackJsonCache = new Map<string, StackJson>();

/** A stack of the shared synthesized app, as `cdktf synth` wrote it (without metadata), e.g. `stackJson("prod", "network")`. */
export function stackJson(environment: string, kind: string): StackJson {
  const id = `${environment}-${kind}`;
  let json = stackJsonCache.get(id);
  if (!json) {
    const stack = sharedApp().stacks.find((s) => s.id === id);
    if (!stack) throw new Error(`no synthesized stack ${id}`);
    json = withoutMetadata(JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8")) as StackJson);
    stackJsonCache.set(id, json);
  }
  return json;
}

/** A snapshot-friendly rendering: one string (fast to compare and diff) instead of a deep object. */
export function snapshotText(json: unknown): string {
  return JSON.stringify(json, null, 1);
}

/**
 * Synthesizes the whole app (all environments and bootstraps) the way `cdktf synth` does, into `outdir` (by default a
 * new temp dir the caller removes): also without a stack trace per token (`withLeanStackTraces`), which matters in
 * global setup, outside the test realm whose runtime already skips them (a third of the synth's CPU there).
 */
export function synthesizeApp(
  environments: readonly EnvironmentConfig[] = repoEnvironments(),
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-synth-")),
): SynthesizedApp {
  const built = withLeanStackTraces(() => {
    const app = buildApp({ environments, outdir });
    app.app.synth();
    return app;
  });
  const dir = (id: string) => path.join(outdir, "stacks", id);
  const stacks = [
    ...[...built.environments.values()].flatMap((env) =>
      Object.values(env).map((s) => ({ id: s.node.id, dir: dir(s.node.id), accountId: s.config.account.id, environment: s.config.name })),
    ),
    ...built.bootstraps.map((b) => ({ id: b.node.id, dir: dir(b.node.id), accountId: b.accountId })),
  ];
  return { outdir, stacks };
}
