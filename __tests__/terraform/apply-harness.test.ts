import * as path from "path";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { App, DataTerraformRemoteStateS3, Fn, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { accountProvider } from "../../modules/core/provider";
import { contractReads, runApplyTier, type ApplyTierResults } from "../support/apply-harness";
import { applyMocks } from "../support/apply-mocks";
import { repoEnvironment } from "../support/synth";
import { describeDiagnostics } from "../support/terraform-harness";
import { temporaryDirectory } from "../support/temp";

/**
 * The apply tier must fail a broken contract: GIVEN pairs of stacks (a network producer, a compute consumer reading
 * it through remote state) in three environments — a healthy control, a producer that no longer publishes an output
 * its consumer reads, and a consumer that reads a list output as a string — WHEN the apply tier runs them in
 * dependency order, THEN each break fails its consumer with the output named, and only there.
 */
const BUCKET = "harness-state";
const ENVIRONMENTS = ["healthy", "removed", "mistyped"] as const;
type Fixture = (typeof ENVIRONMENTS)[number];

function stack(app: App, id: string, key: string, build: (s: TerraformStack) => void): void {
  const s = new TerraformStack(app, id);
  accountProvider(s, { region: "eu-west-1", accountId: repoEnvironment("dev").account.id, tags: { stack: id } });
  new S3Backend(s, { bucket: BUCKET, key, region: "eu-west-1", encrypt: true });
  build(s);
}

function pair(app: App, env: Fixture): void {
  stack(app, `${env}-network`, `${env}/network.tfstate`, (s) => {
    const vpc = new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
    const subnets = [0, 1].map((i) => new Subnet(s, `subnet-${i}`, { vpcId: vpc.id, cidrBlock: `10.0.${i}.0/24` }));
    new TerraformOutput(s, "vpc_id", { value: vpc.id });
    // The broken producer dropped the output its consumer still reads.
    if (env !== "removed") new TerraformOutput(s, "subnet_ids", { value: subnets.map((sn) => sn.id) });
  });
  stack(app, `${env}-compute`, `${env}/compute.tfstate`, (s) => {
    const network = new DataTerraformRemoteStateS3(s, "network_contract", { bucket: BUCKET, key: `${env}/network.tfstate`, region: "eu-west-1" });
    // The mistyped consumer passes the list where a string belongs.
    new EcsCluster(s, "cluster", { name: env === "mistyped" ? network.getString("subnet_ids") : Fn.join("-", network.getList("subnet_ids")) });
  });
}

let results: ApplyTierResults;
const tier = ENVIRONMENTS.map((name) => ({ name, stacks: ["network", "compute"].map((kind) => ({ id: `${name}-${kind}`, dir: "" })) }));

beforeAll(async () => {
  const outdir = temporaryDirectory("airflow-apply-broken-");
  const app = new App({ outdir });
  ENVIRONMENTS.forEach((env) => pair(app, env));
  app.synth();
  const environments = tier.map((e) => ({ ...e, stacks: e.stacks.map((s) => ({ ...s, dir: path.join(outdir, "stacks", s.id) })) }));
  tier.splice(0, tier.length, ...environments);
  results = await runApplyTier({
    environments,
    mocks: (s, json) => applyMocks(s.id, undefined, repoEnvironment("dev"), json),
    workdir: temporaryDirectory("airflow-apply-broken-tier-"),
  });
}, 300_000);

const errors = (id: string) => describeDiagnostics(results.stacks[id].applyDiagnostics.filter((d) => d.severity === "error"));

test("the healthy pair applies, and the consumer read the producer's applied outputs from its state object", () => {
  expect([results.stacks["healthy-network"].apply, errors("healthy-network"), errors("healthy-compute")]).toEqual(["pass", "", ""]);
  expect(Object.keys(results.stacks["healthy-network"].outputs ?? {}).sort()).toEqual(["subnet_ids", "vpc_id"]);
  expect(results.stateReads).toContain(`GetObject ${BUCKET}/healthy/network.tfstate`);
});

test("a consumer reading an output its producer no longer publishes fails the apply, naming the consumer and the output", () => {
  expect(errors("removed-compute")).toMatch(/Unsupported attribute[\s\S]*subnet_ids/);
  expect(results.stacks["removed-compute"].apply).toBe("error");
  // AND the tier's own check names the consumer, the producer and the output
  const missing = contractReads(tier.find((e) => e.name === "removed")!.stacks).filter((r) => !(r.output in (results.stacks[r.producer].outputs ?? {})));
  expect(missing).toEqual([{ consumer: "removed-compute", producer: "removed-network", output: "subnet_ids" }]);
});

test("a consumer reading a list output as a string fails the apply, naming the output", () => {
  expect(errors("mistyped-compute")).toMatch(/Incorrect attribute value type[\s\S]*string required/);
  expect(errors("mistyped-compute")).toContain("mistyped-compute");
});

test("the producers that applied are destroyed after their consumers", () => {
  for (const env of ENVIRONMENTS) expect(results.teardown[env]).toEqual([`${env}-network`]);
  expect(describeDiagnostics(results.teardownDiagnostics)).toBe("");
});
