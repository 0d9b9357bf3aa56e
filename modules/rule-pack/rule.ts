import type { ResourceView } from "./resource-view";
import type { StackContext } from "./stack-context";

/** What a rule's check returns: nothing (compliant), one message, or one message per problem found. */
export type CheckResult = string | readonly string[] | undefined;

/**
 * One synth-time security rule: it inspects every resource of its `resourceTypes` (with the stack's other resources
 * at hand for companion checks) and returns a message per problem. Rules are pure: they never mutate the tree.
 */
export interface PolicyRule {
  /**
   * The rule's id: the Checkov id it mirrors (e.g. `CKV_AWS_131`), else the cdk-nag id (`AwsSolutions-ECS7`), else a
   * project id (`AIRFLOW_…`) where no public check exists. Suppressions name it.
   */
  readonly id: string;
  /** Other public ids that check the same thing (cdk-nag, Trivy, further Checkov ids). */
  readonly aliases: readonly string[];
  /** A few words, for listings. */
  readonly title: string;
  /** One line: why it matters. */
  readonly rationale: string;
  /** Terraform resource types the rule inspects (`provider.aws` for the AWS provider block). */
  readonly resourceTypes: readonly string[];
  /** Types the rule reads to judge them: companions that must sit in the same stack (a VPC's flow log). */
  readonly companions: readonly string[];
  readonly check: (resource: ResourceView, context: StackContext) => CheckResult;
}

const RULE_ID = /^(CKV2?_AWS_\d+|AwsSolutions-[A-Z0-9]+|AIRFLOW_[A-Z0-9_]+)$/;

/** Declares a rule, checking its id and metadata once at load time. */
export function defineRule(
  rule: Omit<PolicyRule, "aliases" | "companions"> & { readonly aliases?: readonly string[]; readonly companions?: readonly string[] },
): PolicyRule {
  if (!RULE_ID.test(rule.id))
    throw new Error(`policy rule id "${rule.id}" must be a Checkov (CKV_AWS_n, CKV2_AWS_n), cdk-nag (AwsSolutions-X) or project (AIRFLOW_X) id`);
  if (rule.resourceTypes.length === 0) throw new Error(`policy rule ${rule.id} inspects no resource type`);
  if (!rule.rationale.trim() || rule.rationale.includes("\n")) throw new Error(`policy rule ${rule.id} needs a one-line rationale`);
  return { ...rule, aliases: rule.aliases ?? [], companions: rule.companions ?? [] };
}

/** Normalizes a check result to a list of messages. */
export function messagesOf(result: CheckResult): readonly string[] {
  if (result === undefined) return [];
  return typeof result === "string" ? [result] : result;
}
