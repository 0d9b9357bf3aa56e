import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformStack, Testing } from "cdktf";
import { applyPolicies } from "../../../modules/rule-pack/apply";
import { PolicyEngine } from "../../../modules/rule-pack/engine";
import type { RulePack } from "../../../modules/rule-pack/packs";
import { s3Lifecycle } from "../../../modules/rule-pack/rules/s3/lifecycle";
import { s3Versioning } from "../../../modules/rule-pack/rules/s3/versioning";
import type { Suppression } from "../../../modules/rule-pack/suppression";
import { DEV } from "./support";

const PACK: RulePack = { name: "s3", description: "versioning and lifecycle", rules: [s3Versioning, s3Lifecycle] };

/** An app with `dev-storage` and `dev-network` stacks; the storage stack holds two bare buckets (no versioning, no lifecycle). */
function app(buckets = true) {
  const a = Testing.app();
  const storage = new TerraformStack(a, "dev-storage");
  if (buckets) {
    new S3Bucket(storage, "a", { bucket: "a" });
    new S3Bucket(storage, "b", { bucket: "b" });
  }
  const network = new TerraformStack(a, "dev-network");
  return { app: a, storage, network };
}
const evaluate = (suppressions: readonly Suppression[]) => {
  const { storage } = app();
  return new PolicyEngine({ pack: PACK, suppressions, environmentOf: () => DEV }).evaluate(storage);
};
const versioningOnA: Suppression = {
  rule: "CKV_AWS_21",
  stacks: "*-storage",
  resource: "a",
  reason: "bucket a is a scratch bucket whose objects are rewritten hourly",
};

describe("suppressions need a written reason", () => {
  test("a suppression without a reason is rejected", () => {
    // GIVEN a suppression whose reason is missing (as from untyped config)
    const missing = { rule: "CKV_AWS_21", stacks: "*-storage", resource: "a" } as unknown as Suppression;
    // WHEN the policies are applied THEN it is rejected, naming the suppression
    expect(() => applyPolicies(app().app, { pack: PACK, suppressions: [missing] })).toThrow(
      new Error("suppression of CKV_AWS_21 on a in *-storage has no reason: every suppression must say why the finding is acceptable"),
    );
  });

  test("an empty or blank reason is rejected", () => {
    // GIVEN a reason of spaces only
    const blank: Suppression = { ...versioningOnA, reason: "   " };
    // WHEN the engine is built THEN it is rejected
    expect(() => new PolicyEngine({ pack: PACK, suppressions: [blank] })).toThrow(
      new Error("suppression of CKV_AWS_21 on a in *-storage has no reason: every suppression must say why the finding is acceptable"),
    );
  });

  test("a suppression of an unknown rule, of every resource, or listed twice is rejected", () => {
    // GIVEN three malformed suppressions
    const unknown: Suppression = { ...versioningOnA, rule: "CKV_AWS_9999" };
    const wildcard: Suppression = { ...versioningOnA, resource: "*" };
    // THEN each is rejected with its reason
    expect(() => new PolicyEngine({ pack: PACK, suppressions: [unknown] })).toThrow(
      new Error("suppression of CKV_AWS_9999 on a in *-storage names no known rule: use a rule id of the pack (see renderRulesMarkdown())"),
    );
    expect(() => new PolicyEngine({ pack: PACK, suppressions: [wildcard] })).toThrow(
      new Error("suppression of CKV_AWS_21 on * in *-storage must name exactly one resource (a construct path or Terraform address, no wildcards)"),
    );
    expect(() => new PolicyEngine({ pack: PACK, suppressions: [versioningOnA, { ...versioningOnA }] })).toThrow(
      new Error("suppression of CKV_AWS_21 on a in *-storage is listed twice"),
    );
  });
});

describe("a suppression silences exactly one rule on one resource", () => {
  test("only CKV_AWS_21 on bucket a is accepted; the other rule on a and the same rule on b still fail", () => {
    // GIVEN two bare buckets and a suppression of versioning on bucket a
    // WHEN the stack is evaluated
    const result = evaluate([versioningOnA]);
    // THEN exactly one finding is suppressed, by that suppression
    const summary = result.findings.map((f) => `${f.rule} ${f.path} ${f.suppressedBy ? "suppressed" : "fails"}`);
    expect(summary).toEqual(["CKV_AWS_21 a suppressed", "CKV2_AWS_61 a fails", "CKV_AWS_21 b fails", "CKV2_AWS_61 b fails"]);
    expect(result.findings[0].suppressedBy).toBe(versioningOnA);
    expect(result.stale).toEqual([]);
  });

  test("a suppression may name the resource by its Terraform address", () => {
    // GIVEN the suppression by address instead of construct path
    const byAddress: Suppression = { ...versioningOnA, resource: "aws_s3_bucket.b" };
    // WHEN evaluated THEN it accepts bucket b's finding only
    expect(
      evaluate([byAddress])
        .findings.filter((f) => f.suppressedBy)
        .map((f) => `${f.rule} ${f.address}`),
    ).toEqual(["CKV_AWS_21 aws_s3_bucket.b"]);
  });
});

describe("stale suppressions are reported", () => {
  test("a suppression matching no finding in a stack it names is stale", () => {
    // GIVEN a suppression for a bucket that does not exist
    const ghost: Suppression = { ...versioningOnA, resource: "ghost" };
    // WHEN evaluated
    const result = evaluate([ghost]);
    // THEN it is listed as stale for that stack
    expect(result.stale).toEqual([{ suppression: ghost, stack: "dev-storage" }]);
  });

  test("stacks the suppression does not name are not judged", () => {
    // GIVEN a suppression scoped to production's storage stack
    const prodOnly: Suppression = { ...versioningOnA, stacks: ["prod-storage"] };
    // WHEN the dev storage stack is evaluated
    const result = evaluate([prodOnly]);
    // THEN it neither accepts nor goes stale there
    expect(result.findings.filter((f) => f.suppressedBy)).toEqual([]);
    expect(result.stale).toEqual([]);
  });

  test("the aspect warns on the stack, or fails synth with staleSuppressions: error", () => {
    // GIVEN a compliant stack set and a stale suppression of a rule of the pack
    const ghost: Suppression = { ...versioningOnA, stacks: "*-network", resource: "ghost" };
    const warned = app(false);
    const report = applyPolicies(warned.app, { pack: PACK, suppressions: [ghost], environmentOf: () => DEV });
    // WHEN synthesized
    warned.app.synth();
    // THEN the report and a warning annotation on the stack name it
    expect(report.stale).toEqual([{ suppression: ghost, stack: "dev-network" }]);
    const warnings = warned.network.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);
    expect(warnings).toEqual([
      "[policy] stale suppression: CKV_AWS_21 on ghost in *-network matched no finding in dev-network; remove it from modules/rule-pack/accepted-findings.ts",
    ]);

    // AND with staleSuppressions: "error" the same app fails to synthesize
    const strict = app(false);
    applyPolicies(strict.app, { pack: PACK, suppressions: [ghost], environmentOf: () => DEV, staleSuppressions: "error" });
    expect(() => strict.app.synth()).toThrow(
      new Error(
        'Encountered Annotations with level "ERROR":\n[dev-network] [policy] stale suppression: CKV_AWS_21 on ghost in *-network matched no finding in dev-network; remove it from modules/rule-pack/accepted-findings.ts\n\nEither fix the issues above, or set the environment variable CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS to ignore these annotations.\n',
      ),
    );
  });
});
