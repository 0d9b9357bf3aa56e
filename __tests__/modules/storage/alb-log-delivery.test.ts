import { Testing } from "cdktf";
import { ArnBuilder } from "../../../modules/core/arn";
import { AlbLogBucket } from "../../../modules/storage/alb-log-delivery";
import { ServerAccessLogBucket } from "../../../modules/storage/s3-access-log-delivery";

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

describe("AlbLogBucket", () => {
  it("uses SSE-S3 (ALB log delivery cannot write to SSE-KMS) and expires logs after the configured days", () => {
    const { of } = synth();
    expect(of("aws_s3_bucket_server_side_encryption_configuration", "alb-logs").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(of("aws_s3_bucket_lifecycle_configuration", "alb-logs").rule.find((r: any) => r.id === "expire-objects").expiration).toEqual([{ days: 30 }]);
  });

  it("lets the region's ELB account write under <prefix>/AWSLogs/<account>/ only", () => {
    // GIVEN eu-west-1 (an ELB account region) THEN the principal is that account and the path is the ALB's prefix
    const delivery = synth()
      .statements("alb-logs")
      .find((s) => s.Sid === "AlbAccessLogDelivery")!;
    expect(delivery.Principal).toEqual({ AWS: ["arn:aws:iam::156460612806:root"] });
    expect(delivery.Resource).toEqual(["arn:aws:s3:::alb-logs/alb/AWSLogs/111111111111/*"]);
  });
});
