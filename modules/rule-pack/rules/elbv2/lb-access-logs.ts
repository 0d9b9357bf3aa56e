import { defineRule } from "../../rule";
import { block, isTrue } from "../../values";
import { LOAD_BALANCER_TYPES } from "./load-balancer";

/** Checkov CKV_AWS_91 (cdk-nag AwsSolutions-ELB2). */
export const lbAccessLogs = defineRule({
  id: "CKV_AWS_91",
  aliases: ["AwsSolutions-ELB2"],
  title: "Load balancer access logs",
  rationale: "Access logs are the only record of who called the UI and API, and of the requests WAF let through.",
  resourceTypes: LOAD_BALANCER_TYPES,
  check: (lb) => {
    const logs = block(lb.get("access_logs"));
    if (!logs || !isTrue(logs.enabled)) return "access logs are not enabled (access_logs { enabled = true })";
    return logs.bucket === undefined || logs.bucket === "" ? "access_logs names no bucket" : undefined;
  },
});
