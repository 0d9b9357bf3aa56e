import type { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { environmentFromStackConfig, type EnvironmentResolver } from "./environment";
import type { RulePack } from "./packs";
import type { Finding, StackEvaluation, StaleSuppression } from "./report";
import { ResourceView } from "./resource-view";
import { messagesOf, type PolicyRule } from "./rule";
import { StackContext } from "./stack-context";
import { appliesToStack, namesResource, validateSuppressions, type Suppression } from "./suppression";

export interface EngineOptions {
  readonly pack: RulePack;
  /** @default none */
  readonly suppressions?: readonly Suppression[];
  /** @default environmentFromStackConfig (the `config` every environment stack carries) */
  readonly environmentOf?: EnvironmentResolver;
  /** Rule ids suppressions may name besides the pack's (rules of other packs). @default the pack's */
  readonly knownRules?: Iterable<string>;
}

/**
 * Evaluates stacks against a rule pack: builds one view per resource of an inspected type (its attributes synthesized
 * once, on first use), indexes them by type once per stack, runs each rule on the resources of its types, and matches
 * findings to suppressions. Resources of other types are never synthesized by the engine.
 */
export class PolicyEngine {
  private readonly rulesByType = new Map<string, PolicyRule[]>();
  private readonly wanted = new Set<string>();
  private readonly active: ReadonlySet<string>;
  readonly suppressions: readonly Suppression[];
  private readonly environmentOf: EnvironmentResolver;

  constructor(options: EngineOptions) {
    const ids = options.pack.rules.map((r) => r.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) throw new Error(`policy pack ${options.pack.name} lists rule ${duplicate} twice`);
    this.active = new Set(ids);
    this.suppressions = options.suppressions ?? [];
    validateSuppressions(this.suppressions, new Set([...ids, ...(options.knownRules ?? [])]));
    this.environmentOf = options.environmentOf ?? environmentFromStackConfig;
    for (const rule of options.pack.rules) {
      for (const type of rule.resourceTypes) {
        this.rulesByType.set(type, [...(this.rulesByType.get(type) ?? []), rule]);
        this.wanted.add(type);
      }
      for (const type of rule.companions) this.wanted.add(type);
    }
  }

  /** Evaluates one stack; `nodes` are its constructs when the caller already listed them. */
  evaluate(stack: TerraformStack, nodes: readonly IConstruct[] = stack.node.findAll()): StackEvaluation {
    const stackPath = stack.node.path;
    const views: ResourceView[] = [];
    for (const node of nodes) {
      const view = ResourceView.of(node, stackPath, this.wanted);
      if (view) views.push(view);
    }
    const context = new StackContext(stack, this.environmentOf(stack), views);
    const stackId = context.stackId;
    const inScope = this.suppressions.filter((s) => this.active.has(s.rule) && appliesToStack(s, stackId));
    const used = new Set<Suppression>();
    const findings: Finding[] = [];
    const elements = new Map<string, ResourceView["element"]>();
    for (const view of views) {
      for (const rule of this.rulesByType.get(view.type) ?? []) {
        let messages: readonly string[];
        try {
          messages = messagesOf(rule.check(view, context));
        } catch (error) {
          throw new Error(`policy rule ${rule.id} failed on ${stackId} ${view.address}: ${(error as Error).message}`);
        }
        for (const message of messages) {
          const suppressedBy = inScope.find((s) => s.rule === rule.id && namesResource(s, view));
          if (suppressedBy) used.add(suppressedBy);
          elements.set(view.address, view.element);
          findings.push({ rule: rule.id, stack: stackId, address: view.address, path: view.path, message, ...(suppressedBy ? { suppressedBy } : {}) });
        }
      }
    }
    const stale: StaleSuppression[] = inScope.filter((s) => !used.has(s)).map((suppression) => ({ suppression, stack: stackId }));
    return { stack: stackId, findings, stale, elements };
  }
}
