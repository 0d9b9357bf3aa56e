import { defineRule } from "../../rule";
import { literalString, strings } from "../../values";

/** The log type each engine must export at least. */
const MAIN_LOG: Readonly<Record<string, string>> = { postgres: "postgresql", mysql: "error", mariadb: "error" };

/** Checkov CKV_AWS_129. */
export const rdsLogExports = defineRule({
  id: "CKV_AWS_129",
  title: "RDS log exports",
  rationale: "Connection failures, slow statements and DDL are only visible (and alarmable) once exported to CloudWatch Logs.",
  resourceTypes: ["aws_db_instance"],
  check: (db) => {
    const exported = strings(db.get("enabled_cloudwatch_logs_exports"));
    if (exported.length === 0) return "enabled_cloudwatch_logs_exports is empty; export the engine's logs to CloudWatch";
    const needed = MAIN_LOG[literalString(db.get("engine")) ?? ""];
    return needed && !exported.includes(needed) ? `enabled_cloudwatch_logs_exports lacks "${needed}"` : undefined;
  },
});
