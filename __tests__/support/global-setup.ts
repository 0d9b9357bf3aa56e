import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { locateToolchain, writeOfflineCliConfig } from "./toolchain";

/**
 * Runs once before the suite: fails loudly when Terraform or the provider mirror is missing and writes the
 * offline CLI configuration the Terraform tiers share.
 */
export default async function globalSetup(): Promise<void> {
  const toolchain = locateToolchain();
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-tf-shared-"));
  writeOfflineCliConfig(shared, toolchain);
  process.env.AIRFLOW_TF_SHARED_DIR = shared;
}
