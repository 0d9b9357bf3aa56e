import type { FoundStatement } from "../../iam-document";

/** Resource types whose documents grant an identity permissions (role, user and group policies). */
export const IDENTITY_POLICY_TYPES = ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role"] as const;

/** Allow statements of identity documents (inline role policies included; trust policies excluded). */
export const identityAllows = (found: readonly FoundStatement[]) => found.filter((f) => f.document.kind === "identity" && f.statement.effect === "Allow");

const patterns = new Map<string, RegExp>();

/** Whether an IAM action pattern (`iam:Pass*`, `*`) covers an action, case-insensitively as IAM compares them. */
export function actionCovers(pattern: string, action: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern.toLowerCase() === action.toLowerCase();
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split(/([*?])/)
        .map((p) => (p === "*" ? ".*" : p === "?" ? "." : p.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("")}$`,
      "i",
    );
    patterns.set(pattern, re);
  }
  return re.test(action);
}
