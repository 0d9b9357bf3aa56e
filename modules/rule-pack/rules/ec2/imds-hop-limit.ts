import { defineRule } from "../../rule";
import { block, literalNumber, literalString, show } from "../../values";

/** Checkov CKV_AWS_341. */
export const imdsHopLimit = defineRule({
  id: "CKV_AWS_341",
  title: "IMDS hop limit 1",
  rationale: "With a hop limit of 1 containers on the host cannot reach the instance metadata service and the instance role's credentials.",
  resourceTypes: ["aws_launch_template", "aws_instance"],
  check: (resource) => {
    const options = block(resource.get("metadata_options"));
    if (literalString(options?.http_endpoint) === "disabled") return undefined;
    const limit = options?.http_put_response_hop_limit;
    return literalNumber(limit) === 1 ? undefined : `metadata_options.http_put_response_hop_limit is ${show(limit)}; set 1`;
  },
});
