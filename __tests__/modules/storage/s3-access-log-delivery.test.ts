import { Testing } from "cdktf";
import { ArnBuilder } from "../../../modules/core/arn";
import { AlbLogBucket } from "../../../modules/storage/alb-log-delivery";
import { ServerAccessLogBucket, serverAccessLogDeliveryStatement } from "../../../modules/storage/s3-access-log-delivery";

const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });

function synth() {
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

describe("ServerAccessLogBucket", () => {
  it("uses SSE-S3 (server access logging cannot write to SSE-KMS) and keeps logs a year", () => {
    const { of } = synth();
    expect(of("aws_s3_bucket_server_side_encryption_configuration", "s3-access-logs").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(of("aws_s3_bucket_lifecycle_configuration", "s3-access-logs").rule.find((r: any) => r.id === "expire-objects").expiration).toEqual([{ days: 365 }]);
  });

  it("lets S3 logging deliver for its source buckets of this account only, after the TLS-only denies", () => {
    // GIVEN two source buckets THEN the delivery statement names them and the account
    const delivery = synth().statements("s3-access-logs");
    expect(delivery.map((s) => s.Sid)).toEqual(["DenyInsecureTransport", "DenyOutdatedTls", "ServerAccessLogDelivery"]);
    expect(delivery[2]).toEqual({
      Sid: "ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: ["logging.s3.amazonaws.com"] },
      Action: ["s3:PutObject"],
      Resource: ["arn:aws:s3:::access-logs/*"],
      Condition: {
        StringEquals: { "aws:SourceAccount": ["111111111111"] },
        ArnLike: { "aws:SourceArn": ["arn:aws:s3:::task-logs", "arn:aws:s3:::alb-logs"] },
      },
    });
    expect(serverAccessLogDeliveryStatement(arns, "access-logs", []).conditions![1].values).toEqual([]);
  });

  it("gives a source bucket its logging target under the source's prefix", () => {
    const { of } = synth();
    expect(of("aws_s3_bucket_logging", "alb-logs")).toMatchObject({ target_prefix: "alb-logs/" });
  });
});
