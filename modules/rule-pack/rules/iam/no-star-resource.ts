import { UNSCOPED_ACTIONS } from "../../../iam/grants";
import { statementName, statementsOf } from "../../iam-document";
import { defineRule } from "../../rule";
import { identityAllows, IDENTITY_POLICY_TYPES } from "./identity";

const unscoped = new Set(UNSCOPED_ACTIONS.map((a) => a.toLowerCase()));

/** Checkov CKV_AWS_355 and CKV_AWS_290 (cdk-nag AwsSolutions-IAM5). */
export const noStarResource = defineRule({
  id: "CKV_AWS_355",
  aliases: ["CKV_AWS_290", "AwsSolutions-IAM5"],
  title: 'Resource "*" only for actions AWS cannot scope',
  rationale:
    'An action on Resource "*" reaches every resource of the account, other environments included; "*" is left to the actions listed in UNSCOPED_ACTIONS.',
  resourceTypes: IDENTITY_POLICY_TYPES,
  check: (resource) =>
    identityAllows(statementsOf(resource))
      .filter((f) => f.statement.resources.includes("*"))
      .flatMap((f) => {
        const scoped = f.statement.actions.filter((a) => !unscoped.has(a.toLowerCase()));
        return scoped.length > 0
          ? [`${statementName(f)} allows ${scoped.join(", ")} on Resource "*"; name the resources (only UNSCOPED_ACTIONS may use "*")`]
          : [];
      }),
});
