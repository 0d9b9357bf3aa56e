import { synthLogBuckets } from "./log-bucket-fixtures";

describe("AlbLogBucket", () => {
  it("uses SSE-S3 (ALB log delivery cannot write to SSE-KMS) and expires logs after the configured days", () => {
    const { of } = synthLogBuckets();
    expect(of("aws_s3_bucket_server_side_encryption_configuration", "alb-logs").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(of("aws_s3_bucket_lifecycle_configuration", "alb-logs").rule.find((r: any) => r.id === "expire-objects").expiration).toEqual([{ days: 30 }]);
  });

  it("lets the region's ELB account write under <prefix>/AWSLogs/<account>/ only", () => {
    // GIVEN eu-west-1 (an ELB account region) THEN the principal is that account and the path is the ALB's prefix
    const delivery = synthLogBuckets()
      .statements("alb-logs")
      .find((s) => s.Sid === "AlbAccessLogDelivery")!;
    expect(delivery.Principal).toEqual({ AWS: ["arn:aws:iam::156460612806:root"] });
    expect(delivery.Resource).toEqual(["arn:aws:s3:::alb-logs/alb/AWSLogs/111111111111/*"]);
  });
});
