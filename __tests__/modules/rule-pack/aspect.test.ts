import { Lb } from "@cdktf/provider-aws/lib/lb";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { applyPolicies } from "../../../modules/rule-pack/apply";
import { formatFinding } from "../../../modules/rule-pack/report";
import { AIRFLOW_ECS_PACK, type RulePack } from "../../../modules/rule-pack/packs";
import { albDropInvalidHeaders } from "../../../modules/rule-pack/rules/elbv2/alb-drop-invalid-headers";
import { lbDeletionProtection } from "../../../modules/rule-pack/rules/elbv2/lb-deletion-protection";
import { DEV, PROD } from "./support";

const PACK: RulePack = { name: "alb", description: "two ALB rules", rules: [albDropInvalidHeaders, lbDeletionProtection] };
const annotationError = (lines: string[]) =>
  new Error(
    `Encountered Annotations with level "ERROR":\n${lines.join("\n")}\n\nEither fix the issues above, or set the environment variable CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS to ignore these annotations.\n`,
  );

/** A prod services stack whose ALB neither drops invalid headers nor is protected from deletion. */
function violatingStack(app: App) {
  const stack = new TerraformStack(app, "prod-services");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new Lb(new Construct(stack, "alb"), "alb", { subnets: ["subnet-1", "subnet-2"] });
  return stack;
}

describe("applyPolicies fails synth on every unsuppressed finding", () => {
  test("app.synth() into a temporary directory throws, naming each rule, the stack and the resource", () => {
    // GIVEN a real App writing to a temp dir, with the violating stack and the policies applied
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-synth-"));
    const app = new App({ outdir, skipValidation: true });
    violatingStack(app);
    const report = applyPolicies(app, { pack: PACK, suppressions: [], environmentOf: () => PROD });
    // WHEN synthesized THEN it throws with one line per finding
    expect(() => app.synth()).toThrow(
      annotationError([
        "[prod-services/alb/alb] [CKV_AWS_131] prod-services aws_lb.alb_88D76693 (alb/alb): drop_invalid_header_fields is not set; set true",
        "[prod-services/alb/alb] [CKV_AWS_150] prod-services aws_lb.alb_88D76693 (alb/alb): enable_deletion_protection is not set in a production environment; set true",
      ]),
    );
    // AND the report holds both findings, and no stack output was written
    expect(report.findings.map((f) => `${f.rule} ${f.stack} ${f.address}`)).toEqual([
      "CKV_AWS_131 prod-services aws_lb.alb_88D76693",
      "CKV_AWS_150 prod-services aws_lb.alb_88D76693",
    ]);
    expect(fs.existsSync(path.join(outdir, "stacks", "prod-services", "cdk.tf.json"))).toBe(false);
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("Testing.fullSynth throws the same way", () => {
    // GIVEN the violating stack in a test app, outside production
    const app = Testing.app();
    const stack = violatingStack(app);
    applyPolicies(stack, { pack: PACK, suppressions: [], environmentOf: () => DEV });
    // WHEN fully synthesized THEN only the rule that applies outside production fails it
    expect(() => Testing.fullSynth(stack)).toThrow(
      annotationError(["[prod-services/alb/alb] [CKV_AWS_131] prod-services aws_lb.alb_88D76693 (alb/alb): drop_invalid_header_fields is not set; set true"]),
    );
  });

  test("a compliant app synthesizes, each stack evaluated once even when synthesized twice", () => {
    // GIVEN a compliant ALB
    const app = Testing.app();
    const stack = new TerraformStack(app, "prod-services");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new Lb(stack, "alb", { subnets: ["subnet-1"], dropInvalidHeaderFields: true, enableDeletionProtection: true });
    const report = applyPolicies(app, { pack: PACK, suppressions: [], environmentOf: () => PROD });
    // WHEN synthesized twice
    app.synth();
    app.synth();
    // THEN it was evaluated once and nothing was found
    expect(report.stacks).toEqual(["prod-services"]);
    expect(report.findings).toEqual([]);
  });

  test("without options the whole pack and the repository's suppressions apply", () => {
    // GIVEN a bare bucket in a stack no suppression names
    const app = Testing.app();
    const stack = new TerraformStack(app, "scratch");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new S3Bucket(stack, "bucket", { bucket: "scratch" });
    const report = applyPolicies(app);
    // WHEN synthesized
    let error: unknown;
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
    // THEN every S3 rule of AIRFLOW_ECS_PACK fails it, one annotation each
    expect(error).toEqual(annotationError(report.findings.map((f) => `[scratch/bucket] ${formatFinding(f)}`)));
    expect(report.findings.map((f) => f.rule)).toEqual([
      "CKV2_AWS_6",
      "CKV_AWS_19",
      "CKV_AWS_145",
      "CKV_AWS_21",
      "CKV_AWS_18",
      "AwsSolutions-S10",
      "CKV2_AWS_61",
    ]);
    expect(report.findings.map((f) => f.rule).every((id) => AIRFLOW_ECS_PACK.rules.some((r) => r.id === id))).toBe(true);
  });

  test("applyPolicies needs the stacks to exist, and applies once", () => {
    // GIVEN an app without stacks
    // THEN applying the policies fails
    expect(() => applyPolicies(Testing.app())).toThrow(new Error("applyPolicies found no stack: call it after the stacks are built"));
    // AND GIVEN an app the policies were applied to THEN applying them again fails
    const app = Testing.app();
    violatingStack(app);
    applyPolicies(app, { pack: PACK, suppressions: [] });
    expect(() => applyPolicies(app, { pack: PACK, suppressions: [] })).toThrow(new Error("applyPolicies was already applied to stack prod-services"));
  });
});
