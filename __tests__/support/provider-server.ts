import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { AWS_PROVIDER_VERSION, GO_SINGLE_THREAD, type TerraformToolchain } from "./toolchain";

/**
 * One running AWS provider that Terraform processes attach to (`TF_REATTACH_PROVIDERS`, Terraform's documented
 * provider-debugging hook) instead of starting the ~700 MB plugin once per module and operation: each start costs
 * about 1 s of CPU, and a validate of 23 stacks starts it 23 times.
 *
 * For operations that never configure the provider: `terraform validate` (ValidateProviderConfig and
 * Validate*Config are stateless) and `terraform test` runs under `mock_provider "aws"` (the mock answers
 * ConfigureProvider, plan and apply itself and forwards only schema and validation calls). And for real plans that
 * run one after another, each configuring it for itself: one provider process holds one configuration, so two plans
 * configuring it differently at the same time would overwrite each other's (the offline plans run every account's
 * plan in turn in one `terraform test`, each account's stacks configuring it identically once the harness sets their
 * default tags aside).
 */
export interface SharedProvider {
  /** Environment for a Terraform child process: attaches every `hashicorp/aws` use to this provider. */
  readonly environment: Readonly<Record<string, string>>;
  /** Process id of the provider (undefined when it is the suite's, owned by global setup). */
  readonly pid?: number;
  stop(): Promise<void>;
}

const ADDRESS = "registry.terraform.io/hashicorp/aws";

/** Where global setup leaves the reattach configuration of the suite's shared provider (never TF_REATTACH_PROVIDERS itself: the real plans must not attach). */
export const SHARED_PROVIDER_VARIABLE = "AIRFLOW_TF_SHARED_PROVIDER";

function platform(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** The provider executable in an unpacked mirror or an initialized working directory's `.terraform`. */
export function providerExecutable(roots: readonly string[]): string | undefined {
  for (const root of roots) {
    const dir = path.join(root, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION, platform());
    const binary = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.startsWith(`terraform-provider-aws_v${AWS_PROVIDER_VERSION}`)) : undefined;
    if (binary) return path.join(dir, binary);
  }
  return undefined;
}

/**
 * The provider's own logs, off. A plugin SDK logger whose level is unset logs at trace level (terraform-plugin-log's
 * NewRootSDKLogger, NewRootProviderLogger), leaving the filtering to the Terraform process that captures its stderr;
 * a debug-mode provider writes them to a stderr nobody reads, after formatting each as JSON: about a sixth of its
 * CPU during plans. The SDK subsystems (proto, mux, helper/schema, framework) inherit the SDK root's level.
 */
const PROVIDER_LOGS_OFF = { TF_LOG: "off", TF_LOG_PROVIDER: "off", TF_LOG_SDK: "off" };

/**
 * The suite's shared provider (started by global setup) when there is one, else a provider of the caller's own,
 * started from the mirror or from the given initialized working directories. Stopping the suite's one is a no-op.
 */
export async function sharedProvider(toolchain: TerraformToolchain, initializedDirs: readonly string[] = []): Promise<SharedProvider> {
  const reattach = process.env[SHARED_PROVIDER_VARIABLE];
  if (reattach) return { environment: { TF_REATTACH_PROVIDERS: reattach }, stop: async () => undefined };
  return startProvider(toolchain, initializedDirs);
}

/**
 * A provider of the caller's own, from the mirror or the given initialized working directories, with `environment`
 * in its process (the real plans start one per account with that account's FakeAws credentials and endpoints).
 */
export function startProvider(
  toolchain: TerraformToolchain,
  initializedDirs: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): Promise<SharedProvider> {
  const executable = providerExecutable([toolchain.mirror, ...initializedDirs.map((d) => path.join(d, ".terraform", "providers"))]);
  return startSharedProvider(toolchain, executable, environment);
}

/**
 * Starts the provider in debug mode (it serves until stopped and prints its reattach configuration) and resolves
 * once it listens. `executable` defaults to the toolchain mirror's unpacked binary.
 */
export async function startSharedProvider(
  toolchain: TerraformToolchain,
  executable = providerExecutable([toolchain.mirror]),
  /** Variables of the provider's own process (a reattached provider never sees Terraform's): credentials, endpoints. */
  environment: Readonly<Record<string, string>> = {},
): Promise<SharedProvider> {
  if (!executable) throw new Error(`no unpacked hashicorp/aws ${AWS_PROVIDER_VERSION} in ${toolchain.mirror} to start a shared provider from`);
  const child: ChildProcess = spawn(executable, ["-debug"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...GO_SINGLE_THREAD, ...environment, ...PROVIDER_LOGS_OFF },
  });
  // A provider left behind would serve forever: stop it when this process exits, and, should this process be killed
  // outright (a Jest worker past its timeout), a watchdog shell stops it once this process is gone.
  const watchdog = spawn("sh", ["-c", `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; kill -9 ${child.pid} 2>/dev/null`], {
    stdio: "ignore",
    detached: true,
  });
  watchdog.unref();
  const stop = () =>
    new Promise<void>((resolve) => {
      watchdog.kill("SIGKILL");
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const onExit = () => {
    child.kill("SIGKILL");
    watchdog.kill("SIGKILL");
  };
  process.once("exit", onExit);
  try {
    const reattach = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`the shared provider did not start within 60 s:\n${out}`)), 60_000);
      child.stdout!.on("data", (d) => {
        out += d;
        const match = /TF_REATTACH_PROVIDERS='(\{.*\})'/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr!.resume();
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the shared provider exited (${code}) before serving:\n${out}`)));
    });
    const parsed = JSON.parse(reattach) as Record<string, unknown>;
    if (!parsed[ADDRESS]) throw new Error(`the shared provider serves ${Object.keys(parsed).join(", ")}, not ${ADDRESS}`);
    child.stdout!.resume();
    return {
      environment: { TF_REATTACH_PROVIDERS: reattach },
      pid: child.pid,
      stop: async () => {
        process.removeListener("exit", onExit);
        if (process.env.AIRFLOW_TF_TIMING && child.pid) {
          const [user, system] = fs.readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ").slice(11, 13).map(Number);
          process.stderr.write(`shared provider: ${((user + system) / 100).toFixed(1)} s of CPU\n`);
        }
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
