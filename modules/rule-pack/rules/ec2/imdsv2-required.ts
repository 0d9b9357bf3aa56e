import { defineRule } from "../../rule";
import { block, literalString, show } from "../../values";

/** Checkov CKV_AWS_79 (Trivy AVD-AWS-0028 / AVD-AWS-0130). */
export const imdsv2Required = defineRule({
  id: "CKV_AWS_79",
  aliases: ["AVD-AWS-0028", "AVD-AWS-0130"],
  title: "IMDSv2 required",
  rationale: "IMDSv1 answers any SSRF-style GET with the instance role's credentials; session tokens (IMDSv2) stop that.",
  resourceTypes: ["aws_launch_template", "aws_instance"],
  check: (resource) => {
    const options = block(resource.get("metadata_options"));
    if (literalString(options?.http_endpoint) === "disabled") return undefined;
    const tokens = options?.http_tokens;
    return literalString(tokens) === "required" ? undefined : `metadata_options.http_tokens is ${show(tokens)}; set "required" (IMDSv2 only)`;
  },
});
