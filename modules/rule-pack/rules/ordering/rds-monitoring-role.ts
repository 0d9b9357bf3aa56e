import { defineRule } from "../../rule";
import { missingPrerequisites, ROLE_PERMISSION_TYPES, rolePermissions } from "./dependencies";

/** An RDS instance with enhanced monitoring is created only after the monitoring role carries its permissions. */
export const orderRdsMonitoringRole = defineRule({
  id: "AIRFLOW_ORDER_RDS_MONITORING_ROLE",
  title: "RDS instance after its monitoring role's policies",
  rationale:
    'RDS checks the enhanced-monitoring role when it creates the instance ("IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING"): its policies must be attached first.',
  resourceTypes: ["aws_db_instance", "aws_rds_cluster_instance"],
  companions: ["aws_iam_role", ...ROLE_PERMISSION_TYPES],
  check: (instance, stack) => missingPrerequisites(stack, instance, rolePermissions(stack, instance.get("monitoring_role_arn"), "the monitoring role")),
});
