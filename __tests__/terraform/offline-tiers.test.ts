import { contractOverrides } from "../support/offline-overrides";
import { repoEnvironments, sharedApp } from "../support/synth";
import { describeDiagnostics, runOfflineTiers, type TierResults } from "../support/terraform-harness";
import { temporaryDirectory } from "../support/temp";

/**
 * Real Terraform on every synthesized stack of every environment, offline: init as its own root, validate, and a
 * plan through `terraform test` with each remote state standing in from its producer's contract.
 */
const app = sharedApp();
const accounts = [...new Set(app.stacks.map((s) => s.accountId))].sort();
let results: TierResults;

beforeAll(async () => {
  results = await runOfflineTiers({
    stacks: app.stacks,
    overrides: contractOverrides(repoEnvironments()),
    workdir: temporaryDirectory("airflow-tiers-"),
  });
}, 600_000);

describe.each(app.stacks.map((s) => s.id))("%s", (id) => {
  it("initializes as its own root with the mirrored provider (terraform init -backend=false)", () => {
    const init = results.init[id];
    expect({ code: init.code, output: init.code === 0 ? "" : init.stderr + init.stdout }).toEqual({ code: 0, output: "" });
  });

  it("passes terraform validate without errors or warnings", () => {
    expect(describeDiagnostics(results.validate[id])).toBe("");
  });

  it("plans offline with the real provider", () => {
    expect(describeDiagnostics(results.planDiagnostics[id].filter((d) => d.severity === "error"))).toBe("");
  });
});

describe.each(accounts)("account %s", (accountId) => {
  it("passes terraform test's plan run over all of the account's stacks", () => {
    const { status, output } = results.plans[accountId];
    expect({ status, stderr: status === "pass" ? "" : output.stderr }).toEqual({ status: "pass", stderr: "" });
  });

  it("makes no AWS call at plan time except the credential check and secret generation", () => {
    const unexpected = results.plans[accountId].awsCalls.filter((call) => call !== "GetCallerIdentity" && call !== "GetRandomPassword");
    expect(unexpected).toEqual([]);
  });
});
