import { statementName, statementsOf } from "../../iam-document";
import { defineRule } from "../../rule";
import { actionCovers, identityAllows, IDENTITY_POLICY_TYPES } from "./identity";

/** Resources that name no particular role: `*`, `…:*`, `…:role/*`. */
const anyRole = (resource: string) => resource === "*" || resource.endsWith(":*") || /:role\/\*$/.test(resource);

/** Project rule (the iam:PassRole part of Checkov CKV_AWS_286, privilege escalation). */
export const passRoleScoped = defineRule({
  id: "AIRFLOW_IAM_PASSROLE_SCOPED",
  aliases: ["CKV_AWS_286"],
  title: "iam:PassRole only on named roles",
  rationale: "iam:PassRole on any role lets a principal hand itself any role's permissions through a new task, instance or function.",
  resourceTypes: IDENTITY_POLICY_TYPES,
  check: (resource) =>
    identityAllows(statementsOf(resource))
      .filter((f) => f.statement.actions.some((a) => actionCovers(a, "iam:PassRole")))
      .flatMap((f) => f.statement.resources.filter(anyRole).map((r) => `${statementName(f)} allows iam:PassRole on ${r}; name the roles it may pass`)),
});
