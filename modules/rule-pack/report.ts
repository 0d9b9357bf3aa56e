import type { IConstruct } from "constructs";
import type { Suppression } from "./suppression";
import { suppressionLabel } from "./suppression";

/** One problem a rule found on one resource. */
export interface Finding {
  readonly rule: string;
  /** Stack id, e.g. `prod-storage`. */
  readonly stack: string;
  /** Terraform address, e.g. `aws_s3_bucket.alb-logs_bucket_B3B3737C`. */
  readonly address: string;
  /** Construct path inside the stack, e.g. `alb-logs/bucket` (what a suppression names). */
  readonly path: string;
  readonly message: string;
  /** The suppression accepting it; unsuppressed findings fail synth. */
  readonly suppressedBy?: Suppression;
}

/** A suppression that accepted nothing in a stack it applies to. */
export interface StaleSuppression {
  readonly suppression: Suppression;
  readonly stack: string;
}

/** What one stack's evaluation found. */
export interface StackEvaluation {
  readonly stack: string;
  /** Every finding, suppressed or not. */
  readonly findings: readonly Finding[];
  readonly stale: readonly StaleSuppression[];
  /** The construct of each finding's address, to annotate. */
  readonly elements: ReadonlyMap<string, IConstruct>;
}

/** The error annotation of an unsuppressed finding: names the rule, the stack, the resource and its construct path. */
export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.stack} ${f.address} (${f.path}): ${f.message}`;
}

export function formatStale(s: StaleSuppression): string {
  return `[policy] stale suppression: ${suppressionLabel(s.suppression)} matched no finding in ${s.stack}; remove it from modules/rule-pack/accepted-findings.ts`;
}

/** Everything the policy aspect found across the app, filled while the stacks synthesize. */
export class PolicyReport {
  /** Stacks evaluated, in synthesis order. */
  readonly stacks: string[] = [];
  /** Unsuppressed findings: each one is an error annotation that fails synth. */
  readonly findings: Finding[] = [];
  /** Findings accepted by a suppression. */
  readonly suppressed: Finding[] = [];
  readonly stale: StaleSuppression[] = [];

  add(evaluation: StackEvaluation): void {
    this.stacks.push(evaluation.stack);
    for (const f of evaluation.findings) (f.suppressedBy ? this.suppressed : this.findings).push(f);
    this.stale.push(...evaluation.stale);
  }
}
