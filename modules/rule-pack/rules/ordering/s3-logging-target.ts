import { defineRule } from "../../rule";
import { BUCKET_GRANT_TYPES, bucketGrants, missingPrerequisites } from "./dependencies";

/** Server access logging is switched on only after the target bucket admits the logging service. */
export const orderS3LoggingTarget = defineRule({
  id: "AIRFLOW_ORDER_S3_LOGGING_TARGET",
  title: "S3 access logging after the target bucket's grants",
  rationale:
    "PutBucketLogging checks the target bucket (InvalidTargetBucketForLogging), and with ACLs disabled only its bucket policy admits logging.s3.amazonaws.com: the policy, ownership controls and ACL must exist first or the first apply fails.",
  resourceTypes: ["aws_s3_bucket_logging"],
  companions: ["aws_s3_bucket", ...BUCKET_GRANT_TYPES],
  check: (logging, stack) => missingPrerequisites(stack, logging, bucketGrants(stack, logging.get("target_bucket"), "the target bucket")),
});
