import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeEnvironment } from "../../scripts/lib/environments";
import { redactPlan } from "../../scripts/lib/redaction";
import { changeKind, parsePlan, type PlanJson } from "../../scripts/lib/terraform-plan";
import { main } from "../../scripts/plan-summary";
import type { StackPlanInput } from "../../scripts/plans/analysis";
import { stackIdFromFile } from "../../scripts/plans/inputs";
import { renderPlanSummary } from "../../scripts/plans/render";
import { contractOutputs } from "../support/offline-overrides";
import { craftedPlan, offlinePlanOverride, planStacksOffline } from "../support/plan-json";
import { repoEnvironment, repoEnvironments, sharedApp } from "../support/synth";
import { toolError, toolOutput } from "../support/cli";
import { dangerLines, FIXTURES, fixture, ORDER, SECRET_MARKER, tableRow } from "./plans/crafted";

const temporaryDirs: string[] = [];
function temporaryDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}
afterAll(() => temporaryDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The strings the plan marks sensitive, wherever they are. */
function sensitiveStrings(plan: PlanJson): string[] {
  const found: string[] = [];
  const walk = (value: unknown, sensitive: unknown): void => {
    if (sensitive === true) {
      const text = JSON.stringify(value);
      if (typeof value === "string") found.push(value);
      else if (value !== null && value !== undefined) found.push(...(text.match(/"[^"]{6,}"/g) ?? []).map((s) => JSON.parse(s)));
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, Array.isArray(sensitive) ? sensitive[i] : false));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, (sensitive as Record<string, unknown> | undefined)?.[k]);
  };
  for (const rc of plan.resource_changes ?? []) {
    walk(rc.change.before, rc.change.before_sensitive);
    walk(rc.change.after, rc.change.after_sensitive);
  }
  for (const change of Object.values(plan.output_changes ?? {})) {
    walk(change.before, change.before_sensitive);
    walk(change.after, change.after_sensitive);
  }
  return found.filter((s) => s.length >= 6);
}

describe("plan summary of real plans (terraform show -json, produced offline)", () => {
  // Real first plans of a network stack and the state bootstrap of the same account (each plan loads the ~700 MB
  // provider twice, for plan and show: two stacks keep the file within its time budget).
  const REAL = ["dev-network", "bootstrap-airflow-tfstate-111111111111"];
  let plans: Record<string, PlanJson>;
  let inputs: StackPlanInput[];
  let upstream: Record<string, readonly string[]>;

  // And a probe of the consumer path: dev-iam's remote-state data source and S3 backend exactly as synthesized, with
  // one output exposing what the data source reads (no AWS provider, so it costs no provider start).
  const PROBE = "dev-iam-remote-state-probe";

  beforeAll(async () => {
    // The suite's shared synth (read only: the plans run on copies).
    const app = sharedApp();
    const iam = app.stacks.find((s) => s.id === "dev-iam")!;
    const iamJson = JSON.parse(fs.readFileSync(path.join(iam.dir, "cdk.tf.json"), "utf8"));
    const probeDir = temporaryDir("airflow-probe-");
    fs.writeFileSync(
      path.join(probeDir, "cdk.tf.json"),
      JSON.stringify({
        terraform: { backend: iamJson.terraform.backend },
        data: { terraform_remote_state: iamJson.data.terraform_remote_state },
        output: { storage_contract: { value: "${data.terraform_remote_state.storage_contract.outputs}" } },
      }),
    );
    plans = await planStacksOffline(
      [...app.stacks.filter((s) => REAL.includes(s.id)), { id: PROBE, dir: probeDir, accountId: iam.accountId }],
      repoEnvironments(),
    );
    inputs = REAL.map((id) => ({ id, plan: plans[id] }));
    upstream = { ...describeEnvironment("dev").upstream };
  }, 120_000);

  it("lets a consumer read its producer's contract examples through the overridden remote state", () => {
    // GIVEN dev-iam's storage_contract data source, S3 backend replaced by an empty local state with defaults
    // THEN the real plan reads exactly the storage contract's example outputs
    expect(plans[PROBE].output_changes?.storage_contract).toMatchObject({ actions: ["create"], after: contractOutputs("storage", repoEnvironment("dev")) });
  });

  it("produces real plan JSON in which every managed resource is created", () => {
    for (const id of REAL) {
      const kinds = new Set((plans[id].resource_changes ?? []).filter((rc) => rc.mode === "managed").map((rc) => changeKind(rc.change.actions)));
      expect({ id, format: plans[id].format_version.split(".")[0], kinds: [...kinds] }).toEqual({ id, format: "1", kinds: ["create"] });
    }
  });

  it("counts every create per stack, flags IAM for review and nothing as data loss", () => {
    // WHEN the three first plans are summarized with the environment's dependency map
    const markdown = renderPlanSummary(inputs, { environment: "dev", upstream });
    // THEN each row counts the plan's creates and nothing else
    for (const id of REAL) {
      const creates = (plans[id].resource_changes ?? []).filter((rc) => rc.mode === "managed").length;
      expect(tableRow(markdown, id).slice(0, 4)).toEqual([String(creates), "0", "0", "0"]);
    }
    expect(markdown).toContain(
      `**dev**: 2 of 2 stacks change: ${REAL.reduce((n, id) => n + (plans[id].resource_changes ?? []).filter((rc) => rc.mode === "managed").length, 0)} to create`,
    );
    // AND the network stack's IAM (the flow-log role) is listed for review, while no line reports data loss
    const danger = dangerLines(markdown);
    const iamResources = (plans["dev-network"].resource_changes ?? []).filter((rc) => rc.mode === "managed" && rc.type.startsWith("aws_iam_")).length;
    expect(iamResources).toBeGreaterThan(0);
    expect(danger.filter((l) => l.startsWith("- 🔑 **IAM** in `dev-network`: ")).map((l) => l.split(":")[1].trim())).toEqual([`${iamResources} to create`]);
    expect(danger.filter((l) => l.includes("🔥"))).toEqual([]);
  });

  it("marks a downstream stack provisional because the real network plan changes, and the network itself not", () => {
    // GIVEN the storage stack planned without changes of its own
    const markdown = renderPlanSummary([inputs[0], { id: "dev-storage", plan: craftedPlan([]) }], { environment: "dev", upstream });
    // THEN its row says the network changing makes it provisional
    expect(tableRow(markdown, "dev-storage")).toEqual(["0", "0", "0", "0", "✅ no changes; ⏳ provisional (upstream dev-network changes)"]);
    expect(tableRow(markdown, "dev-network")[4]).not.toContain("provisional");
  });

  it("lists every created resource in the details when the size allows", () => {
    const markdown = renderPlanSummary(inputs, { upstream, maxChars: 10_000_000 });
    const missing = REAL.flatMap((id) => (plans[id].resource_changes ?? []).filter((rc) => rc.mode === "managed").map((rc) => rc.address)).filter(
      (a) => !markdown.includes(`\`${a}\``),
    );
    expect(missing).toEqual([]);
  });

  it("stays under GitHub's comment limit by default, with balanced <details> and a truncation note", () => {
    const markdown = renderPlanSummary(inputs, { environment: "dev", upstream });
    expect(markdown.length).toBeLessThanOrEqual(60_000);
    expect(markdown.split("<details>").length).toBe(markdown.split("</details>").length);
  });

  it("never prints a value the plans mark sensitive", () => {
    const markdown = renderPlanSummary(inputs, { upstream, maxChars: 10_000_000 });
    const secrets = REAL.flatMap((id) => sensitiveStrings(plans[id]));
    expect(secrets.filter((s) => markdown.includes(s))).toEqual([]);
  });

  it("renders the headline, review list, table and the start of the details (snapshot, 5,000 characters)", () => {
    expect(renderPlanSummary(inputs, { environment: "dev", upstream, maxChars: 5_000 })).toMatchSnapshot();
  });
});

describe("offline plan overrides (__tests__/support/plan-json.ts)", () => {
  const dev = repoEnvironment("dev");
  // The suite's shared synth (read-only): dev's stacks are the same in it as in a dev-only synth.
  const app = sharedApp();
  const stack = (id: string) => app.stacks.find((s) => s.id === id)!;
  const json = (id: string) => JSON.parse(fs.readFileSync(path.join(stack(id).dir, "cdk.tf.json"), "utf8"));

  it("gives a consumer a local backend and its producers' contract examples as remote-state defaults", () => {
    const { override, stateFiles } = offlinePlanOverride(stack("dev-iam"), json("dev-iam"), repoEnvironments());
    expect(override).toEqual({
      terraform: { backend: { local: { path: "terraform.tfstate" } } },
      data: {
        terraform_remote_state: {
          storage_contract: { backend: "local", config: { path: "remote-state/storage_contract.tfstate" }, defaults: contractOutputs("storage", dev) },
        },
      },
    });
    expect(stateFiles).toEqual(["remote-state/storage_contract.tfstate"]);
  });

  it("refuses a stack whose data sources would call AWS at plan time", () => {
    expect(() => offlinePlanOverride(stack("dev-storage"), json("dev-storage"), repoEnvironments())).toThrow(
      /^stack dev-storage: data\.aws_secretsmanager_secret_version\.\S+ would call AWS at plan time; the offline plan supports remote state and local data sources only$/,
    );
  });
});

describe("npm run plan-summary", () => {
  const run = (argv: string[]) => toolOutput(main, argv);
  const runError = (argv: string[]) => toolError(main, argv);
  const file = (id: string) => path.join(FIXTURES, `plan-${id}.json`);
  const order = path.join(FIXTURES, "stacks-dev.json");

  it("names stacks after their plan files", () => {
    expect(["plan-dev-network.json", "/x/dev-network.json", "dev-network.plan.json"].map(stackIdFromFile)).toEqual([
      "dev-network",
      "dev-network",
      "dev-network",
    ]);
  });

  it("renders the files in the order of the stacks file, as the library does", () => {
    // GIVEN plan files in any order, one failed stack
    const stdout = run([
      "--order-from",
      order,
      "--failed",
      "dev-services",
      "--run-url",
      "https://github.com/example-org/airflow-ecs/actions/runs/1",
      file("dev-iam"),
      file("dev-compute"),
      file("dev-network"),
      file("dev-storage"),
    ]);
    // THEN it is the summary of the crafted environment
    const expected = renderPlanSummary(
      [...["dev-network", "dev-storage", "dev-iam", "dev-compute"].map((id) => ({ id, plan: fixture(id) })), { id: "dev-services", failed: true }],
      { environment: "dev", upstream: ORDER.upstream, runUrl: "https://github.com/example-org/airflow-ecs/actions/runs/1" },
    );
    expect(stdout).toBe(expected);
  });

  it("reports stacks of the order file without a plan as not planned", () => {
    const stdout = run(["--order-from", order, file("dev-network")]);
    expect(tableRow(stdout, "dev-iam")).toEqual(["–", "–", "–", "–", "❔ not planned"]);
    expect(stdout).toContain("❔ 4 not planned (`dev-storage`, `dev-iam`, `dev-compute`, `dev-services`)");
  });

  it("writes redacted copies of the plans for CI artifacts (--redacted-out)", () => {
    // GIVEN an output directory
    const dir = temporaryDir("airflow-redacted-");
    // WHEN the summary is rendered with --redacted-out
    run(["--redacted-out", dir, file("dev-storage"), file("dev-services")]);
    // THEN each plan has a copy without any sensitive value, still readable by the tool
    expect(fs.readdirSync(dir).sort()).toEqual(["plan-dev-services.json", "plan-dev-storage.json"]);
    for (const name of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, name), "utf8");
      expect({ name, leaks: text.includes(SECRET_MARKER) }).toEqual({ name, leaks: false });
      expect(parsePlan(text, name).resource_changes?.length).toBe(fixture(stackIdFromFile(name)).resource_changes?.length);
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, "plan-dev-storage.json"), "utf8")).resource_changes[0].change.before.password).toBe("(sensitive)");
    expect(Object.keys(redactPlan(fixture("dev-storage"))).sort()).toEqual([
      "format_version",
      "output_changes",
      "resource_changes",
      "resource_drift",
      "terraform_version",
    ]);
  });

  it("accepts explicit --stack <id>=<file> mappings", () => {
    const stdout = run(["--stack", `dev-iam=${file("dev-iam")}`]);
    expect(tableRow(stdout, "dev-iam").slice(0, 4)).toEqual(["1", "1", "0", "1"]);
  });

  it("rejects a plan of a stack the order file does not list", () => {
    const error = runError(["--order-from", order, file("bootstrap-airflow-tfstate-111111111111")]);
    expect(error.message).toBe(
      `stack "bootstrap-airflow-tfstate-111111111111" is not in ${order} (dev-network, dev-storage, dev-iam, dev-compute, dev-services); name plan files plan-<stack id>.json or use --stack <id>=<file>`,
    );
  });

  it("rejects files that are not terraform show -json output", () => {
    const dir = temporaryDir("airflow-bad-plan-");
    fs.writeFileSync(path.join(dir, "plan-a.json"), "{ not json");
    fs.writeFileSync(path.join(dir, "plan-b.json"), JSON.stringify({ resource_changes: [] }));
    expect(runError([path.join(dir, "plan-a.json")]).message).toMatch(
      new RegExp(`^${path.join(dir, "plan-a.json")}: is not JSON \\(.*\\); expected the output of "terraform show -json <planfile>"$`),
    );
    expect(runError([path.join(dir, "plan-b.json")]).message).toBe(
      `${path.join(dir, "plan-b.json")}: has no "format_version"; expected the output of "terraform show -json <planfile>"`,
    );
    expect(runError([path.join(dir, "missing.json")]).message).toMatch(new RegExp(`^${path.join(dir, "missing.json")}: cannot read it \\(ENOENT`));
  });

  it("explains usage errors", () => {
    expect(runError([]).message).toMatch(/^no plan files given\n\nusage: npm run plan-summary -- /);
    expect(runError([]).exitCode).toBe(2);
    expect(runError(["--stack", "nope"]).message).toMatch(/^--stack nope: expected <stack id>=<plan.json>\n/);
    expect(runError(["--max-chars", "10", file("dev-iam")]).message).toBe("--max-chars 10: expected an integer >= 1000");
    expect(runError([file("dev-iam"), "--stack", `dev-iam=${file("dev-iam")}`]).message).toBe(
      `two plan files for stack "dev-iam": ${file("dev-iam")} and ${file("dev-iam")}`,
    );
  });
});
