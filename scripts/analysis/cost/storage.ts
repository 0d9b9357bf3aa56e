/**
 * Storage priced with assumed usage (the table's `usage`): EFS, S3 buckets, ECR repositories, CloudWatch Logs
 * ingestion (but for the EMF log group, estimated in cost/metrics.ts).
 */
import { emfLogGroups } from "./metrics";
import { counted, fixed, usd, type CostScope, type LineItem } from "./pricing";

export function storageItems(scope: CostScope): LineItem[] {
  const { table: t, of, literal } = scope;
  const efs = of("aws_efs_file_system").length;
  const buckets = of("aws_s3_bucket").length;
  const repositories = of("aws_ecr_repository").length;
  // The EMF log group's ingestion is estimated from its metrics (cost/metrics.ts), not assumed.
  const emf = emfLogGroups(scope);
  const logGroups = of("aws_cloudwatch_log_group").filter((g) => !emf.has(String(literal(g, "name")))).length;
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
