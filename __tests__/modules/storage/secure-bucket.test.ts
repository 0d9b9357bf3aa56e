import { Testing } from "cdktf";
import { SecureBucket, type SecureBucketProps } from "../../../modules/storage/secure-bucket";

function synth(props: Partial<SecureBucketProps> = {}) {
  const json = JSON.parse(
    Testing.synthScope(
      (scope) => new SecureBucket(scope, "b", { bucketName: "example", encryption: { kind: "s3" }, lifecycle: { noncurrentExpireAfterDays: 30 }, ...props }),
    ),
  );
  const one = (type: string) => Object.values(json.resource[type] ?? {})[0] as Record<string, any>;
  return { json, one };
}

describe("SecureBucket", () => {
  it("blocks every form of public access and disables ACLs", () => {
    const { one } = synth();
    expect(one("aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(one("aws_s3_bucket_ownership_controls").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  it("encrypts with SSE-KMS and a bucket key when given a key, SSE-S3 otherwise", () => {
    expect(synth({ encryption: { kind: "kms", keyArn: "arn:k" } }).one("aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "arn:k" }, bucket_key_enabled: true },
    ]);
    expect(synth().one("aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
  });

  it("denies plain HTTP and TLS below 1.2, then appends extra statements, after the public-access block exists", () => {
    const { one } = synth({
      policyStatements: [{ sid: "Extra", actions: ["s3:GetObject"], principals: [{ type: "Service", identifiers: ["x.amazonaws.com"] }] }],
    });
    const policy = one("aws_s3_bucket_policy");
    expect(JSON.parse(policy.policy).Statement.map((s: any) => s.Sid)).toEqual(["DenyInsecureTransport", "DenyOutdatedTls", "Extra"]);
    expect(policy.depends_on).toEqual([expect.stringContaining("aws_s3_bucket_public_access_block")]);
  });

  it("expires objects when asked, otherwise cleans expired delete markers; always expires old versions and aborts stale uploads", () => {
    const ids = (props: Partial<SecureBucketProps>) =>
      synth(props)
        .one("aws_s3_bucket_lifecycle_configuration")
        .rule.map((r: any) => r.id);
    expect(ids({ lifecycle: { expireAfterDays: 14, noncurrentExpireAfterDays: 7 } })).toEqual([
      "abort-incomplete-uploads",
      "expire-noncurrent-versions",
      "expire-objects",
    ]);
    expect(ids({})).toEqual(["abort-incomplete-uploads", "expire-noncurrent-versions", "remove-expired-delete-markers"]);
  });

  it("switches server access logging on only after the target bucket's policy and ownership controls exist", () => {
    // GIVEN a bucket logging to another SecureBucket
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        const target = new SecureBucket(scope, "target", { bucketName: "logs", encryption: { kind: "s3" }, lifecycle: { noncurrentExpireAfterDays: 7 } });
        new SecureBucket(scope, "b", {
          bucketName: "example",
          encryption: { kind: "s3" },
          lifecycle: { noncurrentExpireAfterDays: 7 },
          accessLogs: { bucket: target, prefix: "example/" },
        });
      }),
    );
    // THEN the logging configuration names the target bucket and waits for its policy and ownership controls
    const [logging] = Object.values(json.resource.aws_s3_bucket_logging) as Record<string, any>[];
    expect(logging.target_bucket).toMatch(/^\$\{aws_s3_bucket\.target_bucket_\w+\.bucket\}$/);
    expect(logging.depends_on).toEqual([
      expect.stringMatching(/^aws_s3_bucket_policy\.target_policy_/),
      expect.stringMatching(/^aws_s3_bucket_ownership_controls\.target_ownership_/),
    ]);
  });

  it("protects the bucket from destroy when asked", () => {
    expect(synth({ preventDestroy: true }).one("aws_s3_bucket").lifecycle).toEqual({ prevent_destroy: true });
    expect(synth().one("aws_s3_bucket").lifecycle).toBeUndefined();
  });
});
