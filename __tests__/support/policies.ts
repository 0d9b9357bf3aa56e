import type { StackJson } from "./synth";

export interface FoundStatement {
  /** `<resource type>.<logical id>.<attribute>` of the policy document. */
  readonly where: string;
  /** identity (role/user policies), trust, or resource (bucket, key, file system, queue, topic ...). */
  readonly kind: "identity" | "trust" | "resource";
  readonly statement: {
    Sid?: string;
    Effect: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
  };
}

const IDENTITY_TYPES = new Set(["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"]);

/** Every IAM policy statement in a synthesized stack, decoded from the JSON strings it is rendered into. */
export function policyStatements(json: StackJson): FoundStatement[] {
  const found: FoundStatement[] = [];
  for (const [type, instances] of Object.entries(json.resource ?? {})) {
    for (const [id, body] of Object.entries(instances)) {
      for (const attribute of ["policy", "assume_role_policy"]) {
        const text = body[attribute];
        if (typeof text !== "string" || !text.trim().startsWith("{")) continue;
        const document = JSON.parse(text) as { Statement?: FoundStatement["statement"] | FoundStatement["statement"][] };
        const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
        const kind = attribute === "assume_role_policy" ? "trust" : IDENTITY_TYPES.has(type) ? "identity" : "resource";
        for (const statement of statements) found.push({ where: `${type}.${id}.${attribute}`, kind, statement });
      }
    }
  }
  return found;
}

export const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
