/** Attribute-level changes of one resource, as the plan summary lists them (redacted). */
import { diffValues, isPlainObject, leaves, type PathSegment } from "../lib/json-diff";
import { KNOWN_AFTER_APPLY, redact, withUnknowns } from "../lib/redaction";
import type { Change, ChangeKind } from "../lib/terraform-plan";

export interface AttributeLine {
  readonly path: string;
  readonly kind: "set" | "added" | "removed" | "changed";
  readonly before?: unknown;
  readonly after?: unknown;
  /** The attribute is one of the plan's `replace_paths`. */
  readonly forcesReplacement: boolean;
}

function realKeys(path: readonly PathSegment[], side: "beforeKey" | "afterKey"): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const segment of path) {
    if (segment.json || segment[side] === undefined) break;
    keys.push(segment[side]!);
  }
  return keys;
}

function startsWith(keys: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length > 0 && prefix.length <= keys.length && prefix.every((k, i) => String(k) === String(keys[i]));
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);
}

/**
 * What a change does to a resource's attributes, redacted: for a create the values it sets (nulls and empties
 * left out, values known only after apply too), for an update or replace each changed leaf before → after, for a
 * delete nothing.
 */
export function attributeChanges(change: Change, kind: ChangeKind, formatPath: (p: readonly PathSegment[]) => string): AttributeLine[] {
  const before = redact(change.before, change.before_sensitive);
  const after = redact(withUnknowns(change.after, change.after_unknown), change.after_sensitive);
  const forces = (path: readonly PathSegment[]) =>
    (change.replace_paths ?? []).some((p) => startsWith(realKeys(path, "afterKey"), p) || startsWith(realKeys(path, "beforeKey"), p));

  if (kind === "create") {
    // `tags_all` repeats `tags` plus the provider's default tags on every resource: noise in a create.
    return leaves(after)
      .filter((l) => !isEmpty(l.value) && l.value !== KNOWN_AFTER_APPLY && l.path[0]?.label !== "tags_all")
      .map((l) => ({ path: formatPath(l.path), kind: "set" as const, after: l.value, forcesReplacement: false }));
  }
  if (kind === "update" || kind === "replace") {
    return diffValues(before, after)
      .filter((d) => !(d.kind === "added" && isEmpty(d.after)) && !(d.kind === "removed" && isEmpty(d.before)))
      .map((d) => ({ path: formatPath(d.path), kind: d.kind, before: d.before, after: d.after, forcesReplacement: forces(d.path) }));
  }
  return [];
}
