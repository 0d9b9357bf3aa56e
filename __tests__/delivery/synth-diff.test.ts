import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EnvironmentConfig } from "../../config/schema";
import { blocksOf, diffSynthOutputs, main, readSynthOutput, renderSynthDiff, type SynthDiff } from "../../scripts/synth-diff";
import { repoEnvironment, synthesizeApp } from "../support/synth";
import { toolError, toolOutput } from "../support/cli";

const FIXTURES = path.join(__dirname, "fixtures", "synth");
const BASE = path.join(FIXTURES, "base");
const HEAD = path.join(FIXTURES, "head");

const run = (argv: string[]) => toolOutput(main, argv);
const runError = (argv: string[]) => toolError(main, argv);

/** The Markdown lines of one stack's details block. */
function detailsOf(markdown: string, stack: string): string[] {
  const start = markdown.indexOf(`<details><summary><b>${stack}</b>`);
  if (start < 0) throw new Error(`no details for ${stack}`);
  return markdown.slice(start, markdown.indexOf("</details>", start)).split("\n").slice(2).filter(Boolean);
}

describe("synth diff of two crafted synth outputs", () => {
  const diff = diffSynthOutputs(readSynthOutput(BASE), readSynthOutput(HEAD)!);
  const markdown = renderSynthDiff(diff);

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

  it("shows attribute-level modifications, backend and provider blocks included", () => {
    expect(detailsOf(markdown, "dev-network")).toEqual([
      "- ➖ removed `aws_flow_log.vpc`",
      "- ➕ added `aws_subnet.private_0`",
      "- ➕ added `output.private_subnet_ids`",
      "- ✏️ modified `output.vpc_id`",
      "  - `description`: `VPC id` → `The VPC id`",
      "- ✏️ modified `provider.aws`",
      "  - `default_tags[0].tags.team`: (added) `data-platform`",
      "- ✏️ modified `terraform.backend.s3`",
      "  - `key`: `dev/network.tfstate` → `dev/network-v2.tfstate`",
    ]);
  });

  it("decodes an IAM policy and diffs its statements by Sid", () => {
    expect(detailsOf(markdown, "dev-iam")).toEqual([
      "- ➕ added `data.aws_partition.current`",
      "- ✏️ modified `aws_iam_role_policy.worker`",
      '  - `policy (json) Statement[Sid=ReadDags]`: (added) `{"Sid":"ReadDags","Effect":"Allow","Action":"elasticfilesystem:ClientMount","Resource":"arn:aws:elasticfilesystem:eu-west-1:111111111111:file-system/fs-1"}`',
      "  - `policy (json) Statement[Sid=WriteLogs].Action`: − `logs:CreateLogStream`",
      "- ✏️ modified `provider.aws`",
      "  - `default_tags[0].tags.team`: (added) `data-platform`",
    ]);
  });

  it("decodes container_definitions and matches containers and variables by name, redacting secrets", () => {
    expect(detailsOf(markdown, "dev-services")).toEqual([
      "- ✏️ modified `aws_db_instance.legacy`",
      "  - `password`: (sensitive value changed)",
      "- ✏️ modified `aws_ecs_task_definition.scheduler`",
      "  - `container_definitions (json) [name=scheduler].environment[name=AIRFLOW_ECS_DB_HOST].value`: `old-db.internal` → `db.internal`",
      "  - `memory`: `1536` → `2048`",
      "- ✏️ modified `provider.aws`",
      "  - `default_tags[0].tags.team`: (added) `data-platform`",
    ]);
    expect(markdown).not.toContain("do-not-print");
  });

  it("renders headline, table and details (snapshot)", () => {
    expect(markdown).toMatchSnapshot();
  });

  it("is the same through the command line, and exits 0", () => {
    expect(run([BASE, HEAD])).toBe(markdown);
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

describe("npm run synth-diff", () => {
  it("compares against an empty base when the base has no synth output, and says so", () => {
    const stdout = run([path.join(FIXTURES, "does-not-exist"), HEAD]);
    expect(stdout).toContain("> The base has no synth output (it failed to synthesize or predates the app): everything is shown as new.");
    expect(stdout).toContain("➕ new stacks `dev-compute`, `dev-iam`, `dev-network`, `dev-new`, `dev-services`");
  });

  it("reports identical outputs as unchanged", () => {
    expect(run([HEAD, HEAD])).toBe("### Synth diff (base → head)\n\nno change to the synthesized configuration ✅\n");
  });

  it("warns that removing a stack does not destroy it", () => {
    expect(run([BASE, HEAD])).toContain("> ⚠️ A removed stack is only dropped from CI: its resources stay deployed until the stack is destroyed by hand");
  });

  it("keeps to --max-chars with balanced <details>", () => {
    const stdout = run(["--max-chars", "1200", BASE, HEAD]);
    expect(stdout.length).toBeLessThanOrEqual(1200);
    expect(stdout.split("<details>").length).toBe(stdout.split("</details>").length);
    expect(stdout).toContain("_Synth diff truncated to stay under GitHub's comment size limit; run `npm run synth-diff` locally for all of it._");
  });

  it("rejects a missing head, a directory that is not a synth output, and wrong arguments", () => {
    expect(runError([BASE, path.join(FIXTURES, "nope")]).message).toBe(
      `${path.join(FIXTURES, "nope")}: does not exist; synthesize the head first ("npm run synth")`,
    );
    const notSynth = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-not-synth-"));
    try {
      expect(runError([notSynth, HEAD]).message).toBe(`${notSynth}: has no stacks/ directory; expected a cdktf.out directory written by "npm run synth"`);
    } finally {
      fs.rmSync(notSynth, { recursive: true, force: true });
    }
    expect(runError([HEAD]).message).toMatch(/^expected two directories \(base and head\), got 1\n\nusage: npm run synth-diff -- /);
    expect(runError([HEAD]).exitCode).toBe(2);
  });

  it("addresses every kind of block", () => {
    const blocks = blocksOf({
      "//": { metadata: {} },
      terraform: { backend: { s3: { key: "k" } }, required_providers: { aws: {} } },
      provider: { aws: [{ region: "eu-west-1" }, { alias: "us", region: "us-east-1" }] },
      resource: { aws_vpc: { main: {} } },
      data: { aws_partition: { current: {} } },
      ephemeral: { aws_secretsmanager_random_password: { p: {} } },
      output: { vpc_id: { value: "x" } },
      locals: { a: 1 },
      variable: { v: {} },
      module: { m: {} },
    });
    expect([...blocks.keys()].sort()).toEqual([
      "aws_vpc.main",
      "data.aws_partition.current",
      "ephemeral.aws_secretsmanager_random_password.p",
      "locals.a",
      "module.m",
      "output.vpc_id",
      "provider.aws",
      "provider.aws.us",
      "terraform.backend.s3",
      "terraform.required_providers",
      "variable.v",
    ]);
  });
});
