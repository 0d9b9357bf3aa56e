/**
 * Suppressions: an accepted finding of one rule on one resource, with the written reason it is accepted. They live in
 * `accepted-findings.ts` so the README can list each with its reason (`renderSuppressionsMarkdown`).
 */
export interface Suppression {
  /** The rule's id as the pack lists it (e.g. `CKV_AWS_145`), not an alias. */
  readonly rule: string;
  /**
   * Stack ids the suppression applies to; `*` matches any characters (`*-storage` = every environment's storage
   * stack, `bootstrap-*` = every state bootstrap).
   */
  readonly stacks: string | readonly string[];
  /**
   * The one resource: its construct path inside the stack (`alb-logs/bucket`) or its Terraform address
   * (`aws_s3_bucket.alb-logs_bucket_B3B3737C`). No wildcards: every resource is accepted on its own.
   */
  readonly resource: string;
  /** Why the finding is acceptable; required and non-empty. */
  readonly reason: string;
}

/** Thrown for a suppression that cannot be accepted (no reason, unknown rule, ...). */
export class SuppressionError extends Error {}

function describeSuppression(s: Partial<Suppression>): string {
  const stacks = Array.isArray(s.stacks) ? s.stacks.join(", ") : String(s.stacks);
  return `suppression of ${s.rule ?? "(no rule)"} on ${s.resource ?? "(no resource)"} in ${stacks}`;
}

/** Rejects suppressions without a written reason, of unknown rules, without a resource or stack, or repeated. */
export function validateSuppressions(suppressions: readonly Suppression[], knownRules: ReadonlySet<string>): void {
  const seen = new Set<string>();
  for (const s of suppressions as readonly Partial<Suppression>[]) {
    const what = describeSuppression(s);
    if (typeof s.reason !== "string" || s.reason.trim() === "") {
      throw new SuppressionError(`${what} has no reason: every suppression must say why the finding is acceptable`);
    }
    if (typeof s.rule !== "string" || !knownRules.has(s.rule))
      throw new SuppressionError(`${what} names no known rule: use a rule id of the pack (see renderRulesMarkdown())`);
    if (typeof s.resource !== "string" || s.resource.trim() === "" || s.resource.includes("*")) {
      throw new SuppressionError(`${what} must name exactly one resource (a construct path or Terraform address, no wildcards)`);
    }
    const stacks = stackPatterns(s as Suppression);
    if (stacks.length === 0 || stacks.some((p) => typeof p !== "string" || p.trim() === "")) throw new SuppressionError(`${what} names no stack`);
    const key = `${s.rule}\u0000${s.resource}\u0000${[...stacks].sort().join(",")}`;
    if (seen.has(key)) throw new SuppressionError(`${what} is listed twice`);
    seen.add(key);
  }
}

export function stackPatterns(s: Suppression): readonly string[] {
  return typeof s.stacks === "string" ? [s.stacks] : s.stacks;
}

const compiled = new Map<string, RegExp>();

/** Whether a stack id matches one of the suppression's stack patterns. */
export function appliesToStack(s: Suppression, stackId: string): boolean {
  return stackPatterns(s).some((pattern) => {
    let re = compiled.get(pattern);
    if (!re) {
      re = new RegExp(
        `^${pattern
          .split("*")
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*")}$`,
      );
      compiled.set(pattern, re);
    }
    return re.test(stackId);
  });
}

/** Whether the suppression names this resource (by construct path or address). */
export function namesResource(s: Suppression, resource: { readonly path: string; readonly address: string }): boolean {
  return s.resource === resource.path || s.resource === resource.address;
}

/** How a suppression is named in reports: `CKV_AWS_145 on alb-logs/bucket in *-storage`. */
export function suppressionLabel(s: Suppression): string {
  return `${s.rule} on ${s.resource} in ${stackPatterns(s).join(", ")}`;
}
