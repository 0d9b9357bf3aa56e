import { Testing } from "cdktf";
import { StateBootstrapStack, stateBucketGroups } from "../../terraform-state/state-bootstrap-stack";
import { repoEnvironments } from "../support/synth";

const groups = stateBucketGroups(repoEnvironments());

describe("state bucket groups", () => {
  it("fences only environments that have CI roles", () => {
    // GIVEN dev without a GitHub repository
    const [dev, test] = repoEnvironments().filter((c) => c.account.id === "111111111111");
    const [group] = stateBucketGroups([{ ...dev, ci: { createOidcProvider: false } }, test]);
    // THEN only test's roles are fenced
    expect(group.ciRoles).toEqual([{ environment: "test", roleNames: ["airflow-test-ci-plan", "airflow-test-ci-apply"] }]);
  });

  it("creates one bootstrap per state bucket, shared by the environments of that account", () => {
    expect(groups.map((g) => [g.bucket, g.environments]).sort()).toEqual([
      ["airflow-tfstate-111111111111", ["dev", "test"]],
      ["airflow-tfstate-222222222222", ["uat"]],
      ["airflow-tfstate-333333333333", ["prod"]],
    ]);
  });
});

describe.each(groups.map((g) => [g.bucket, g] as const))("StateBootstrapStack (%s)", (bucketName, group) => {
  const stack = new StateBootstrapStack(Testing.app(), group);
  stack.prepareStack();
  const json = JSON.parse(Testing.synth(stack));
  const byBucket = (type: string, name: string) =>
    Object.values(json.resource[type] as Record<string, any>).find((r) =>
      JSON.stringify(r.bucket).includes(name === bucketName ? "state_bucket" : "access-logs_bucket"),
    )!;

  it("matches the reviewed snapshot", () => {
    expect(json).toMatchSnapshot();
  });

  it("keeps its own state locally, outside cdktf.out, so re-synthesizing never loses it", () => {
    expect(json.terraform.backend).toEqual({ local: { path: `../../../terraform-state/state/bootstrap-${bucketName}.tfstate` } });
  });

  it("creates the state bucket protected from destroy", () => {
    const bucket = Object.values(json.resource.aws_s3_bucket as Record<string, any>).find((b) => b.bucket === bucketName)!;
    expect(bucket).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  it("versions, encrypts with its rotated KMS key, and blocks all public access", () => {
    expect(byBucket("aws_s3_bucket_versioning", bucketName).versioning_configuration).toEqual({ status: "Enabled" });
    expect(byBucket("aws_s3_bucket_server_side_encryption_configuration", bucketName).rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringContaining("aws_kms_key") },
        bucket_key_enabled: true,
      },
    ]);
    expect(byBucket("aws_s3_bucket_public_access_block", bucketName)).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const key = Object.values(json.resource.aws_kms_key as Record<string, any>)[0];
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
  });

  it("denies every request that is not TLS 1.2+", () => {
    const policy = JSON.parse(byBucket("aws_s3_bucket_policy", bucketName).policy);
    expect(policy.Statement.slice(0, 2)).toEqual([
      expect.objectContaining({ Effect: "Deny", Principal: "*", Action: ["s3:*"], Condition: { Bool: { "aws:SecureTransport": ["false"] } } }),
      expect.objectContaining({ Effect: "Deny", Principal: "*", Action: ["s3:*"], Condition: { NumericLessThan: { "s3:TlsVersion": ["1.2"] } } }),
    ]);
  });

  it("fences each environment's CI roles into that environment's state prefix, even in a shared bucket", () => {
    // GIVEN the CI roles of every environment keeping state in this bucket
    const policy = JSON.parse(byBucket("aws_s3_bucket_policy", bucketName).policy);
    const fences = policy.Statement.filter((s: any) => s.NotResource);
    // THEN each environment gets one Deny on every object outside <env>/, matched on its roles' ARNs
    expect(fences).toEqual(
      group.environments.map((env) => ({
        Sid: expect.stringMatching(/^Deny[A-Z]\w*CiOtherState$/),
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"],
        NotResource: [`arn:aws:s3:::${bucketName}/${env}/*`],
        Condition: {
          ArnLike: {
            "aws:PrincipalArn": [`arn:aws:iam::${group.accountId}:role/airflow-${env}-ci-plan`, `arn:aws:iam::${group.accountId}:role/airflow-${env}-ci-apply`],
          },
        },
      })),
    );
  });

  it("expires old state versions while keeping the newest and aborts stale uploads", () => {
    const rules = byBucket("aws_s3_bucket_lifecycle_configuration", bucketName).rule;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "expire-noncurrent-versions", noncurrent_version_expiration: [{ noncurrent_days: 90, newer_noncurrent_versions: 20 }] }),
        expect.objectContaining({ id: "abort-incomplete-uploads", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
      ]),
    );
  });

  it("logs access to the state bucket into an SSE-S3 companion bucket", () => {
    expect(Object.values(json.resource.aws_s3_bucket_logging as Record<string, any>)).toEqual([
      expect.objectContaining({ target_prefix: "state/", target_bucket: expect.stringContaining("access-logs_bucket") }),
    ]);
    expect(byBucket("aws_s3_bucket_server_side_encryption_configuration", "access-logs").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
  });
});
