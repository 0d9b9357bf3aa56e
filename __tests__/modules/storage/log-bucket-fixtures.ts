import { Testing } from "cdktf";
import { ArnBuilder } from "../../../modules/core/arn";
import { AlbLogBucket } from "../../../modules/storage/alb-log-delivery";
import { ServerAccessLogBucket } from "../../../modules/storage/s3-access-log-delivery";

export const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });

/** The two log buckets as the storage stack wires them: the ALB's logs bucket logs its own access into the access-log bucket. */
export function synthLogBuckets() {
  let accessLogs: ServerAccessLogBucket | undefined;
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      accessLogs = new ServerAccessLogBucket(scope, "s3-access-logs", { bucketName: "access-logs", sourceBuckets: ["task-logs", "alb-logs"], arns });
      new AlbLogBucket(scope, "alb-logs", { bucketName: "alb-logs", logPrefix: "alb", arns, expireAfterDays: 30, accessLogs: accessLogs.target("alb-logs") });
    }),
  );
  const of = (type: string, name: string) =>
    Object.entries(json.resource[type] as Record<string, Record<string, any>>).find(([id]) => id.startsWith(`${name}_`))![1];
  const statements = (name: string) => JSON.parse(of("aws_s3_bucket_policy", name).policy).Statement as Record<string, any>[];
  return { json, of, statements, accessLogs: accessLogs! };
}
