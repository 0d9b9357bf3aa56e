import { POLICY_DOCUMENT_TYPES, statementName, statementsOf, type FoundStatement } from "../../iam-document";
import type { ResourceView } from "../../resource-view";
import { defineRule } from "../../rule";

const ROOT = /^arn:aws[a-z-]*:iam::\d{12}:root$/;

/** The default key policy statement: the account root administers the key and delegates its use to IAM. */
function isKeyAdministration(resource: ResourceView, f: FoundStatement): boolean {
  if (resource.type !== "aws_kms_key" || f.statement.actions.some((a) => a !== "kms:*")) return false;
  const principal = f.statement.principal as { AWS?: unknown } | undefined;
  const accounts = [principal?.AWS].flat();
  return accounts.length > 0 && accounts.every((p) => typeof p === "string" && ROOT.test(p));
}

/** Checkov CKV_AWS_63 and CKV_AWS_62 (cdk-nag AwsSolutions-IAM5). */
export const noWildcardActions = defineRule({
  id: "CKV_AWS_63",
  aliases: ["CKV_AWS_62", "AwsSolutions-IAM5"],
  title: "No wildcard actions in Allow statements",
  rationale:
    "`service:*` grants every action the service will ever add; each grant names the actions it needs (the KMS key-administration root statement excepted).",
  resourceTypes: POLICY_DOCUMENT_TYPES,
  check: (resource) =>
    statementsOf(resource)
      .filter((f) => f.statement.effect === "Allow" && !isKeyAdministration(resource, f))
      .flatMap((f) => [
        ...f.statement.actions.filter((a) => a.includes("*")).map((a) => `${statementName(f)} allows the wildcard action ${a}`),
        ...(f.statement.notActions.length > 0 ? [`${statementName(f)} allows NotAction (everything but ${f.statement.notActions.join(", ")})`] : []),
      ]),
});
