import * as fs from "fs";
import type { SharedProvider } from "./provider-server";
import { suiteSharedDirectory } from "./suite-shared";
import type { SynthesizedApp } from "./synth";

/**
 * Removes what global setup created: the shared provider process, the shared synth and the suite's shared directory
 * (the offline Terraform configuration, the toolchain it located, the PostgreSQL template cluster).
 */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { airflowSharedProvider?: SharedProvider }).airflowSharedProvider?.stop();
  const shared = process.env.AIRFLOW_SHARED_SYNTH;
  const dirs = [suiteSharedDirectory(), shared ? (JSON.parse(shared) as SynthesizedApp).outdir : undefined];
  for (const dir of dirs) if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
