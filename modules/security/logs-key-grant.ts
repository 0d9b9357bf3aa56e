import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import type { PolicyStatement } from "../iam/policy-document";

/**
 * Key-policy statement letting CloudWatch Logs of the environment's region use a KMS key, only for the log groups the
 * encryption context names: the environment's own (`/<prefix>/<env>/*`) and those RDS creates for its log exports.
 */
export function cloudWatchLogsKeyGrant(arns: ArnBuilder, naming: Naming): PolicyStatement {
  return {
    sid: "CloudWatchLogsUseKey",
    actions: [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ],
    resources: ["*"],
    principals: [{ type: "Service", identifiers: [`logs.${arns.region}.amazonaws.com`] }],
    conditions: [
      {
        test: "ArnLike",
        variable: "kms:EncryptionContext:aws:logs:arn",
        values: [arns.of("logs", `log-group:${naming.logGroupPrefix}/*`), arns.of("logs", `log-group:/aws/rds/instance/${naming.base}-*`)],
      },
    ],
  };
}
