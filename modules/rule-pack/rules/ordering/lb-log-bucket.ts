import { defineRule } from "../../rule";
import { blocks, isFalse } from "../../values";
import { BUCKET_GRANT_TYPES, bucketGrants, missingPrerequisites } from "./dependencies";

/** Load balancer access and connection logs are switched on only after the log bucket admits Elastic Load Balancing. */
export const orderLbLogBucket = defineRule({
  id: "AIRFLOW_ORDER_LB_LOG_BUCKET",
  title: "Load balancer logs after the log bucket's policy",
  rationale:
    'Elastic Load Balancing writes a test object when logging is switched on and refuses the attribute ("Access Denied for bucket ... Please check S3bucket permission") until the bucket policy grants it.',
  resourceTypes: ["aws_lb", "aws_alb"],
  companions: ["aws_s3_bucket", ...BUCKET_GRANT_TYPES],
  check: (lb, stack) =>
    missingPrerequisites(
      stack,
      lb,
      ["access_logs", "connection_logs"].flatMap((kind) =>
        blocks(lb.get(kind))
          .filter((logs) => !isFalse(logs.enabled))
          .flatMap((logs) => bucketGrants(stack, logs.bucket, `the ${kind.replace("_", " ")} bucket`)),
      ),
    ),
});
