import { defineRule } from "../../rule";
import { block, blocks, literalString, type Attributes } from "../../values";
import { LISTENER_TYPES } from "./load-balancer";

const redirectsToHttps = (actions: readonly Attributes[]) =>
  actions.length > 0 && actions.every((a) => literalString(a.type) === "redirect" && literalString(block(a.redirect)?.protocol) === "HTTPS");

/** Checkov CKV_AWS_2 and CKV2_AWS_20 (Trivy AVD-AWS-0054). */
export const listenerHttps = defineRule({
  id: "CKV_AWS_2",
  aliases: ["CKV2_AWS_20", "AVD-AWS-0054"],
  title: "Listeners use HTTPS or only redirect to it",
  rationale: "Session cookies, JWTs and passwords must never cross the network in plain HTTP.",
  resourceTypes: LISTENER_TYPES,
  companions: ["aws_lb_listener_rule", "aws_alb_listener_rule"],
  check: (listener, stack) => {
    const raw = listener.get("protocol");
    const protocol = raw === undefined ? "HTTP" : literalString(raw);
    if (protocol !== undefined && protocol !== "HTTP") return undefined;
    const problems: string[] = [];
    if (!redirectsToHttps(blocks(listener.get("default_action")))) {
      problems.push(
        `the listener serves ${protocol ?? "an unresolved protocol"} without redirecting to HTTPS; serve HTTPS with a certificate, or make its default action a redirect to HTTPS`,
      );
    }
    for (const rule of [
      ...stack.referrers("aws_lb_listener_rule", "listener_arn", listener),
      ...stack.referrers("aws_alb_listener_rule", "listener_arn", listener),
    ]) {
      if (!redirectsToHttps(blocks(rule.get("action")))) problems.push(`listener rule ${rule.address} forwards plain HTTP instead of redirecting to HTTPS`);
    }
    return problems;
  },
});
