import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import type { PolicyEngine } from "./engine";
import { formatFinding, formatStale, type PolicyReport } from "./report";

/** How a stale suppression is reported: a warning annotation (cdktf synth prints it) or an error (fails synth). */
export type StaleSuppressionLevel = "warn" | "error";

/**
 * The policy pack as a cdktf Aspect, added to every stack. Aspects visit a stack's constructs top-down; this one
 * lists the stack's constructs when it visits the stack, and evaluates them all once it reaches the last one, so
 * other aspects have already run on every construct before it (add mutating aspects before this one; constructs an
 * aspect adds during the traversal are not evaluated). Every unsuppressed finding becomes an error annotation on its
 * resource (which fails `app.synth()`, `cdktf synth` and `Testing.fullSynth`), every stale suppression a warning (or
 * error) on the stack, and the report collects all of them. A stack is evaluated once, however often it synthesizes.
 */
export class PolicyAspect implements IAspect {
  /** Last construct of each stack awaiting evaluation -> the stack and its constructs. */
  private readonly pending = new Map<IConstruct, { readonly stack: TerraformStack; readonly nodes: readonly IConstruct[] }>();
  private readonly evaluated = new WeakSet<TerraformStack>();

  constructor(
    private readonly engine: PolicyEngine,
    readonly report: PolicyReport,
    private readonly staleLevel: StaleSuppressionLevel = "warn",
  ) {}

  visit(node: IConstruct): void {
    if (TerraformStack.isStack(node) && !this.evaluated.has(node)) {
      const nodes = node.node.findAll();
      this.pending.set(nodes[nodes.length - 1], { stack: node, nodes });
    }
    const pending = this.pending.get(node);
    if (pending === undefined) return;
    this.pending.delete(node);
    const { stack } = pending;
    this.evaluated.add(stack);
    const evaluation = this.engine.evaluate(stack, pending.nodes);
    this.report.add(evaluation);
    for (const finding of evaluation.findings) {
      if (!finding.suppressedBy) Annotations.of(evaluation.elements.get(finding.address) ?? stack).addError(formatFinding(finding));
    }
    for (const stale of evaluation.stale) {
      if (this.staleLevel === "error") Annotations.of(stack).addError(formatStale(stale));
      else Annotations.of(stack).addWarning(formatStale(stale));
    }
  }
}
