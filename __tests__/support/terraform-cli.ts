import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { suiteSharedDirectory } from "./suite-shared";
import { GO_SINGLE_THREAD, locateToolchain, writeOfflineCliConfig, type TerraformToolchain } from "./toolchain";

/** Running the Terraform CLI offline, as the Terraform tiers do: the toolchain, the environment, one command. */

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A synthesized stack directory and what the harness needs to know about it. */
export interface StackUnderTest {
  readonly id: string;
  /** Directory holding cdk.tf.json (and any assets). */
  readonly dir: string;
}

let toolchain: TerraformToolchain | undefined;
let cliConfig: string | undefined;

/** Where global setup leaves the toolchain it located, beside the offline CLI configuration. */
export const SHARED_TOOLCHAIN_FILE = "toolchain.json";

/**
 * The toolchain and offline CLI config, prepared once per process: from what global setup located and wrote (it checks
 * both before any test), else located here (`terraform version` costs a Terraform start per worker).
 */
export function offlineTerraform(): { toolchain: TerraformToolchain; cliConfig: string } {
  if (!toolchain || !cliConfig) {
    const shared = suiteSharedDirectory();
    const located = shared ? path.join(shared, SHARED_TOOLCHAIN_FILE) : undefined;
    toolchain = located && fs.existsSync(located) ? (JSON.parse(fs.readFileSync(located, "utf8")) as TerraformToolchain) : locateToolchain();
    cliConfig =
      shared && fs.existsSync(path.join(shared, "offline.tfrc"))
        ? path.join(shared, "offline.tfrc")
        : writeOfflineCliConfig(fs.mkdtempSync("/tmp/airflow-tf-"), toolchain);
  }
  return { toolchain, cliConfig };
}

export function terraformEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { cliConfig: file } = offlineTerraform();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...GO_SINGLE_THREAD,
    TF_CLI_CONFIG_FILE: file,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    ...extra,
  };
  for (const name of ["TF_LOG", "TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_CLI_ARGS_plan", "TF_WORKSPACE", "TF_DATA_DIR"]) delete env[name];
  return env;
}

export function terraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = terraformEnvironment()): Promise<CommandResult> {
  const { toolchain: tc } = offlineTerraform();
  return new Promise((resolve, reject) => {
    const child = spawn(tc.binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export const INIT_ARGS = ["init", "-backend=false", "-input=false", "-no-color"];

/** With AIRFLOW_TF_TIMING set, prints how long each phase of the tiers took (for tuning; never asserted). */
export function phaseTimer(): (phase: string) => void {
  let last = Date.now();
  return (phase) => {
    if (process.env.AIRFLOW_TF_TIMING) process.stderr.write(`terraform tiers: ${phase} ${((Date.now() - last) / 1000).toFixed(1)} s\n`);
    last = Date.now();
  };
}

/** Runs async jobs on at most `limit` at a time; results in the order of `items`. */
export async function pool<T, R>(items: readonly T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
