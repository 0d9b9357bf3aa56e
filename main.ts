import { App } from "cdktf";
import { ConfigError, loadEnvironments } from "./config/load";
import type { EnvironmentConfig } from "./config/schema";
import { applyPolicies, type PolicyOptions, type PolicyReport } from "./modules/rule-pack";
import { buildEnvironment, type EnvironmentStacks } from "./stacks/environment";
import { StateBootstrapStack, stateBucketGroups } from "./terraform-state/state-bootstrap-stack";

export interface BuildOptions {
  /** Validated environments; loaded from `environmentsDir` when omitted. */
  readonly environments?: readonly EnvironmentConfig[];
  /** @default config/environments */
  readonly environmentsDir?: string;
  /** @default cdktf.json's outdir (cdktf.out), or CDKTF_OUTDIR when the cdktf CLI runs the app */
  readonly outdir?: string;
  /** @default every rule of modules/rule-pack, the repository's suppressions, stale suppressions as warnings */
  readonly policies?: PolicyOptions;
}

export interface AirflowApp {
  readonly app: App;
  readonly environments: ReadonlyMap<string, EnvironmentStacks>;
  readonly bootstraps: readonly StateBootstrapStack[];
  /** Filled while the stacks synthesize: every unsuppressed security finding fails synth. */
  readonly policies: PolicyReport;
}

/**
 * Builds the whole app: every environment's stacks plus one state bootstrap per state bucket, checked by the security
 * rule pack (modules/rule-pack) as they synthesize. Configuration is loaded and validated before the App exists, so
 * invalid input writes nothing.
 */
export function buildApp(options: BuildOptions = {}): AirflowApp {
  const configs = options.environments ?? loadEnvironments(options.environmentsDir ?? process.env.AIRFLOW_ENVIRONMENTS_DIR, selectedEnvironments());
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const environments = new Map<string, EnvironmentStacks>();
  for (const config of configs) environments.set(config.name, buildEnvironment(app, config));
  const bootstraps = stateBucketGroups(configs).map((group) => new StateBootstrapStack(app, group));
  const policies = applyPolicies(app, options.policies);
  return { app, environments, bootstraps, policies };
}

/**
 * `AIRFLOW_ENVIRONMENTS=dev,prod` synthesizes a subset (CI plans one environment per job);
 * `AIRFLOW_ENVIRONMENTS_DIR` reads the environment files from another directory.
 */
function selectedEnvironments(): string[] | undefined {
  const value = process.env.AIRFLOW_ENVIRONMENTS?.trim();
  return value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

/**
 * Runs `fn` without the stack traces cdktf records for its own bookkeeping: cdktf captures a full-depth creation trace
 * (Error.captureStackTrace on a plain object) for every token it creates, thousands per synth, and capturing and
 * formatting them was a quarter of synth time. Captures into plain objects are skipped (their `stack` stays empty,
 * which cdktf treats as "no trace"); real errors keep their usual "Name: message\n    at ..." trace.
 */
export function withLeanStackTraces<T>(fn: () => T): T {
  const previousPrepare = Error.prepareStackTrace;
  const capture = Error.captureStackTrace;
  Error.prepareStackTrace = (error, frames) =>
    error instanceof Error
      ? previousPrepare
        ? previousPrepare(error, frames)
        : `${error.name}: ${error.message}${frames.map((f) => `\n    at ${f}`).join("")}`
      : "";
  Error.captureStackTrace = (target: object, constructorOpt?: (...args: never[]) => unknown) => {
    if (target instanceof Error) capture.call(Error, target, constructorOpt);
  };
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previousPrepare;
    Error.captureStackTrace = capture;
  }
}

/**
 * The cdktf app command: validates every environment, then synthesizes. Invalid configuration prints every problem
 * and returns 1 before the output directory is created, so nothing is written.
 */
export function synthMain(log: (message: string) => void = console.error): number {
  return withLeanStackTraces(() => {
    let built: AirflowApp;
    try {
      built = buildApp();
    } catch (error) {
      if (error instanceof ConfigError) {
        log(error.message);
        return 1;
      }
      throw error;
    }
    built.app.synth();
    return 0;
  });
}

if (require.main === module) process.exitCode = synthMain();
