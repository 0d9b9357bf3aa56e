import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { TerraformStack, Testing } from "cdktf";
import { ResourceView } from "../../../modules/rule-pack/resource-view";
import { StackContext } from "../../../modules/rule-pack/stack-context";

/** A fixture stack and the context the rules would get for it (resources of the listed types only). */
function context(build: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), "fixture");
  build(stack);
  const wanted = new Set(["aws_s3_bucket", "aws_s3_bucket_policy", "aws_s3_bucket_logging", "aws_cloudwatch_log_group"]);
  const views = stack.node.findAll().flatMap((node) => ResourceView.of(node, stack.node.path, wanted) ?? []);
  const byAddress = (address: string) => views.find((v) => v.address === address)!;
  return { stack: new StackContext(stack, undefined, views), byAddress };
}

describe("StackContext dependencies", () => {
  test("a reference in an attribute and an entry of depends_on both count", () => {
    // GIVEN logging that refers to the target bucket and lists the target's policy in depends_on
    const { stack, byAddress } = context((s) => {
      const target = new S3Bucket(s, "target", { bucket: "target" });
      const policy = new S3BucketPolicy(s, "policy", { bucket: target.id, policy: "{}" });
      new S3BucketLoggingA(s, "logging", { bucket: "source", targetBucket: target.bucket, targetPrefix: "x/", dependsOn: [policy] });
    });
    // WHEN its dependencies are read
    const logging = byAddress("aws_s3_bucket_logging.logging");
    // THEN both the implicit and the explicit one are there, and nothing else
    expect([...stack.implicitDependencies(logging)]).toEqual(["aws_s3_bucket.target"]);
    expect([...stack.explicitDependencies(logging)]).toEqual(["aws_s3_bucket_policy.policy"]);
    expect(stack.dependsOn(logging, byAddress("aws_s3_bucket_policy.policy"))).toBe(true);
  });

  test("depends_on written with addOverride counts too", () => {
    // GIVEN a dependency added as a raw override
    const { stack, byAddress } = context((s) => {
      new CloudwatchLogGroup(s, "group", { name: "g" });
      const logging = new S3BucketLoggingA(s, "logging", { bucket: "source", targetBucket: "target", targetPrefix: "x/" });
      logging.addOverride("depends_on", ["aws_cloudwatch_log_group.group"]);
    });
    // THEN it is resolved from the synthesized JSON
    expect(stack.dependsOn(byAddress("aws_s3_bucket_logging.logging"), byAddress("aws_cloudwatch_log_group.group"))).toBe(true);
  });

  test("literal text and escaped templates are not dependencies", () => {
    // GIVEN a name that spells an address, and an escaped template that would refer to one
    const { stack, byAddress } = context((s) => {
      new CloudwatchLogGroup(s, "group", { name: "g" });
      new S3Bucket(s, "literal", { bucket: "aws_cloudwatch_log_group.group" });
      new S3Bucket(s, "escaped", { bucket: "x", tags: { note: "$${aws_cloudwatch_log_group.group.name}" } });
    });
    // THEN neither counts
    const group = byAddress("aws_cloudwatch_log_group.group");
    expect(stack.dependsOn(byAddress("aws_s3_bucket.literal"), group)).toBe(false);
    expect(stack.dependsOn(byAddress("aws_s3_bucket.escaped"), group)).toBe(false);
  });

  test("references inside nested blocks count", () => {
    // GIVEN a bucket whose nested block refers to a log group
    const { stack, byAddress } = context((s) => {
      const group = new CloudwatchLogGroup(s, "group", { name: "g" });
      new S3Bucket(s, "nested", { bucket: "x", logging: { targetBucket: group.name } });
    });
    // THEN the reference is found
    expect(stack.dependsOn(byAddress("aws_s3_bucket.nested"), byAddress("aws_cloudwatch_log_group.group"))).toBe(true);
  });
});
