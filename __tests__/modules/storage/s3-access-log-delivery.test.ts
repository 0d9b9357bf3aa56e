import { serverAccessLogDeliveryStatement } from "../../../modules/storage/s3-access-log-delivery";
import { arns, synthLogBuckets } from "./log-bucket-fixtures";

describe("ServerAccessLogBucket", () => {
  it("uses SSE-S3 (server access logging cannot write to SSE-KMS) and keeps logs a year", () => {
    const { of } = synthLogBuckets();
    expect(of("aws_s3_bucket_server_side_encryption_configuration", "s3-access-logs").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(of("aws_s3_bucket_lifecycle_configuration", "s3-access-logs").rule.find((r: any) => r.id === "expire-objects").expiration).toEqual([{ days: 365 }]);
  });

  it("lets S3 logging deliver for its source buckets of this account only, after the TLS-only denies", () => {
    // GIVEN two source buckets THEN the delivery statement names them and the account
    const delivery = synthLogBuckets().statements("s3-access-logs");
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
    const { of } = synthLogBuckets();
    expect(of("aws_s3_bucket_logging", "alb-logs")).toMatchObject({ target_prefix: "alb-logs/" });
  });
});
