import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { policyJson, type PolicyStatement } from "../iam/policy-document";

/** SSE-KMS with a customer-managed key, or SSE-S3 (required where AWS services cannot use KMS, e.g. ALB logs). */
export type BucketEncryption = { readonly kind: "kms"; readonly keyArn: string } | { readonly kind: "s3" };

export interface BucketLifecycle {
  /**
   * Expire current objects after this many days.
   * @default - never (expired delete markers are removed instead)
   */
  readonly expireAfterDays?: number;
  /** Expire noncurrent versions after this many days. */
  readonly noncurrentExpireAfterDays: number;
  /**
   * Keep this many newest noncurrent versions regardless of age.
   * @default - none kept
   */
  readonly keepNoncurrentVersions?: number;
  /**
   * Abort incomplete multipart uploads after this many days.
   * @default 7
   */
  readonly abortIncompleteUploadDays?: number;
}

export interface SecureBucketProps {
  /** Bucket name (globally unique). */
  readonly bucketName: string;
  /** Default encryption: SSE-KMS with a key, or SSE-S3. */
  readonly encryption: BucketEncryption;
  /** Expiry of objects and versions, clean-up of uploads. */
  readonly lifecycle: BucketLifecycle;
  /**
   * Statements added to the bucket policy after the TLS-only denies (e.g. log delivery grants).
   * @default - none
   */
  readonly policyStatements?: readonly PolicyStatement[];
  /**
   * Server access logging target. A bucket of the same stack, so the logging configuration waits for its policy
   * and ownership controls: S3 checks the target when logging is switched on (AIRFLOW_ORDER_S3_LOGGING_TARGET).
   * @default - no server access logging
   */
  readonly accessLogs?: { readonly bucket: SecureBucket; readonly prefix: string };
  /**
   * Terraform refuses to destroy the bucket (state, audit data).
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Allow `terraform destroy` to empty the bucket (throwaway environments only).
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * An S3 bucket with the defaults terraform-aws-modules leaves optional turned on: all four public-access blocks,
 * bucket-owner-enforced ownership (no ACLs), default encryption, versioning, a policy denying plain HTTP and TLS
 * below 1.2, and lifecycle rules for old versions and abandoned uploads.
 */
export class SecureBucket extends Construct {
  /** The bucket. */
  readonly bucket: S3Bucket;
  /** Its policy (TLS-only denies, then the extra statements). */
  readonly policy: S3BucketPolicy;
  /** Bucket-owner-enforced object ownership (ACLs disabled). */
  readonly ownership: S3BucketOwnershipControls;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.ownership = new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [
        props.encryption.kind === "kms"
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.encryption.keyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    new S3BucketVersioningA(this, "versioning", { bucket, versioningConfiguration: { status: "Enabled" } });

    const { lifecycle } = props;
    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: "abort-incomplete-uploads",
        status: "Enabled",
        filter: [{}],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: lifecycle.abortIncompleteUploadDays ?? 7 }],
      },
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: [{}],
        noncurrentVersionExpiration: [{ noncurrentDays: lifecycle.noncurrentExpireAfterDays, newerNoncurrentVersions: lifecycle.keepNoncurrentVersions }],
      },
      lifecycle.expireAfterDays !== undefined
        ? { id: "expire-objects", status: "Enabled", filter: [{}], expiration: [{ days: lifecycle.expireAfterDays }] }
        : { id: "remove-expired-delete-markers", status: "Enabled", filter: [{}], expiration: [{ expiredObjectDeleteMarker: true }] },
    ];
    new S3BucketLifecycleConfiguration(this, "lifecycle", { bucket, rule: rules });

    if (props.accessLogs) {
      const target = props.accessLogs.bucket;
      new S3BucketLoggingA(this, "access-logs", {
        bucket,
        targetBucket: target.name,
        targetPrefix: props.accessLogs.prefix,
        dependsOn: [target.policy, target.ownership],
      });
    }

    const arn = this.bucket.arn;
    const document = policyJson([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        actions: ["s3:*"],
        resources: [arn, `${arn}/*`],
        principals: [{ type: "*", identifiers: ["*"] }],
        conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
      {
        sid: "DenyOutdatedTls",
        effect: "Deny",
        actions: ["s3:*"],
        resources: [arn, `${arn}/*`],
        principals: [{ type: "*", identifiers: ["*"] }],
        conditions: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
      },
      ...(props.policyStatements ?? []),
    ]);
    // The public-access block must exist before a policy is attached, or S3 may briefly evaluate it as public.
    this.policy = new S3BucketPolicy(this, "policy", { bucket, policy: document, dependsOn: [publicAccess] });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }
}
