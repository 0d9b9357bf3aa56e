import type { EnvironmentConfig } from "../../config/schema";
import { contractOverrides } from "../support/offline-overrides";
import { repoEnvironment, synthesizeApp } from "../support/synth";
import { describeDiagnostics, runOfflineTiers, type TierResults } from "../support/terraform-harness";
import { temporaryDirectory } from "../support/temp";

/**
 * Real Terraform on a storage stack that restores a pre-migration snapshot (what `npm run restore` configures): the
 * `removed` blocks that keep the original instance and the restored instance validate and plan offline with the real
 * provider.
 */
const dev = repoEnvironment("dev");
const restoring = {
  ...dev,
  storage: { ...dev.storage, database: { ...dev.storage.database, restoreFromSnapshot: "airflow-dev-metadata-pre-3-2-0-1-202601150930" } },
} as EnvironmentConfig;
let results: TierResults;

beforeAll(async () => {
  const app = synthesizeApp([restoring]);
  const storage = app.stacks.filter((s) => s.id === "dev-storage");
  results = await runOfflineTiers({ stacks: storage, overrides: contractOverrides([restoring]), workdir: temporaryDirectory("airflow-restore-tier-") });
}, 600_000);

describe("dev-storage restoring a snapshot", () => {
  it("passes terraform validate, removed blocks included", () => {
    expect(describeDiagnostics(results.validate["dev-storage"])).toBe("");
  });

  it("plans offline with the real provider", () => {
    expect(describeDiagnostics(results.planDiagnostics["dev-storage"].filter((d) => d.severity === "error"))).toBe("");
    const plan = results.plans[dev.account.id];
    expect({ status: plan.status, stderr: plan.status === "pass" ? "" : plan.output.stderr }).toEqual({ status: "pass", stderr: "" });
  });
});
