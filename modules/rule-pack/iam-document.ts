import type { ResourceView } from "./resource-view";
import { isToken } from "./values";

/** Whose permissions a document states. */
export type PolicyKind = "identity" | "trust" | "resource";

/** One statement, normalized: every list a list, conditions as operator -> key -> values. */
export interface PolicyStatementView {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly principal: unknown;
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export type DecodedPolicy =
  | { readonly attribute: string; readonly kind: PolicyKind; readonly statements: readonly PolicyStatementView[] }
  | { readonly attribute: string; readonly kind: PolicyKind; readonly error: string };

const IDENTITY_TYPES = new Set(["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"]);

/** Policy-document attributes of each resource type (a JSON string each). */
export const POLICY_DOCUMENT_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_iam_role_policy: ["policy"],
  aws_iam_policy: ["policy"],
  aws_iam_user_policy: ["policy"],
  aws_iam_group_policy: ["policy"],
  aws_iam_role: ["assume_role_policy"],
  aws_kms_key: ["policy"],
  aws_s3_bucket_policy: ["policy"],
  aws_efs_file_system_policy: ["policy"],
  aws_sqs_queue_policy: ["policy"],
  aws_sns_topic_policy: ["policy"],
  aws_secretsmanager_secret_policy: ["policy"],
  aws_ecr_repository_policy: ["policy"],
  aws_cloudwatch_log_resource_policy: ["policy_document"],
  aws_s3_bucket: ["policy"],
  aws_sqs_queue: ["policy"],
  aws_sns_topic: ["policy"],
  aws_secretsmanager_secret: ["policy"],
};

/** Every resource type that carries a policy document. */
export const POLICY_DOCUMENT_TYPES: readonly string[] = Object.keys(POLICY_DOCUMENT_ATTRIBUTES);

const asList = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

function normalizeConditions(raw: unknown): PolicyStatementView["conditions"] {
  const out: Record<string, Record<string, readonly string[]>> = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const [operator, keys] of Object.entries(raw as Record<string, unknown>)) {
    out[operator] = {};
    if (typeof keys !== "object" || keys === null) continue;
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) out[operator][key] = asList(values);
  }
  return out;
}

function decode(attribute: string, kind: PolicyKind, text: unknown): DecodedPolicy {
  if (typeof text !== "string") return { attribute, kind, error: `${attribute} is not a JSON string` };
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) {
    const what = isToken(text) ? "a reference or function call (data source, jsonencode)" : "not a JSON object";
    return { attribute, kind, error: `${attribute} is ${what}; render it with policyJson() so it can be inspected` };
  }
  let document: { Statement?: unknown };
  try {
    document = JSON.parse(trimmed) as { Statement?: unknown };
  } catch {
    return { attribute, kind, error: `${attribute} is not valid JSON` };
  }
  if (typeof document !== "object" || document === null) return { attribute, kind, error: `${attribute} is not a JSON object` };
  const listed: unknown[] = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
  const raw = listed.filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null);
  const statements = raw.map((s) => ({
    sid: typeof s.Sid === "string" ? s.Sid : undefined,
    effect: String(s.Effect ?? ""),
    actions: asList(s.Action),
    notActions: asList(s.NotAction),
    resources: asList(s.Resource),
    principal: s.Principal,
    conditions: normalizeConditions(s.Condition),
  }));
  return { attribute, kind, statements };
}

/** The decoded policy documents of a resource (identity, trust or resource policies), memoized on the view. */
export function policyDocuments(resource: ResourceView): readonly DecodedPolicy[] {
  return resource.cached("policy-documents", () => {
    const found: DecodedPolicy[] = [];
    const kind: PolicyKind = IDENTITY_TYPES.has(resource.type) ? "identity" : "resource";
    for (const attribute of POLICY_DOCUMENT_ATTRIBUTES[resource.type] ?? []) {
      const text = resource.get(attribute);
      if (text === undefined) continue;
      found.push(decode(attribute, attribute === "assume_role_policy" ? "trust" : kind, text));
    }
    if (resource.type === "aws_iam_role") {
      const inline = resource.get("inline_policy");
      (Array.isArray(inline) ? inline : inline ? [inline] : []).forEach((p: { policy?: unknown }, i: number) => {
        if (p?.policy !== undefined) found.push(decode(`inline_policy[${i}].policy`, "identity", p.policy));
      });
    }
    return found;
  });
}

export interface FoundStatement {
  readonly document: Extract<DecodedPolicy, { statements: unknown }>;
  readonly statement: PolicyStatementView;
  /** Position in its document. */
  readonly index: number;
}

/** Statements of the decodable documents of a resource, with the document they come from. */
export function statementsOf(resource: ResourceView): readonly FoundStatement[] {
  return resource.cached("policy-statements", () =>
    policyDocuments(resource).flatMap((document) =>
      "statements" in document ? document.statements.map((statement, index) => ({ document, statement, index })) : [],
    ),
  );
}

/** How a statement is named in messages: `assume_role_policy statement TrustedServices` (Sid, else position). */
export function statementName(found: FoundStatement): string {
  return `${found.document.attribute} statement ${found.statement.sid ?? `#${found.index + 1}`}`;
}
