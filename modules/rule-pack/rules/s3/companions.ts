import type { ResourceView } from "../../resource-view";
import type { StackContext } from "../../stack-context";
import { block, blocks, literalString, type Attributes } from "../../values";

/**
 * A bucket's companion resources (public-access block, encryption, versioning, policy, lifecycle, logging) of the
 * same stack: those whose `bucket` refers to it, or names it literally. Companions in other stacks do not count: a
 * reviewer, a scanner and `terraform destroy` all see a stack on its own.
 */
export function companionsOf(stack: StackContext, bucket: ResourceView, type: string): readonly ResourceView[] {
  return stack.referrers(type, "bucket", bucket, ["bucket"]);
}

/** Default-encryption rules of a bucket: its companion configuration, else the deprecated inline block. */
export function encryptionRules(stack: StackContext, bucket: ResourceView): Attributes[] {
  const companions = companionsOf(stack, bucket, "aws_s3_bucket_server_side_encryption_configuration");
  if (companions.length > 0) return companions.flatMap((c) => blocks(c.get("rule")));
  return blocks(block(bucket.get("server_side_encryption_configuration"))?.rule);
}

/** The algorithm of an encryption rule (`AES256`, `aws:kms`, `aws:kms:dsse`). */
export const algorithmOf = (rule: Attributes) => literalString(block(rule.apply_server_side_encryption_by_default)?.sse_algorithm);

export const S3_COMPANION_TYPES = [
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_logging",
] as const;
