import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { TerraformStack, Testing } from "cdktf";
import { s3AccessLogging } from "../../../../modules/rule-pack/rules/s3/access-logging";
import { s3Encryption } from "../../../../modules/rule-pack/rules/s3/encryption";
import { s3KmsEncryption } from "../../../../modules/rule-pack/rules/s3/kms-encryption";
import { s3Lifecycle } from "../../../../modules/rule-pack/rules/s3/lifecycle";
import { s3PublicAccessBlock } from "../../../../modules/rule-pack/rules/s3/public-access-block";
import { s3TlsOnlyPolicy } from "../../../../modules/rule-pack/rules/s3/tls-only-policy";
import { s3Versioning } from "../../../../modules/rule-pack/rules/s3/versioning";
import { SecureBucket } from "../../../../modules/storage/secure-bucket";
import { check, evaluate } from "../support";

const KEY = "arn:aws:kms:eu-west-1:111111111111:key/1";
/** The project's bucket: every companion in the stack, SSE-KMS, access logs to another SecureBucket of the stack. */
const secure = (stack: TerraformStack) =>
  new SecureBucket(stack, "logs", {
    bucketName: "airflow-dev-task-logs",
    encryption: { kind: "kms", keyArn: KEY },
    lifecycle: { expireAfterDays: 14, noncurrentExpireAfterDays: 7 },
    accessLogs: {
      bucket: new SecureBucket(stack, "access-logs", {
        bucketName: "airflow-dev-s3-access-logs",
        encryption: { kind: "kms", keyArn: KEY },
        lifecycle: { noncurrentExpireAfterDays: 7 },
      }),
      prefix: "task-logs/",
    },
  });
const bare = (stack: TerraformStack) => new S3Bucket(stack, "bucket", { bucket: "bare" });

