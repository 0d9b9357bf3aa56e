import { execFileSync, spawnSync } from "child_process";

/** How long an apt-get step may take (the package index download dominates). */
const APT_TIMEOUT_MS = 240_000;

/** Where to look for the tools (PATH) and who runs the tests; the defaults are this process's. Tests override them. */
export interface ShellcheckOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
}

function shellcheckVersion(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(binary, ["--version"], { encoding: "utf8", env });
  if (result.status !== 0) return undefined;
  return /^version:\s*(\S+)/m.exec(result.stdout)?.[1] ?? "unknown";
}

function apt(args: readonly string[], env: NodeJS.ProcessEnv): { ok: boolean; output: string } {
  const result = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=120", ...args], {
    encoding: "utf8",
    timeout: APT_TIMEOUT_MS,
    env: { ...env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`;
  return { ok: result.status === 0, output };
}

function lastLines(text: string, count = 8): string {
  return text.trim().split("\n").slice(-count).join("\n");
}

/**
 * Returns the shellcheck binary to run, installing Debian's `shellcheck` package first when it is not on PATH
 * (`apt-get install`, after `apt-get update` when the package index lacks it). Never skips: where it cannot be
 * installed (not root, no apt-get, no package source) it throws an error saying what is missing and what to do.
 * Set SHELLCHECK to use a specific binary.
 */
export function ensureShellcheck(options: ShellcheckOptions = {}): string {
  const env = options.env ?? process.env;
  const uid = options.uid ?? (typeof process.getuid === "function" ? process.getuid() : undefined);
  const binary = env.SHELLCHECK ?? "shellcheck";
  if (shellcheckVersion(binary, env)) return binary;
  if (env.SHELLCHECK) {
    throw new Error(`SHELLCHECK=${env.SHELLCHECK} does not run ("${binary} --version" failed); point it at a working shellcheck or unset it.`);
  }

  const manual =
    "Install it (Debian/Ubuntu: sudo apt-get install -y shellcheck; other systems: https://github.com/koalaman/shellcheck#installing) and run the tests again.";
  if (uid !== 0) {
    throw new Error(`shellcheck is not on PATH and the tests run as a non-root user, so they cannot install it. ${manual}`);
  }
  if (spawnSync("apt-get", ["--version"], { encoding: "utf8", env }).status !== 0) {
    throw new Error(`shellcheck is not on PATH and apt-get is not available to install it. ${manual}`);
  }

  let install = apt(["install", "-y", "--no-install-recommends", "shellcheck"], env);
  if (!install.ok) {
    const update = apt(["update"], env);
    if (!update.ok) {
      throw new Error(`shellcheck is not on PATH and "apt-get update" failed, so it cannot be installed:\n${lastLines(update.output)}\n${manual}`);
    }
    install = apt(["install", "-y", "--no-install-recommends", "shellcheck"], env);
  }
  if (!install.ok || !shellcheckVersion(binary, env)) {
    throw new Error(`shellcheck is not on PATH and "apt-get install -y shellcheck" failed:\n${lastLines(install.output)}\n${manual}`);
  }
  return binary;
}

/** Runs shellcheck on `files` (following sourced files); returns its report, empty when every file is clean. */
export function shellcheck(binary: string, files: readonly string[], cwd: string): string {
  try {
    execFileSync(binary, ["--external-sources", "--source-path=SCRIPTDIR", "--severity=style", "--format=gcc", ...files], { cwd, encoding: "utf8" });
    return "";
  } catch (error) {
    const failure = error as { status?: number; stdout?: string; stderr?: string };
    if (failure.status === 1) return (failure.stdout ?? "").trim();
    throw new Error(`shellcheck did not run (exit ${failure.status}): ${failure.stderr ?? failure}`);
  }
}
