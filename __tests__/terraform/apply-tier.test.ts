import type { EnvironmentConfig } from "../../config/schema";
import type { OutputSpec, StackKind } from "../../modules/core/contract";
import { main as stacksMain } from "../../scripts/stacks";
import { CONTRACTS } from "../../stacks/contracts";
import { contractReads, runApplyTier, type ApplyTierResults, type AppliedOutput } from "../support/apply-harness";
import { applyMocks } from "../support/apply-mocks";
import { toolOutput } from "../support/cli";
import { repoEnvironment, repoEnvironments, sharedApp, stackJson } from "../support/synth";
import { describeDiagnostics } from "../support/terraform-harness";
import { temporaryDirectory } from "../support/temp";

/**
 * The apply-time tier: every stack of every environment applied by real Terraform under `mock_provider "aws"`, in
 * `npm run stacks` order, each consumer reading its producers' applied outputs through its real remote-state data
 * source; then re-planned (no change allowed) and destroyed in `npm run stacks -- --reverse` order.
 */
const app = sharedApp();
const environments = repoEnvironments().map((c) => c.name);
const order = (env: string, ...flags: string[]) =>
  toolOutput(stacksMain, ["--env", env, ...flags])
    .trim()
    .split("\n");
const stackById = new Map(app.stacks.map((s) => [s.id, s]));
const tierEnvironments = environments.map((name) => ({ name, stacks: order(name).map((id) => stackById.get(id)!) }));
const tierStacks = tierEnvironments.flatMap((e) => e.stacks);
const kindOf = (id: string, env: string) => id.slice(env.length + 1) as StackKind;
/** `<bucket>/<key>` of a stack's backend. */
const stateObject = (id: string) => {
  const { bucket, key } = stackJson(stackById.get(id)!.environment!, id.slice(stackById.get(id)!.environment!.length + 1)).terraform.backend!.s3 as {
    bucket: string;
    key: string;
  };
  return `${bucket}/${key}`;
};
let results: ApplyTierResults;

beforeAll(async () => {
  results = await runApplyTier({
    environments: tierEnvironments,
    mocks: (stack, json) => {
      const env = tierEnvironments.find((e) => e.stacks.some((s) => s.id === stack.id))!.name;
      return applyMocks(stack.id, kindOf(stack.id, env), repoEnvironment(env), json);
    },
    workdir: temporaryDirectory("airflow-apply-tier-"),
  });
}, 600_000);

const kindOfValue = (value: unknown): string =>
  Array.isArray(value)
    ? "list"
    : typeof value === "number"
      ? "number"
      : typeof value === "string"
        ? "string"
        : value !== null && typeof value === "object"
          ? "map"
          : `${value}`;
const isEmpty = (value: unknown): boolean =>
  value === "" ||
  (Array.isArray(value) && (value.length === 0 || value.some((v) => v === "" || v === null))) ||
  (kindOfValue(value) === "map" && (Object.keys(value as object).length === 0 || Object.values(value as object).some((v) => v === "" || v === null)));

/** "" for a value as the contract promises it for this environment (present, or empty where `presentWhen` says so); otherwise what is wrong. */
function problem(output: AppliedOutput | undefined, spec: OutputSpec, config: EnvironmentConfig): string {
  if (!output) return "missing after apply";
  const { value } = output;
  const actual = kindOfValue(value);
  if (actual !== spec.kind) return `a ${actual}, the contract says ${spec.kind}`;
  const present = spec.presentWhen?.(config) ?? true;
  if (present && isEmpty(value)) return `empty: ${JSON.stringify(value)}`;
  if (!present && !isEmpty(value)) return `holds ${JSON.stringify(value)}, but its contract says it is empty in this environment`;
  return "";
}

describe.each(tierStacks.map((s) => s.id))("%s", (id) => {
  it("applies with the real configuration under the mock provider (terraform test, command = apply)", () => {
    const stack = results.stacks[id];
    expect({ status: stack.apply, errors: describeDiagnostics(stack.applyDiagnostics.filter((d) => d.severity === "error")) }).toEqual({
      status: "pass",
      errors: "",
    });
  });

  it("publishes every output of its contract after apply, of the contract's kind, empty exactly where its contract allows", () => {
    const stack = results.stacks[id];
    const contract = CONTRACTS[kindOf(id, stack.environment)];
    const problems = Object.entries(contract?.outputs ?? {})
      .map(([name, spec]) => [name, problem(stack.outputs?.[name], spec, repoEnvironment(stack.environment))] as const)
      .filter(([, p]) => p !== "")
      .map(([name, p]) => `${id} output ${name}: ${p}`);
    expect(problems).toEqual([]);
  });

  it("plans no change right after its apply (the configuration is idempotent)", () => {
    const stack = results.stacks[id];
    expect({
      status: stack.replan,
      errors: describeDiagnostics(stack.replanDiagnostics.filter((d) => d.severity === "error")),
      changes: stack.changes,
    }).toEqual({
      status: "pass",
      errors: "",
      changes: [],
    });
  });
});

describe.each(environments)("environment %s", (env) => {
  it("every output a stack reads through remote state is one its producer published after apply", () => {
    const stacks = tierEnvironments.find((e) => e.name === env)!.stacks;
    const missing = contractReads(stacks)
      .filter((r) => !(r.output in (results.stacks[r.producer].outputs ?? {})))
      .map((r) => `${r.consumer} reads ${r.output} of ${r.producer}, which ${r.producer} did not publish after apply`);
    expect(missing).toEqual([]);
  });

  it("is destroyed cleanly in `npm run stacks -- --reverse` order", () => {
    expect({ order: results.teardown[env], errors: describeDiagnostics(results.teardownDiagnostics) }).toEqual({ order: order(env, "--reverse"), errors: "" });
  });
});

it("fed every consumer from the state object its producer's backend names, and the whole file passed", () => {
  // GIVEN each consumer's remote-state reads WHEN the tier ran THEN each producer's state object was read from the FakeAws
  const producers = new Set(contractReads(tierStacks).map((r) => r.producer));
  const unread = [...producers].filter((id) => !results.stateReads.some((read) => read === `GetObject ${stateObject(id)}`));
  expect({ unread, status: results.status }).toEqual({ unread: [], status: "pass" });
});
