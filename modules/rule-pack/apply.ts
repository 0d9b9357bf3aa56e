import { Aspects, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { PolicyAspect, type StaleSuppressionLevel } from "./aspect";
import { PolicyEngine } from "./engine";
import type { EnvironmentResolver } from "./environment";
import { AIRFLOW_ECS_PACK, type RulePack } from "./packs";
import { PolicyReport } from "./report";
import type { Suppression } from "./suppression";
import { SUPPRESSIONS } from "./accepted-findings";

export interface PolicyOptions {
  /** @default AIRFLOW_ECS_PACK (every rule) */
  readonly pack?: RulePack;
  /** @default SUPPRESSIONS (modules/rule-pack/accepted-findings.ts) */
  readonly suppressions?: readonly Suppression[];
  /**
   * How a stack's environment is found: by default from the `config` every environment stack carries
   * (`environmentFromStackConfig`); stacks without one (state bootstraps) get the production rules.
   */
  readonly environmentOf?: EnvironmentResolver;
  /** @default "warn" (an annotation `cdktf synth` prints; "error" fails synth) */
  readonly staleSuppressions?: StaleSuppressionLevel;
}

/**
 * Applies the policy pack to every stack under `scope` (an App, or one stack) as a cdktf Aspect: synth fails with one
 * error annotation per unsuppressed finding. Call it after every stack is built (cdktf runs aspects per stack, so
 * aspects on the App itself are never invoked). Suppressions are validated here: one without a reason throws.
 * Returns the report the aspect fills while the stacks synthesize.
 */
export function applyPolicies(scope: IConstruct, options: PolicyOptions = {}): PolicyReport {
  const pack = options.pack ?? AIRFLOW_ECS_PACK;
  const engine = new PolicyEngine({
    pack,
    suppressions: options.suppressions ?? SUPPRESSIONS,
    environmentOf: options.environmentOf,
    knownRules: AIRFLOW_ECS_PACK.rules.map((r) => r.id),
  });
  const stacks = scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  if (stacks.length === 0) throw new Error("applyPolicies found no stack: call it after the stacks are built");
  const applied = stacks.find((stack) => Aspects.of(stack).all.some((a) => a instanceof PolicyAspect));
  if (applied) throw new Error(`applyPolicies was already applied to stack ${applied.node.id}`);
  const report = new PolicyReport();
  const aspect = new PolicyAspect(engine, report, options.staleSuppressions ?? "warn");
  for (const stack of stacks) Aspects.of(stack).add(aspect);
  return report;
}
