import { defineRule } from "../../rule";
import { literalNumber, show } from "../../values";

/** Checkov CKV_AWS_66. */
export const logGroupRetention = defineRule({
  id: "CKV_AWS_66",
  title: "Log groups have a retention",
  rationale: "Without retention, logs (and whatever secrets a misbehaving task printed) are kept and billed forever.",
  resourceTypes: ["aws_cloudwatch_log_group"],
  check: (group) => {
    const raw = group.get("retention_in_days");
    const days = literalNumber(raw);
    return days !== undefined && days > 0 ? undefined : `retention_in_days is ${show(raw)}; set a retention`;
  },
});
