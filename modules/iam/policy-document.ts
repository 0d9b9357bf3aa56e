/**
 * IAM policies from typed statements, rendered to policy JSON at synth time. Rendering in TypeScript (instead of
 * `aws_iam_policy_document` data sources or `jsonencode`) keeps synth fast, keeps every policy a reviewable literal
 * in cdk.tf.json and the plan, and lets the policy rules and tests decode exactly what is granted.
 */

export type PrincipalType = "AWS" | "Service" | "Federated" | "*";

/** One IAM policy statement. */
export interface PolicyStatement {
  /** Statement id: letters and digits only (IAM's rule). */
  readonly sid: string;
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  readonly actions: readonly string[];
  /** Required for identity policies; resource and trust policies may leave it out. */
  readonly resources?: readonly string[];
  /** Every resource except these (only for Deny statements, where it fences a principal into its own resources). */
  readonly notResources?: readonly string[];
  /** Principals, for resource and trust policies. */
  readonly principals?: readonly { readonly type: PrincipalType; readonly identifiers: readonly string[] }[];
  readonly conditions?: readonly PolicyCondition[];
}

export interface PolicyCondition {
  /** Condition operator, e.g. `StringEquals`, `ArnLike`, `Bool`. */
  readonly test: string;
  /** Condition key, e.g. `aws:SourceAccount`. */
  readonly variable: string;
  readonly values: readonly string[];
}

const SID = /^[A-Za-z0-9]+$/;

/** Renders statements as an IAM policy document (JSON string; tokens inside strings resolve at synth). */
export function policyJson(statements: readonly PolicyStatement[]): string {
  if (statements.length === 0) throw new Error("a policy needs at least one statement");
  const sids = new Set<string>();
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => {
      if (!SID.test(s.sid)) throw new Error(`statement id "${s.sid}" must be alphanumeric`);
      if (sids.has(s.sid)) throw new Error(`statement id "${s.sid}" is used twice in one policy`);
      sids.add(s.sid);
      if (s.actions.length === 0) throw new Error(`statement ${s.sid} has no actions`);
      if (s.notResources && (s.resources || s.effect !== "Deny")) {
        throw new Error(`statement ${s.sid}: notResources is only allowed on a Deny statement without resources`);
      }
      return {
        Sid: s.sid,
        Effect: s.effect ?? "Allow",
        ...(s.principals ? { Principal: renderPrincipals(s.principals) } : {}),
        Action: [...s.actions],
        ...(s.resources ? { Resource: [...s.resources] } : {}),
        ...(s.notResources ? { NotResource: [...s.notResources] } : {}),
        ...(s.conditions?.length ? { Condition: renderConditions(s.conditions) } : {}),
      };
    }),
  });
}

function renderPrincipals(principals: NonNullable<PolicyStatement["principals"]>): unknown {
  if (principals.some((p) => p.type === "*")) return "*";
  const out: Record<string, string[]> = {};
  for (const p of principals) out[p.type] = [...(out[p.type] ?? []), ...p.identifiers];
  return out;
}

function renderConditions(conditions: readonly PolicyCondition[]): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const c of conditions) {
    out[c.test] = out[c.test] ?? {};
    out[c.test][c.variable] = [...(out[c.test][c.variable] ?? []), ...c.values];
  }
  return out;
}

/** The trust policy of a role assumed by AWS services, limited to this account's resources. */
export function serviceTrustPolicy(servicePrincipals: readonly string[], accountId: string, extra: readonly PolicyCondition[] = []): string {
  return policyJson([
    {
      sid: "TrustedServices",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: servicePrincipals }],
      conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }, ...extra],
    },
  ]);
}
