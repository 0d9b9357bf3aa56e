import type { ResourceView } from "../../resource-view";
import type { StackContext } from "../../stack-context";
import { literalString } from "../../values";
import { companionsOf } from "../s3/companions";

/**
 * Helpers of the ordering rules. Each rule names, for one resource, the resources of its own stack that AWS checks
 * when it creates it; these helpers find them and report the ones the resource does not wait for. Resources of other
 * stacks are never required: `npm run stacks` applies the stacks they come from first.
 */

/** Whether a literal names `name`: equal, or an ARN ending in `/name` or `:name` (optionally `:*`). */
function literalNames(literal: string, name: string): boolean {
  const bare = literal.endsWith(":*") ? literal.slice(0, -2) : literal;
  return bare === name || bare.endsWith(`/${name}`) || bare.endsWith(`:${name}`);
}

/**
 * The resource of one of `types` in this stack that `value` names: by reference (`${aws_s3_bucket.logs.bucket}`), or
 * by a literal equal to one of its `nameAttributes` (a bucket name, or an ARN ending in the role name). Literal names
 * are what hide a dependency from Terraform, so they count.
 */
export function namedResource(stack: StackContext, types: readonly string[], value: unknown, nameAttributes: readonly string[]): ResourceView | undefined {
  if (value === undefined || value === null) return undefined;
  for (const type of types) {
    const referenced = stack.referenced(type, value);
    if (referenced) return referenced;
  }
  const literal = literalString(value);
  if (literal === undefined || literal === "") return undefined;
  for (const type of types) {
    for (const candidate of stack.resources(type)) {
      const names = nameAttributes.map((attribute) => literalString(candidate.get(attribute))).filter((name) => name !== undefined);
      if (names.some((name) => literalNames(literal, name))) return candidate;
    }
  }
  return undefined;
}

/** One resource that must exist before another is created, with what it is to the dependant (for the message). */
export interface Prerequisite {
  readonly resource: ResourceView;
  /** e.g. `the target bucket's policy`. */
  readonly role: string;
}

/** One message per prerequisite the resource neither refers to nor lists in `depends_on`. */
export function missingPrerequisites(stack: StackContext, resource: ResourceView, prerequisites: readonly Prerequisite[]): string[] {
  const unique = [...new Map(prerequisites.map((p) => [p.resource.address, p])).values()];
  return unique
    .filter((p) => !stack.dependsOn(resource, p.resource))
    .map((p) => `does not wait for ${p.role} ${p.resource.address} (${p.resource.path}): refer to it or add it to depends_on`);
}

/** Resources that grant an IAM role its permissions, by the attribute naming the role. */
export const ROLE_PERMISSION_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_iam_role_policy: "role",
  aws_iam_role_policy_attachment: "role",
  aws_iam_role_policies_exclusive: "role_name",
  aws_iam_role_policy_attachments_exclusive: "role_name",
};
export const ROLE_PERMISSION_TYPES = Object.keys(ROLE_PERMISSION_ATTRIBUTES);

/** The in-stack role an ARN attribute names, and the inline policies and attachments that grant its permissions. */
export function rolePermissions(stack: StackContext, roleArn: unknown, role: string): Prerequisite[] {
  const view = namedResource(stack, ["aws_iam_role"], roleArn, ["name", "arn"]);
  if (!view) return [];
  return Object.entries(ROLE_PERMISSION_ATTRIBUTES).flatMap(([type, attribute]) =>
    stack.referrers(type, attribute, view, ["name"]).map((grant) => ({ resource: grant, role: `a permission of ${role} (${view.address})` })),
  );
}

/** Types that grant access to an S3 bucket for log delivery: its policy, ownership controls and ACL. */
export const BUCKET_GRANT_TYPES = ["aws_s3_bucket_policy", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_acl"] as const;

/** The in-stack bucket a name or ARN names, and the resources that decide who may write to it. */
export function bucketGrants(stack: StackContext, bucketNameOrArn: unknown, role: string): Prerequisite[] {
  const bucket = namedResource(stack, ["aws_s3_bucket"], bucketNameOrArn, ["bucket", "arn"]);
  if (!bucket) return [];
  return BUCKET_GRANT_TYPES.flatMap((type) =>
    companionsOf(stack, bucket, type).map((grant) => ({ resource: grant, role: `${role}'s ${type.slice("aws_s3_bucket_".length).replace(/_/g, " ")}` })),
  );
}

/**
 * The in-stack function a value names and the Lambda permissions of this stack that let a service invoke it
 * (`service` is the principal's first label: `events` for `events.amazonaws.com`).
 */
export function invokePermissions(stack: StackContext, functionRef: unknown, service: string): { fn?: ResourceView; permissions: ResourceView[] } {
  const fn = namedResource(stack, ["aws_lambda_function"], functionRef, ["function_name", "arn"]);
  if (!fn) return { permissions: [] };
  const permissions = stack
    .referrers("aws_lambda_permission", "function_name", fn, ["function_name"])
    .filter((p) => literalString(p.get("principal"))?.startsWith(`${service}.`) ?? false);
  return { fn, permissions };
}
