import { AlbLogBucket } from "../modules/storage/alb-log-delivery";
import { ServerAccessLogBucket } from "../modules/storage/s3-access-log-delivery";
import { SecureBucket } from "../modules/storage/secure-bucket";
import type { StorageStack } from "./storage-stack";

/** The environment's S3 buckets, each logging its access into the access-log bucket. */
export interface EnvironmentBuckets {
  readonly taskLogs: SecureBucket;
  readonly dagBucket: SecureBucket;
  readonly albLogs: SecureBucket;
}

/**
 * The task-log, DAG and ALB-log buckets and the server-access-log bucket they log into. Task logs and DAG code are
 * encrypted with the data key; the log buckets use SSE-S3 (their AWS writers cannot use KMS). Outside production a
 * destroy empties them (`force_destroy`); in production it fails while they hold objects.
 */
export function environmentBuckets(stack: StorageStack, dataKeyArn: string): EnvironmentBuckets {
  const { config, naming, arns } = stack;
  const { storage, production } = config;
  const accessLogs = new ServerAccessLogBucket(stack, "s3-access-logs", {
    bucketName: naming.globalName("s3-access-logs"),
    sourceBuckets: ["task-logs", "alb-logs", "dags"].map((b) => naming.globalName(b)),
    arns,
    forceDestroy: !production,
  });
  const taskLogs = new SecureBucket(stack, "task-logs", {
    bucketName: naming.globalName("task-logs"),
    encryption: { kind: "kms", keyArn: dataKeyArn },
    lifecycle: { expireAfterDays: storage.taskLogExpirationDays, noncurrentExpireAfterDays: 7 },
    accessLogs: accessLogs.target("task-logs"),
    forceDestroy: !production,
  });
  const dagBucket = new SecureBucket(stack, "dag-code", {
    bucketName: naming.globalName("dags"),
    encryption: { kind: "kms", keyArn: dataKeyArn },
    lifecycle: { noncurrentExpireAfterDays: 30 },
    accessLogs: accessLogs.target("dags"),
    forceDestroy: !production,
  });
  const albLogs = new AlbLogBucket(stack, "alb-logs", {
    bucketName: naming.globalName("alb-logs"),
    logPrefix: naming.albLogPrefix,
    arns,
    expireAfterDays: storage.albLogExpirationDays,
    accessLogs: accessLogs.target("alb-logs"),
    forceDestroy: !production,
  });
  return { taskLogs, dagBucket, albLogs };
}
