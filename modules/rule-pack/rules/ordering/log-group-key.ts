import { defineRule } from "../../rule";
import { missingPrerequisites, namedResource } from "./dependencies";

/** A KMS-encrypted log group is created only after its key and the key's policy. */
export const orderLogGroupKey = defineRule({
  id: "AIRFLOW_ORDER_LOG_GROUP_KEY",
  title: "Encrypted log group after its key policy",
  rationale:
    'CloudWatch Logs checks the key when the log group is created ("The specified KMS key does not exist or is not allowed to be used with Arn ..."): the key and a separate aws_kms_key_policy must exist first.',
  resourceTypes: ["aws_cloudwatch_log_group"],
  companions: ["aws_kms_key", "aws_kms_key_policy"],
  check: (logGroup, stack) => {
    const key = namedResource(stack, ["aws_kms_key"], logGroup.get("kms_key_id"), ["arn"]);
    if (!key) return undefined;
    const policies = stack.referrers("aws_kms_key_policy", "key_id", key).map((policy) => ({ resource: policy, role: "the key's policy" }));
    return missingPrerequisites(stack, logGroup, [{ resource: key, role: "its KMS key" }, ...policies]);
  },
});
