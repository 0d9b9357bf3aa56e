import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { providerExecutable, SHARED_PROVIDER_VARIABLE, startSharedProvider } from "./provider-server";
import { SUITE_SHARED_DIR_VARIABLE } from "./suite-shared";
import { synthesizeApp } from "./synth";
import { SHARED_TOOLCHAIN_FILE } from "./terraform-cli";
import { locateToolchain, writeOfflineCliConfig } from "./toolchain";

/**
 * The directory of the interpreter `python3` resolves to. A version manager's shim (pyenv's is a bash script that
 * runs `pyenv exec`) costs ~0.6 s of CPU per start, and the suite starts Python hundreds of times (the image's
 * scripts, the fake `airflow` command, the DAG queue scanner): putting the interpreter's own directory first on the
 * PATH runs the very same Python without the detour.
 */
function pythonDirectory(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }, (error, stdout) => {
      const executable = error ? "" : stdout.trim();
      resolve(executable && path.isAbsolute(executable) ? path.dirname(executable) : undefined);
    });
  });
}

/**
 * Runs once before the suite: fails loudly when Terraform or the provider mirror is missing, writes the offline CLI
 * configuration the Terraform tiers share, starts the provider process that validation and the mocked apply tier
 * attach to (see provider-server.ts; global teardown stops it), resolves the Python interpreter, and synthesizes
 * the whole app once for the tests that only read it.
 */
export default async function globalSetup(): Promise<void> {
  const toolchain = locateToolchain();
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-suite-shared-"));
  writeOfflineCliConfig(shared, toolchain);
  fs.writeFileSync(path.join(shared, SHARED_TOOLCHAIN_FILE), JSON.stringify(toolchain));
  process.env[SUITE_SHARED_DIR_VARIABLE] = shared;
  // The provider starts (about a second) while the app synthesizes; a packed mirror has no executable to start,
  // and then each Terraform suite starts its own from an initialized directory.
  const executable = providerExecutable([toolchain.mirror]);
  const provider = executable ? startSharedProvider(toolchain, executable) : undefined;
  // Python resolves (about half a second through a pyenv shim) while the app synthesizes.
  const resolvingPython = pythonDirectory();
  process.env.AIRFLOW_SHARED_SYNTH = JSON.stringify(synthesizeApp());
  const python = await resolvingPython;
  if (python) process.env.PATH = [python, ...(process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== python)].join(path.delimiter);
  if (provider) {
    const started = await provider;
    process.env[SHARED_PROVIDER_VARIABLE] = started.environment.TF_REATTACH_PROVIDERS;
    (globalThis as { airflowSharedProvider?: typeof started }).airflowSharedProvider = started;
  }
}
