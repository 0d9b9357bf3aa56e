import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";

/** Checkov CKV_AWS_353 (Trivy AVD-AWS-0133), production environments only. */
export const rdsPerformanceInsights = defineRule({
  id: "CKV_AWS_353",
  aliases: ["AVD-AWS-0133"],
  title: "RDS Performance Insights in production",
  rationale: "Scheduler slowdowns are usually database waits; Performance Insights is how they are found in production.",
  resourceTypes: ["aws_db_instance"],
  check: (db, stack) =>
    !stack.production || isTrue(db.get("performance_insights_enabled"))
      ? undefined
      : `performance_insights_enabled is ${show(db.get("performance_insights_enabled"))} in a production environment; set true`,
});
