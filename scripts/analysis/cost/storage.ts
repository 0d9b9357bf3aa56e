/** Storage priced with assumed usage (the table's `usage`): EFS, S3 buckets, ECR repositories, CloudWatch Logs ingestion. */
import { counted, fixed, usd, type CostScope, type LineItem } from "./pricing";

export function storageItems({ table: t, of }: CostScope): LineItem[] {
  const efs = of("aws_efs_file_system").length;
  const buckets = of("aws_s3_bucket").length;
  const repositories = of("aws_ecr_repository").length;
  const logGroups = of("aws_cloudwatch_log_group").length;
  return [
    ...fixed(
      `EFS Standard (${counted(efs, "file system")}, assumed ${t.usage.efsGb} GB each)`,
      "aws_efs_file_system",
      efs * t.usage.efsGb,
      efs * t.usage.efsGb * t.efsStandardGbMonth,
      `${efs} × ${t.usage.efsGb} GB × ${usd(t.efsStandardGbMonth)}/GB-month`,
    ),
    ...fixed(
      `S3 Standard (${counted(buckets, "bucket")}, assumed ${t.usage.s3GbPerBucket} GB each)`,
      "aws_s3_bucket",
      buckets * t.usage.s3GbPerBucket,
      buckets * t.usage.s3GbPerBucket * t.s3StandardGbMonth,
      `${buckets} × ${t.usage.s3GbPerBucket} GB × ${usd(t.s3StandardGbMonth)}/GB-month`,
    ),
    ...fixed(
      `ECR storage (${counted(repositories, "repository", "repositories")}, assumed ${t.usage.ecrGbPerRepository} GB each)`,
      "aws_ecr_repository",
      repositories * t.usage.ecrGbPerRepository,
      repositories * t.usage.ecrGbPerRepository * t.ecrStorageGbMonth,
      `${repositories} × ${t.usage.ecrGbPerRepository} GB × ${usd(t.ecrStorageGbMonth)}/GB-month`,
    ),
    ...fixed(
      `CloudWatch Logs ingestion (${counted(logGroups, "log group")}, assumed ${t.usage.logsGbPerLogGroup} GB/month each)`,
      "aws_cloudwatch_log_group",
      logGroups * t.usage.logsGbPerLogGroup,
      logGroups * t.usage.logsGbPerLogGroup * t.cloudwatchLogsIngestionGb,
      `${logGroups} × ${t.usage.logsGbPerLogGroup} GB × ${usd(t.cloudwatchLogsIngestionGb)}/GB`,
    ),
  ];
}
