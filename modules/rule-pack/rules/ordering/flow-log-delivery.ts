import { defineRule } from "../../rule";
import { literalString } from "../../values";
import { BUCKET_GRANT_TYPES, bucketGrants, missingPrerequisites, namedResource, ROLE_PERMISSION_TYPES, rolePermissions } from "./dependencies";

/** A flow log starts only after its destination and its delivery role's permissions exist. */
export const orderFlowLogDelivery = defineRule({
  id: "AIRFLOW_ORDER_FLOW_LOG_DELIVERY",
  title: "Flow log after its destination and delivery permissions",
  rationale:
    'EC2 creates a flow log without checking that its role may write to the destination; delivery then fails with "Access error", so the log group or bucket policy and the role\'s policies must exist first.',
  resourceTypes: ["aws_flow_log"],
  companions: ["aws_iam_role", ...ROLE_PERMISSION_TYPES, "aws_cloudwatch_log_group", "aws_s3_bucket", ...BUCKET_GRANT_TYPES],
  check: (flowLog, stack) => {
    const destination = flowLog.get("log_destination") ?? flowLog.get("log_group_name");
    const toS3 = literalString(flowLog.get("log_destination_type")) === "s3";
    const logGroup = toS3 ? undefined : namedResource(stack, ["aws_cloudwatch_log_group"], destination, ["name", "arn"]);
    return missingPrerequisites(stack, flowLog, [
      ...(logGroup ? [{ resource: logGroup, role: "its log group" }] : []),
      ...(toS3 ? bucketGrants(stack, destination, "the destination bucket") : []),
      ...rolePermissions(stack, flowLog.get("iam_role_arn"), "the delivery role"),
    ]);
  },
});
