import { defineRule } from "../../rule";
import { isTrue, show } from "../../values";
import { LOAD_BALANCER_TYPES } from "./load-balancer";

/** Checkov CKV_AWS_150, production environments only. */
export const lbDeletionProtection = defineRule({
  id: "CKV_AWS_150",
  title: "Load balancer deletion protection in production",
  rationale: "Deleting the production ALB drops every user and changes its DNS name; a stray destroy or replace must fail instead.",
  resourceTypes: LOAD_BALANCER_TYPES,
  check: (lb, stack) =>
    !stack.production || isTrue(lb.get("enable_deletion_protection"))
      ? undefined
      : `enable_deletion_protection is ${show(lb.get("enable_deletion_protection"))} in a production environment; set true`,
});
