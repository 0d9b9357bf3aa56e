import type { Construct } from "constructs";
import type { ArnBuilder } from "../core/arn";
import type { PolicyStatement } from "../iam/policy-document";
import { SecureBucket, type SecureBucketProps } from "./secure-bucket";

/**
 * Elastic Load Balancing's log-delivery accounts in regions opened before August 2022 (AWS "Enable access logs for
 * your Application Load Balancer"); newer regions take the `logdelivery.elasticloadbalancing.amazonaws.com`
 * service principal instead.
 */
const ELB_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-southeast-3": "589379963580",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/** Bucket-policy statement letting the region's ALBs write access logs under `<prefix>/AWSLogs/<account>/`. */
export function albLogDeliveryStatement(region: string, partition: string, accountId: string, bucketArn: string, prefix: string): PolicyStatement {
  const elbAccount = ELB_ACCOUNTS[region];
  return {
    sid: "AlbAccessLogDelivery",
    actions: ["s3:PutObject"],
    resources: [`${bucketArn}/${prefix}/AWSLogs/${accountId}/*`],
    principals: elbAccount
      ? [{ type: "AWS", identifiers: [`arn:${partition}:iam::${elbAccount}:root`] }]
      : [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }],
  };
}

export interface AlbLogBucketProps {
  /** Bucket name (globally unique), e.g. `airflow-prod-alb-logs-<account>`. */
  readonly bucketName: string;
  /** Key prefix the ALB writes under (its `access_logs.prefix`). */
  readonly logPrefix: string;
  /** ARNs of the environment's account and region (the region picks the log-delivery principal). */
  readonly arns: ArnBuilder;
  /** Days access logs are kept. */
  readonly expireAfterDays: number;
  /**
   * Server access logging of this bucket.
   * @default - none
   */
  readonly accessLogs?: SecureBucketProps["accessLogs"];
  /**
   * Allow `terraform destroy` to empty the bucket (throwaway environments only).
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * The ALB access-log bucket: a `SecureBucket` with SSE-S3 (ALB access-log delivery cannot write to SSE-KMS buckets)
 * and a policy letting the region's log delivery write under `<logPrefix>/AWSLogs/<account>/` only.
 */
export class AlbLogBucket extends SecureBucket {
  constructor(scope: Construct, id: string, props: AlbLogBucketProps) {
    const { arns } = props;
    super(scope, id, {
      bucketName: props.bucketName,
      encryption: { kind: "s3" },
      lifecycle: { expireAfterDays: props.expireAfterDays, noncurrentExpireAfterDays: 7 },
      accessLogs: props.accessLogs,
      forceDestroy: props.forceDestroy,
      policyStatements: [albLogDeliveryStatement(arns.region, arns.partition, arns.account, `arn:${arns.partition}:s3:::${props.bucketName}`, props.logPrefix)],
    });
  }
}
