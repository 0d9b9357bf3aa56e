import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";
import { isApplicationLoadBalancer, LOAD_BALANCER_TYPES } from "./load-balancer";

/** Checkov CKV_AWS_131 (Trivy AVD-AWS-0052). */
export const albDropInvalidHeaders = defineRule({
  id: "CKV_AWS_131",
  aliases: ["AVD-AWS-0052"],
  title: "ALB drops invalid header fields",
  rationale: "Forwarding malformed headers to the api-server opens the door to request smuggling and header injection.",
  resourceTypes: LOAD_BALANCER_TYPES,
  check: (lb) =>
    !isApplicationLoadBalancer(lb) || isTrue(lb.get("drop_invalid_header_fields"))
      ? undefined
      : `drop_invalid_header_fields is ${show(lb.get("drop_invalid_header_fields"))}; set true`,
});
