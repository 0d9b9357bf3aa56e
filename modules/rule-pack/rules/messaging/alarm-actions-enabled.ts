import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";

/** Checkov CKV_AWS_319. */
export const alarmActionsEnabled = defineRule({
  id: "CKV_AWS_319",
  title: "Alarm actions enabled",
  rationale: "An alarm with its actions disabled changes state silently: nobody is paged.",
  resourceTypes: ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"],
  check: (alarm) => {
    const value = alarm.get("actions_enabled");
    return value === undefined || isTrue(value) ? undefined : `actions_enabled is ${show(value)}; alarms must notify`;
  },
});
