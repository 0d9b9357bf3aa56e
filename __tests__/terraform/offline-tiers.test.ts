import * as fs from "fs";
import * as path from "path";
import type { EnvironmentConfig } from "../../config/schema";
import { contractOverrides } from "../support/offline-overrides";
import { repoEnvironment, repoEnvironments, sharedApp, synthesizeApp } from "../support/synth";
import type { CommandResult } from "../support/terraform-cli";
import { describeDiagnostics, runOfflineTiers, type TierResults } from "../support/terraform-harness";
import { temporaryDirectory } from "../support/temp";

/**
 * Real Terraform on every synthesized stack of every environment, offline: init as its own root, then validation and
 * a plan through `terraform test` with each remote state standing in from its producer's contract (the run validates
 * first; `terraform validate` itself runs only for a stack the run reports something for, see terraform-harness.ts).
 *
 * One more stack rides along: dev's storage stack restoring a pre-migration snapshot (what `npm run restore`
 * configures), whose `removed` blocks keep the original instance and its log groups out of the state. It is planned
 * in the same runs as the others (a separate run would load the provider schema and start the plugin again).
 */
const app = sharedApp();
const dev = repoEnvironment("dev");
const RESTORING = "dev-storage-restoring";
const restoring = {
  ...dev,
  storage: { ...dev.storage, database: { ...dev.storage.database, restoreFromSnapshot: "airflow-dev-metadata-pre-3-2-0-1-202601150930" } },
} as EnvironmentConfig;
const restoringStorage = synthesizeApp([restoring], temporaryDirectory("airflow-synth-restoring-")).stacks.find((s) => s.id === "dev-storage")!;
const stacks = [...app.stacks, { ...restoringStorage, id: RESTORING }];
const accounts = [...new Set(stacks.map((s) => s.accountId))].sort();
let results: TierResults;

beforeAll(async () => {
  results = await runOfflineTiers({
    stacks,
    overrides: contractOverrides(repoEnvironments()),
    workdir: temporaryDirectory("airflow-tiers-"),
  });
}, 600_000);

describe.each(stacks.map((s) => s.id))("%s", (id) => {
  it("initializes as its own root (terraform init -backend=false), its provider requirements installed from the mirror", () => {
    const { own, install } = results.init[id];
    const outcome = (r: CommandResult) => ({ code: r.code, output: r.code === 0 ? "" : r.stderr + r.stdout });
    expect({ own: outcome(own), [`install by ${install.stack}`]: outcome(install.result) }).toEqual({
      own: { code: 0, output: "" },
      [`install by ${install.stack}`]: { code: 0, output: "" },
    });
  });

  it("passes terraform validate without errors or warnings", () => {
    expect(describeDiagnostics(results.validate[id])).toBe("");
  });

  it("plans offline with the real provider", () => {
    expect(describeDiagnostics(results.planDiagnostics[id].filter((d) => d.severity === "error"))).toBe("");
  });
});

describe(`${RESTORING} (dev's storage stack restoring a snapshot)`, () => {
  it("is what the restore configures: a restored instance, and removed blocks that keep the original out of the state", () => {
    // GIVEN the synthesized restoring stack THEN it restores from the snapshot and removes the original's addresses without destroying them
    const json = JSON.parse(fs.readFileSync(path.join(restoringStorage.dir, "cdk.tf.json"), "utf8")) as {
      resource: { aws_db_instance: Record<string, { snapshot_identifier?: string }> };
      removed?: { from: string; lifecycle: { destroy: boolean } }[];
    };
    expect(Object.values(json.resource.aws_db_instance).map((db) => db.snapshot_identifier)).toEqual(["airflow-dev-metadata-pre-3-2-0-1-202601150930"]);
    expect(json.removed?.length).toBeGreaterThan(0);
    expect(json.removed!.every((r) => r.lifecycle.destroy === false)).toBe(true);
  });
});

describe.each(accounts)("account %s", (accountId) => {
  it("passes terraform test's plan run over all of the account's stacks", () => {
    const { status, output } = results.plans[accountId];
    expect({ status, stderr: status === "pass" ? "" : output.stderr }).toEqual({ status: "pass", stderr: "" });
  });

  it("checks the account's own credentials and makes no other AWS call at plan time but secret generation", () => {
    // The one provider process serves every account's run in turn: each run's credential check is signed with its account's credentials
    const { awsCalls } = results.plans[accountId];
    expect(awsCalls).toContain("GetCallerIdentity");
    expect(awsCalls.filter((call) => call !== "GetCallerIdentity" && call !== "GetRandomPassword")).toEqual([]);
  });
});
