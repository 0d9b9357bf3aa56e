import { TerraformStack, Testing } from "cdktf";
import { PolicyEngine } from "../../../modules/rule-pack/engine";
import type { EnvironmentInfo } from "../../../modules/rule-pack/environment";
import type { PolicyRule } from "../../../modules/rule-pack/rule";

export const DEV: EnvironmentInfo = { name: "dev", production: false, secretArnPrefix: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/" };
export const PROD: EnvironmentInfo = { name: "prod", production: true, secretArnPrefix: "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/" };

export interface RuleFinding {
  readonly rule: string;
  readonly address: string;
  readonly message: string;
}

/**
 * Builds a fixture stack (`fixture`, resources at its top level, so addresses are `type.<construct id>`), evaluates
 * one rule on it in the given environment (`null` = a stack outside any environment) and returns its findings.
 */
export function check(rule: PolicyRule, build: (stack: TerraformStack) => void, environment: EnvironmentInfo | null = DEV): RuleFinding[] {
  const stack = new TerraformStack(Testing.app(), "fixture");
  build(stack);
  return evaluate(rule, stack, environment);
}

/** Evaluates one rule on an existing stack. */
export function evaluate(rule: PolicyRule, stack: TerraformStack, environment: EnvironmentInfo | null = DEV): RuleFinding[] {
  const engine = new PolicyEngine({ pack: { name: rule.id, description: "fixture", rules: [rule] }, environmentOf: () => environment ?? undefined });
  return engine.evaluate(stack).findings.map((f) => ({ rule: f.rule, address: f.address, message: f.message }));
}
