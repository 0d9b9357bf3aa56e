import * as fs from "fs";
import * as path from "path";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { App, DataTerraformRemoteStateS3, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { accountProvider } from "../../modules/core/provider";
import { contractOverrides } from "../support/offline-overrides";
import { repoEnvironment } from "../support/synth";
import { describeDiagnostics, hoistAccountProvider, runOfflineTiers, type TierResults } from "../support/terraform-harness";
import { temporaryDirectory } from "../support/temp";

/**
 * The harness must fail a broken stack: GIVEN stacks broken in the ways a refactor breaks them (a dangling
 * reference, a value of the wrong type, a value the provider rejects, a read of an output the producer does not
 * publish) beside a healthy control, WHEN the offline tiers run, THEN each break fails its own stack only.
 */
const ACCOUNT = repoEnvironment("dev").account.id;
/** Stacks that validate are planned under a second account: a validation error blocks the plan of its account. */
const PLANNED_ACCOUNT = repoEnvironment("uat").account.id;
const PLANNED = ["healthy", "unpublished-output"];
const accountOf = (id: string) => (PLANNED.includes(id) ? PLANNED_ACCOUNT : ACCOUNT);

function stack(app: App, id: string, build: (s: TerraformStack) => void): void {
  const s = new TerraformStack(app, id);
  accountProvider(s, { region: "eu-west-1", accountId: accountOf(id), tags: { stack: id } });
  new S3Backend(s, { bucket: "harness-state", key: `dev/${id}.tfstate`, region: "eu-west-1", encrypt: true });
  build(s);
}

let results: TierResults;
const ids = ["healthy", "dangling-reference", "wrong-type", "rejected-value", "unpublished-output"];

beforeAll(async () => {
  const outdir = temporaryDirectory("airflow-broken-");
  const app = new App({ outdir });
  stack(app, "healthy", (s) => {
    const vpc = new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
    new TerraformOutput(s, "vpc_id", { value: vpc.id });
  });
  stack(app, "dangling-reference", (s) => {
    new EcsCluster(s, "cluster", { name: "${aws_vpc.missing.id}" });
  });
  stack(app, "wrong-type", (s) => {
    new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" }).addOverride("enable_dns_support", "sometimes");
  });
  stack(app, "rejected-value", (s) => {
    const cluster = new EcsCluster(s, "cluster", { name: "harness" });
    new EcsService(s, "service", { name: "svc", cluster: cluster.id, launchType: "MOON" });
  });
  stack(app, "unpublished-output", (s) => {
    const network = new DataTerraformRemoteStateS3(s, "network_contract", { bucket: "harness-state", key: "dev/network.tfstate", region: "eu-west-1" });
    new EcsCluster(s, "cluster", { name: network.getString("no_such_output") });
  });
  app.synth();
  results = await runOfflineTiers({
    stacks: ids.map((id) => ({ id, dir: path.join(outdir, "stacks", id), accountId: accountOf(id) })),
    overrides: contractOverrides([repoEnvironment("dev")]),
    workdir: temporaryDirectory("airflow-broken-tiers-"),
  });
}, 300_000);

const errors = (id: string, tier: "validate" | "planDiagnostics") => describeDiagnostics(results[tier][id].filter((d) => d.severity === "error"));

test("the healthy control passes every tier", () => {
  const { own, install } = results.init.healthy;
  expect([own.code, install.result.code, errors("healthy", "validate"), errors("healthy", "planDiagnostics")]).toEqual([0, 0, "", ""]);
});

test("a dangling reference fails validation", () => {
  expect(errors("dangling-reference", "validate")).toContain("Reference to undeclared resource");
});

test("a value of the wrong type fails validation", () => {
  expect(errors("wrong-type", "validate")).toContain("Incorrect attribute value type");
});

test("a value the provider rejects fails validation", () => {
  expect(errors("rejected-value", "validate")).toMatch(/expected launch_type to be one of/);
});

test("reading an output the producer's contract does not publish fails the offline plan", () => {
  expect(errors("unpublished-output", "validate")).toBe("");
  expect(errors("unpublished-output", "planDiagnostics")).toContain("no_such_output");
  expect(results.plans[PLANNED_ACCOUNT].status).toBe("error");
});

describe("the account's provider configuration, held once by the plans' aggregate root", () => {
  /** Stack copies in an aggregate root, each with the given provider blocks. */
  function copies(providers: Record<string, Record<string, unknown>[]>): string {
    const root = temporaryDirectory("airflow-hoist-");
    for (const [id, aws] of Object.entries(providers)) {
      fs.mkdirSync(path.join(root, id));
      fs.writeFileSync(
        path.join(root, id, "cdk.tf.json"),
        JSON.stringify({ provider: { aws }, resource: { aws_vpc: { vpc: { cidr_block: "10.0.0.0/16" } } } }),
      );
    }
    return root;
  }
  const read = (root: string, id: string) => JSON.parse(fs.readFileSync(path.join(root, id, "cdk.tf.json"), "utf8"));

  test("is the stacks' common configuration without default tags, removed from each copy", () => {
    // GIVEN two stacks of one account whose provider blocks differ only in their default tags
    const root = copies({
      a: [{ region: "eu-west-1", allowed_account_ids: ["111111111111"], default_tags: [{ tags: { stack: "a" } }] }],
      b: [{ region: "eu-west-1", allowed_account_ids: ["111111111111"], default_tags: [{ tags: { stack: "b" } }] }],
    });
    // WHEN the configuration is hoisted THEN the root gets it once and the copies keep everything else
    expect(
      hoistAccountProvider(root, [
        { id: "a", dir: "" },
        { id: "b", dir: "" },
      ]),
    ).toEqual({ aws: [{ region: "eu-west-1", allowed_account_ids: ["111111111111"] }] });
    expect([read(root, "a"), read(root, "b")].map((json) => [json.provider, Object.keys(json.resource)])).toEqual([
      [undefined, ["aws_vpc"]],
      [undefined, ["aws_vpc"]],
    ]);
  });

  test("fails, naming both stacks, when two stacks of the account configure it differently", () => {
    // GIVEN a second stack in another region
    const root = copies({ a: [{ region: "eu-west-1" }], b: [{ region: "us-east-1" }] });
    // THEN the harness refuses: one provider process cannot hold both configurations
    expect(() =>
      hoistAccountProvider(root, [
        { id: "a", dir: "" },
        { id: "b", dir: "" },
      ]),
    ).toThrow(/stacks a and b of one account configure their providers differently .*"eu-west-1".* vs .*"us-east-1".*one provider process/);
  });
});
