import { defineRule } from "../../rule";
import { missingPrerequisites, namedResource } from "./dependencies";

/** An HTTPS listener uses an ACM certificate of the stack only after its validation completes. */
export const orderListenerCertificate = defineRule({
  id: "AIRFLOW_ORDER_LISTENER_CERTIFICATE",
  title: "HTTPS listener after the certificate's validation",
  rationale:
    "Elastic Load Balancing refuses a certificate still pending validation (UnsupportedCertificate), and aws_acm_certificate does not wait for it: the listener must wait for aws_acm_certificate_validation.",
  resourceTypes: ["aws_lb_listener", "aws_alb_listener", "aws_lb_listener_certificate", "aws_alb_listener_certificate"],
  companions: ["aws_acm_certificate", "aws_acm_certificate_validation"],
  check: (listener, stack) => {
    const certificate = namedResource(stack, ["aws_acm_certificate"], listener.get("certificate_arn"), ["arn"]);
    if (!certificate) return undefined;
    const validations = stack.referrers("aws_acm_certificate_validation", "certificate_arn", certificate);
    if (validations.length === 0) return `no aws_acm_certificate_validation in this stack waits for ${certificate.address} to be issued`;
    return missingPrerequisites(
      stack,
      listener,
      validations.map((validation) => ({ resource: validation, role: "the certificate's validation" })),
    );
  },
});
