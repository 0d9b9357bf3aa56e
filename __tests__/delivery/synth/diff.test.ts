import * as fs from "fs";
import type { EnvironmentConfig } from "../../../config/schema";
import { readSynthOutput } from "../../../scripts/synth/blocks";
import { diffSynthOutputs, type SynthDiff } from "../../../scripts/synth/diff";
import { renderSynthDiff } from "../../../scripts/synth/render";
import { repoEnvironment, synthesizeApp } from "../../support/synth";
import { CRAFTED_DIFF as diff } from "./crafted";

describe("synth diff of two crafted synth outputs", () => {
  it("finds the added and removed stacks, and ignores a stack whose only change is cdktf metadata", () => {
    expect(diff.addedStacks).toEqual([{ id: "dev-new", blocks: 2 }]);
    expect(diff.removedStacks).toEqual([{ id: "dev-old", blocks: 1 }]);
    expect(diff.changed.map((s) => s.id)).toEqual(["dev-iam", "dev-network", "dev-services"]);
    expect(diff.unchanged).toEqual(["dev-compute"]);
  });

  it("lists added, removed and modified blocks of each stack", () => {
    const network = diff.changed.find((s) => s.id === "dev-network")!;
    expect(network.added).toEqual(["aws_subnet.private_0", "output.private_subnet_ids"]);
    expect(network.removed).toEqual(["aws_flow_log.vpc"]);
    expect(network.modified.map((m) => m.address)).toEqual(["output.vpc_id", "provider.aws", "terraform.backend.s3"]);
    const iam = diff.changed.find((s) => s.id === "dev-iam")!;
    expect([iam.added, iam.removed, iam.modified.map((m) => m.address)]).toEqual([
      ["data.aws_partition.current"],
      [],
      ["aws_iam_role_policy.worker", "provider.aws"],
    ]);
  });
});

describe("synth diff of two real synth outputs", () => {
  // GIVEN dev as configured (base) and dev with a bigger database, longer flow-log retention and an extra tag,
  // plus the test environment added (head)
  const dev = repoEnvironment("dev");
  const changed = JSON.parse(JSON.stringify(dev)) as { -readonly [K in keyof EnvironmentConfig]: any };
  changed.storage.database.instanceClass = "db.t4g.medium";
  changed.network.flowLogRetentionDays = 90;
  changed.tags = { ...changed.tags, team: "data" };
  const base = synthesizeApp([dev]);
  const head = synthesizeApp([changed as EnvironmentConfig, repoEnvironment("test")]);
  afterAll(() => [base.outdir, head.outdir].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  let diff: SynthDiff;
  let markdown: string;

  beforeAll(() => {
    // WHEN the outputs are compared
    diff = diffSynthOutputs(readSynthOutput(base.outdir), readSynthOutput(head.outdir)!);
    markdown = renderSynthDiff(diff, { maxChars: 1_000_000 });
  });

  it("reports the new environment's stacks as added and nothing as removed", () => {
    const testStacks = head.stacks.filter((s) => s.environment === "test").map((s) => s.id);
    expect(diff.addedStacks.map((s) => s.id)).toEqual([...testStacks].sort());
    expect(diff.removedStacks).toEqual([]);
  });

  it("finds the instance class change on the RDS instance of the storage stack", () => {
    const storage = diff.changed.find((s) => s.id === "dev-storage")!;
    const db = storage.modified.filter((m) => m.address.startsWith("aws_db_instance."));
    expect(db.map((m) => m.differences.map((d) => [d.path.map((p) => p.label).join("."), d.before, d.after]))).toEqual([
      [["instance_class", "db.t4g.small", "db.t4g.medium"]],
    ]);
  });

  it("finds the retention change on the flow-log group of the network stack", () => {
    const network = diff.changed.find((s) => s.id === "dev-network")!;
    const retention = network.modified.flatMap((m) =>
      m.differences.filter((d) => d.path[0]?.label === "retention_in_days").map((d) => [m.address.split(".")[0], d.before, d.after]),
    );
    expect(retention).toEqual([["aws_cloudwatch_log_group", 30, 90]]);
  });

  it("finds the new tag in the provider block of every dev stack, and no other change in stacks that only carry the tag", () => {
    const devStacks = base.stacks.filter((s) => s.environment === "dev").map((s) => s.id);
    for (const id of devStacks) {
      const stack = diff.changed.find((s) => s.id === id);
      const provider = stack?.modified.find((m) => m.address === "provider.aws");
      expect({ id, differences: provider?.differences.map((d) => [d.kind, d.path.map((p) => p.label).join("."), d.after]) }).toEqual({
        id,
        differences: [["added", "default_tags.[0].tags.team", "data"]],
      });
    }
    expect(markdown).toContain("  - `default_tags[0].tags.team`: (added) `data`\n");
  });

  it("modifies the state bootstrap of the shared bucket (it now serves dev and test)", () => {
    const bootstrap = diff.changed.find((s) => s.id === "bootstrap-airflow-tfstate-111111111111")!;
    expect(bootstrap.added).toEqual([]);
    expect(bootstrap.removed).toEqual([]);
    expect(markdown).toContain("(dev)` → `Terraform state in s3://airflow-tfstate-111111111111 (dev, test)`");
  });
});
