import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesizeApp } from "./synth";
import { locateToolchain, writeOfflineCliConfig } from "./toolchain";

/**
 * Runs once before the suite: fails loudly when Terraform or the provider mirror is missing, writes the offline CLI
 * configuration the Terraform tiers share, and synthesizes the whole app once for the tests that only read it.
 */
export default async function globalSetup(): Promise<void> {
  const toolchain = locateToolchain();
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-tf-shared-"));
  writeOfflineCliConfig(shared, toolchain);
  process.env.AIRFLOW_TF_SHARED_DIR = shared;
  process.env.AIRFLOW_SHARED_SYNTH = JSON.stringify(synthesizeApp());
}
