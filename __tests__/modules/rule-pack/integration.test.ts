import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { buildApp } from "../../../main";
import { environmentFromStackConfig } from "../../../modules/rule-pack/environment";
import type { PolicyReport } from "../../../modules/rule-pack/report";
import { appliesToStack } from "../../../modules/rule-pack/suppression";
import { SUPPRESSIONS } from "../../../modules/rule-pack/accepted-findings";
import { repoEnvironment, repoEnvironments } from "../../support/synth";

/** Every environment of the repository, synthesized as `cdktf synth` would, with the policies applied. */
let report: PolicyReport;
let stackIds: string[];
let built: ReturnType<typeof buildApp>;
const outdirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
};

beforeAll(() => {
  const outdir = tempDir("policy-app-");
  built = buildApp({ environments: repoEnvironments(), outdir, policies: { staleSuppressions: "error" } });
  report = built.policies;
  built.app.synth();
  stackIds = fs.readdirSync(path.join(outdir, "stacks")).sort();
});
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe("the repository's environments under AIRFLOW_ECS_PACK", () => {
  test("every stack of every environment and every bootstrap is evaluated", () => {
    // GIVEN dev, test, uat and prod with five stacks each, plus the state bootstraps
    // THEN each synthesized stack was evaluated exactly once
    expect([...report.stacks].sort()).toEqual(stackIds);
    expect(new Set(repoEnvironments().map((c) => c.name))).toEqual(new Set(["dev", "test", "uat", "prod"]));
    expect(stackIds.filter((id) => !id.startsWith("bootstrap-"))).toHaveLength(repoEnvironments().length * 5);
  });

  test("zero unsuppressed findings and no stale suppression", () => {
    // GIVEN the app synthesized with stale suppressions as errors
    // THEN synth succeeded and the report agrees
    expect(report.findings).toEqual([]);
    expect(report.stale).toEqual([]);
  });

  test("every suppression accepts a finding in every stack it names", () => {
    // GIVEN modules/rule-pack/accepted-findings.ts
    // THEN each suppression is used in each of its stacks, and nothing else is accepted
    for (const suppression of SUPPRESSIONS) {
      const used = new Set(report.suppressed.filter((f) => f.suppressedBy === suppression).map((f) => f.stack));
      const named = stackIds.filter((id) => appliesToStack(suppression, id));
      expect({ suppression: suppression.resource, stacks: [...used].sort() }).toEqual({ suppression: suppression.resource, stacks: named });
    }
    expect(report.suppressed.every((f) => SUPPRESSIONS.includes(f.suppressedBy!))).toBe(true);
  });

  test("each environment stack's environment comes from its config; bootstraps have none", () => {
    // GIVEN the built stacks
    const prod = built.environments.get("prod")!.storage;
    // THEN the resolver reads the config the stack carries
    expect(environmentFromStackConfig(prod)).toEqual({
      name: "prod",
      production: true,
      secretArnPrefix: "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/",
    });
    expect(environmentFromStackConfig(built.environments.get("dev")!.network)).toMatchObject({ name: "dev", production: false });
    expect(built.bootstraps.map((b) => environmentFromStackConfig(b))).toEqual(built.bootstraps.map(() => undefined));
  });
});

describe("a deliberately violating change to a real stack", () => {
  test("app.synth() throws, naming the rule, the stack and the resource of each finding", () => {
    // GIVEN the dev environment as configured, plus a bare bucket added to its storage stack
    const dev = buildApp({ environments: [repoEnvironment("dev")], outdir: tempDir("policy-rogue-") });
    new S3Bucket(dev.environments.get("dev")!.storage, "rogue", { bucket: "airflow-dev-rogue-111111111111" });
    // WHEN synthesized THEN every S3 rule fails it on that bucket, and nothing else does
    const line = (rule: string, message: string) => `[dev-storage/rogue] [${rule}] dev-storage aws_s3_bucket.rogue (rogue): ${message}`;
    expect(() => dev.app.synth()).toThrow(
      new Error(
        [
          'Encountered Annotations with level "ERROR":',
          line("CKV2_AWS_6", "no aws_s3_bucket_public_access_block in this stack"),
          line("CKV_AWS_19", "no default encryption (aws_s3_bucket_server_side_encryption_configuration) in this stack"),
          line("CKV_AWS_145", "default encryption is not configured, not SSE-KMS with a customer-managed key (kms_master_key_id)"),
          line("CKV_AWS_21", 'versioning is not "Enabled" (aws_s3_bucket_versioning) in this stack'),
          line("CKV_AWS_18", "server access logging is not configured (aws_s3_bucket_logging) in this stack"),
          line("AwsSolutions-S10", "no bucket policy in this stack denies requests without TLS"),
          line("CKV2_AWS_61", "no enabled lifecycle rule (aws_s3_bucket_lifecycle_configuration) in this stack"),
          "",
          "Either fix the issues above, or set the environment variable CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS to ignore these annotations.",
          "",
        ].join("\n"),
      ),
    );
  });
});
