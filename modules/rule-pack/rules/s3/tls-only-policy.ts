import type { ResourceView } from "../../resource-view";
import { policyDocuments, type PolicyStatementView } from "../../iam-document";
import { defineRule } from "../../rule";
import { companionsOf } from "./companions";

const everyone = (principal: unknown) =>
  principal === "*" || (typeof principal === "object" && principal !== null && [(principal as { AWS?: unknown }).AWS].flat().includes("*"));

/** A Deny of every S3 action for requests with aws:SecureTransport = false, for everyone. */
export const deniesInsecureTransport = (s: PolicyStatementView) =>
  s.effect === "Deny" &&
  everyone(s.principal) &&
  s.actions.some((a) => a === "s3:*" || a === "*") &&
  (s.conditions.Bool?.["aws:SecureTransport"] ?? []).includes("false");

/** cdk-nag AwsSolutions-S10 (Checkov has no equivalent: CKV_AWS_379 reads ACLs only). */
export const s3TlsOnlyPolicy = defineRule({
  id: "AwsSolutions-S10",
  title: "S3 bucket policy requires TLS",
  rationale: "Without a Deny on aws:SecureTransport = false, any client may read or write the bucket over plain HTTP.",
  resourceTypes: ["aws_s3_bucket"],
  companions: ["aws_s3_bucket_policy"],
  check: (bucket, stack) => {
    const policies: ResourceView[] = [...companionsOf(stack, bucket, "aws_s3_bucket_policy"), ...(bucket.get("policy") !== undefined ? [bucket] : [])];
    if (policies.length === 0) return "no bucket policy in this stack denies requests without TLS";
    const statements = policies.flatMap((p) => policyDocuments(p).flatMap((d) => ("statements" in d ? d.statements : [])));
    return statements.some(deniesInsecureTransport) ? undefined : 'the bucket policy has no Deny of s3:* for everyone when aws:SecureTransport is "false"';
  },
});
