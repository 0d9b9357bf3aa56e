/**
 * The synth-time security rule pack: cdktf Aspects that decode what Checkov cannot (container definitions, IAM
 * policy JSON), check companions within a stack, know each stack's environment, and fail synth on any finding that
 * no suppression with a written reason accepts.
 */
export { applyPolicies, type PolicyOptions } from "./apply";
export { PolicyAspect, type StaleSuppressionLevel } from "./aspect";
export { PolicyEngine, type EngineOptions } from "./engine";
export { environmentFromStackConfig, type EnvironmentInfo, type EnvironmentResolver } from "./environment";
export { renderPolicyMarkdown, renderRulesMarkdown, renderSuppressionsMarkdown } from "./markdown";
export * from "./packs";
export { formatFinding, formatStale, PolicyReport, type Finding, type StackEvaluation, type StaleSuppression } from "./report";
export { ResourceView } from "./resource-view";
export { defineRule, type CheckResult, type PolicyRule } from "./rule";
export { StackContext } from "./stack-context";
export { SuppressionError, validateSuppressions, type Suppression } from "./suppression";
export { SUPPRESSIONS } from "./accepted-findings";
