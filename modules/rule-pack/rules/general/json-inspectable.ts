import { containerDefinitions } from "../../container-definitions";
import { policyDocuments, POLICY_DOCUMENT_TYPES } from "../../iam-document";
import { defineRule } from "../../rule";

/** Project rule: the JSON-string attributes the other rules decode must be literal JSON (Checkov section 1.1 blind spots). */
export const jsonInspectable = defineRule({
  id: "AIRFLOW_JSON_INSPECTABLE",
  title: "Policies and container definitions are inspectable JSON",
  rationale:
    "Policies from jsonencode() or data sources and container definitions from references cannot be decoded at synth, so no rule could vouch for them.",
  resourceTypes: [...POLICY_DOCUMENT_TYPES, "aws_ecs_task_definition"],
  check: (resource) => {
    if (resource.type === "aws_ecs_task_definition") {
      const decoded = containerDefinitions(resource);
      return "error" in decoded ? decoded.error : undefined;
    }
    return policyDocuments(resource).flatMap((d) => ("error" in d ? [d.error] : []));
  },
});
