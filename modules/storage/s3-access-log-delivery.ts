import type { Construct } from "constructs";
import type { ArnBuilder } from "../core/arn";
import type { PolicyStatement } from "../iam/policy-document";
import { SecureBucket } from "./secure-bucket";

/**
 * Bucket-policy statement of a server access-log bucket: the S3 logging service may write into it, only for the
 * named source buckets of this account (S3 server access logging delivers with the `logging.s3` principal).
 */
export function serverAccessLogDeliveryStatement(arns: ArnBuilder, targetBucket: string, sourceBuckets: readonly string[]): PolicyStatement {
  const bucketArn = (name: string) => `arn:${arns.partition}:s3:::${name}`;
  return {
    sid: "ServerAccessLogDelivery",
    actions: ["s3:PutObject"],
    resources: [`${bucketArn(targetBucket)}/*`],
    principals: [{ type: "Service", identifiers: [arns.servicePrincipal("logging.s3")] }],
    conditions: [
      { test: "StringEquals", variable: "aws:SourceAccount", values: [arns.account] },
      { test: "ArnLike", variable: "aws:SourceArn", values: sourceBuckets.map(bucketArn) },
    ],
  };
}

export interface ServerAccessLogBucketProps {
  /** Bucket name (globally unique), e.g. `airflow-prod-s3-access-logs-<account>`. */
  readonly bucketName: string;
  /** Names of the buckets whose server access logs it receives. */
  readonly sourceBuckets: readonly string[];
  /** ARNs of the environment's account and region. */
  readonly arns: ArnBuilder;
  /**
   * Days request logs are kept.
   * @default 365
   */
  readonly expireAfterDays?: number;
  /**
   * Allow `terraform destroy` to empty the bucket (throwaway environments only).
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * The target of the environment's S3 server access logs: a `SecureBucket` with SSE-S3 (server access logging can
 * only write to SSE-S3 buckets) and a policy letting S3 logging deliver for the source buckets only.
 */
export class ServerAccessLogBucket extends SecureBucket {
  constructor(scope: Construct, id: string, props: ServerAccessLogBucketProps) {
    super(scope, id, {
      bucketName: props.bucketName,
      encryption: { kind: "s3" },
      lifecycle: { expireAfterDays: props.expireAfterDays ?? 365, noncurrentExpireAfterDays: 7 },
      forceDestroy: props.forceDestroy,
      policyStatements: [serverAccessLogDeliveryStatement(props.arns, props.bucketName, props.sourceBuckets)],
    });
  }

  /** Access-log settings of a source bucket: this bucket, under `<prefix>/`. */
  target(prefix: string): { readonly bucket: SecureBucket; readonly prefix: string } {
    return { bucket: this, prefix: `${prefix}/` };
  }
}