describe("CKV2_AWS_6 S3 public access blocked", () => {
  test("Noncompliance 1: no public access block in the stack", () => {
    // GIVEN a bare bucket
    // THEN it is reported
    expect(check(s3PublicAccessBlock, bare)).toEqual([
      { rule: "CKV2_AWS_6", address: "aws_s3_bucket.bucket", message: "no aws_s3_bucket_public_access_block in this stack" },
    ]);
  });

  test("Noncompliance 2: a block with two flags off, attached by bucket name", () => {
    // GIVEN a public access block naming the bucket literally, leaving ACL flags off
    const findings = check(s3PublicAccessBlock, (stack) => {
      bare(stack);
      new S3BucketPublicAccessBlock(stack, "pab", { bucket: "bare", blockPublicPolicy: true, restrictPublicBuckets: true });
    });
    // THEN the open flags are reported
    expect(findings.map((f) => f.message)).toEqual(["the public access block leaves block_public_acls, ignore_public_acls off"]);
  });

  test("Noncompliance 3: the block of another bucket does not count", () => {
    // GIVEN two buckets, a complete block on the first only
    const findings = check(s3PublicAccessBlock, (stack) => {
      const first = new S3Bucket(stack, "first", { bucket: "first" });
      new S3Bucket(stack, "second", { bucket: "second" });
      new S3BucketPublicAccessBlock(stack, "pab", {
        bucket: first.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    });
    // THEN only the second bucket is reported
    expect(findings.map((f) => f.address)).toEqual(["aws_s3_bucket.second"]);
  });

  test("Compliance 1: SecureBucket", () => {
    // GIVEN the project's bucket construct
    // THEN nothing is reported
    expect(check(s3PublicAccessBlock, secure)).toEqual([]);
  });
});

describe("CKV_AWS_19 S3 default encryption", () => {
  test("Noncompliance 1: no encryption configuration", () => {
    // GIVEN a bare bucket
    // THEN it is reported
    expect(check(s3Encryption, bare)).toEqual([
      {
        rule: "CKV_AWS_19",
        address: "aws_s3_bucket.bucket",
        message: "no default encryption (aws_s3_bucket_server_side_encryption_configuration) in this stack",
      },
    ]);
  });

  test("Compliance 1: SSE-S3 counts as default encryption", () => {
    // GIVEN an AES256 configuration
    const findings = check(s3Encryption, (stack) => {
      const bucket = bare(stack);
      new S3BucketServerSideEncryptionConfigurationA(stack, "sse", {
        bucket: bucket.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_145 S3 encrypted with a KMS key", () => {
  test("Noncompliance 1: SSE-S3", () => {
    // GIVEN an AES256 configuration
    const findings = check(s3KmsEncryption, (stack) => {
      const bucket = bare(stack);
      new S3BucketServerSideEncryptionConfigurationA(stack, "sse", {
        bucket: bucket.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_145",
        address: "aws_s3_bucket.bucket",
        message: "default encryption is AES256, not SSE-KMS with a customer-managed key (kms_master_key_id)",
      },
    ]);
  });

  test("Noncompliance 2: aws:kms without a customer-managed key, and no configuration at all", () => {
    // GIVEN one bucket on the AWS managed key and one without encryption
    const findings = check(s3KmsEncryption, (stack) => {
      const bucket = bare(stack);
      new S3BucketServerSideEncryptionConfigurationA(stack, "sse", {
        bucket: bucket.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
      });
      new S3Bucket(stack, "plain", { bucket: "plain" });
    });
    // THEN both are reported
    expect(findings.map((f) => f.message)).toEqual([
      "default encryption is aws:kms, not SSE-KMS with a customer-managed key (kms_master_key_id)",
      "default encryption is not configured, not SSE-KMS with a customer-managed key (kms_master_key_id)",
    ]);
  });

  test("Compliance 1: SSE-KMS with the environment's key", () => {
    // GIVEN the project's KMS-encrypted bucket
    // THEN nothing is reported
    expect(check(s3KmsEncryption, secure)).toEqual([]);
  });
});

describe("CKV_AWS_21 S3 versioning", () => {
  test("Noncompliance 1: versioning suspended", () => {
    // GIVEN a versioning resource with status Suspended
    const findings = check(s3Versioning, (stack) => {
      const bucket = bare(stack);
      new S3BucketVersioningA(stack, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Suspended" } });
    });
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_21", address: "aws_s3_bucket.bucket", message: 'versioning is not "Enabled" (aws_s3_bucket_versioning) in this stack' },
    ]);
  });

  test("Compliance 1: versioning enabled", () => {
    // GIVEN SecureBucket
    // THEN nothing is reported
    expect(check(s3Versioning, secure)).toEqual([]);
  });
});

describe("CKV_AWS_18 S3 server access logging", () => {
  test("Noncompliance 1: no access logging", () => {
    // GIVEN a bare bucket
    // THEN it is reported
    expect(check(s3AccessLogging, bare)).toEqual([
      { rule: "CKV_AWS_18", address: "aws_s3_bucket.bucket", message: "server access logging is not configured (aws_s3_bucket_logging) in this stack" },
    ]);
  });

  test("Compliance 1: logs to the access-log bucket", () => {
    // GIVEN SecureBucket with accessLogs to a second SecureBucket
    const findings = check(s3AccessLogging, secure);
    // THEN only the access-log target, which logs nowhere, is reported
    expect(findings.map((f) => f.address)).toEqual([expect.stringMatching(/^aws_s3_bucket\.access-logs_bucket/)]);
  });
});

describe("AwsSolutions-S10 S3 bucket policy requires TLS", () => {
  test("Noncompliance 1: no bucket policy", () => {
    // GIVEN a bare bucket
    // THEN it is reported
    expect(check(s3TlsOnlyPolicy, bare)).toEqual([
      { rule: "AwsSolutions-S10", address: "aws_s3_bucket.bucket", message: "no bucket policy in this stack denies requests without TLS" },
    ]);
  });

  test("Noncompliance 2: a policy that only grants log delivery", () => {
    // GIVEN a bucket policy without the TLS deny
    const findings = check(s3TlsOnlyPolicy, (stack) => {
      const bucket = bare(stack);
      new S3BucketPolicy(stack, "policy", {
        bucket: bucket.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "Delivery", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${bucket.arn}/*` },
          ],
        }),
      });
    });
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual(['the bucket policy has no Deny of s3:* for everyone when aws:SecureTransport is "false"']);
  });

  test("Compliance 1: SecureBucket's DenyInsecureTransport", () => {
    // GIVEN the project's bucket policy
    // THEN nothing is reported
    expect(check(s3TlsOnlyPolicy, secure)).toEqual([]);
  });
});

describe("CKV2_AWS_61 S3 lifecycle configuration", () => {
  test("Noncompliance 1: only disabled rules", () => {
    // GIVEN a lifecycle configuration whose one rule is disabled
    const findings = check(s3Lifecycle, (stack) => {
      const bucket = bare(stack);
      new S3BucketLifecycleConfiguration(stack, "lifecycle", {
        bucket: bucket.id,
        rule: [{ id: "off", status: "Disabled", filter: [{}], expiration: [{ days: 30 }] }],
      });
    });
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV2_AWS_61", address: "aws_s3_bucket.bucket", message: "no enabled lifecycle rule (aws_s3_bucket_lifecycle_configuration) in this stack" },
    ]);
  });

  test("Noncompliance 2: the lifecycle configuration lives in another stack", () => {
    // GIVEN the bucket in one stack and its lifecycle configuration, naming it, in a second stack of the app
    const app = Testing.app();
    const storage = new TerraformStack(app, "storage");
    bare(storage);
    const other = new TerraformStack(app, "other");
    new S3BucketLifecycleConfiguration(other, "lifecycle", {
      bucket: "bare",
      rule: [{ id: "expire", status: "Enabled", filter: [{}], expiration: [{ days: 30 }] }],
    });
    // WHEN the bucket's stack is evaluated
    const findings = evaluate(s3Lifecycle, storage);
    // THEN it is judged alone and the bucket is reported
    expect(findings.map((f) => f.address)).toEqual(["aws_s3_bucket.bucket"]);
  });

  test("Compliance 1: SecureBucket's lifecycle rules", () => {
    // GIVEN the project's bucket
    // THEN nothing is reported
    expect(check(s3Lifecycle, secure)).toEqual([]);
  });
});
