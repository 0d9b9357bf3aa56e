import { defineRule } from "../../rule";
import { literalNumber, show } from "../../values";

/** Checkov CKV_AWS_115. */
export const lambdaReservedConcurrency = defineRule({
  id: "CKV_AWS_115",
  title: "Lambda reserved concurrency",
  rationale: "A runaway trigger must not open hundreds of database connections or starve the account's other functions.",
  resourceTypes: ["aws_lambda_function"],
  check: (fn) => {
    const raw = fn.get("reserved_concurrent_executions");
    const value = literalNumber(raw);
    return value !== undefined && value >= 0 ? undefined : `reserved_concurrent_executions is ${show(raw)}; set a small explicit limit`;
  },
});
