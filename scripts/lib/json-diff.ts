/**
 * Structural diff of JSON values, for Terraform attributes: objects key by key, arrays of objects matched by an
 * identity key (`Sid`, `name`, ...) so an inserted IAM statement or container definition does not shift every later
 * element, and strings holding JSON (IAM policies, `container_definitions`) decoded and diffed structurally.
 *
 * Kept over a diff package: microdiff and deep-object-diff match array elements by index (an inserted statement
 * shifts every later one) and do not decode JSON strings; jsondiffpatch matches by an identity hash but is ESM-only,
 * which Jest cannot require. Equality is Node's own util.isDeepStrictEqual.
 */
import { isDeepStrictEqual } from "util";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One step of a path. `beforeKey`/`afterKey` are the real object key or array index on each side. */
export interface PathSegment {
  /** How the step is shown: `name`, `[2]`, `[Sid=ReadState]`. */
  readonly label: string;
  readonly beforeKey?: string | number;
  readonly afterKey?: string | number;
  /** The step enters the decoded content of a JSON string. */
  readonly json?: boolean;
}

export interface Difference {
  readonly path: readonly PathSegment[];
  readonly kind: "added" | "removed" | "changed";
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Keys that identify an element of an array of objects, in order of preference. */
const IDENTITY_KEYS = ["Sid", "sid", "name", "Name", "id", "Id", "key", "Key"];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The parsed value of a string that holds a JSON object or array, else undefined. */
export function decodeJsonString(value: unknown): JsonValue | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (!(text.startsWith("{") && text.endsWith("}")) && !(text.startsWith("[") && text.endsWith("]"))) return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== "object";
}

/** The identity key shared by every element of both arrays, unique within each array, if there is one. */
function identityKey(before: readonly unknown[], after: readonly unknown[]): string | undefined {
  const all = [...before, ...after];
  if (all.length === 0 || !all.every(isPlainObject)) return undefined;
  const unique = (items: readonly unknown[], key: string) => new Set(items.map((i) => (i as Record<string, unknown>)[key])).size === items.length;
  return IDENTITY_KEYS.find((key) => all.every((i) => typeof (i as Record<string, unknown>)[key] === "string") && unique(before, key) && unique(after, key));
}

function diffInto(before: unknown, after: unknown, path: PathSegment[], out: Difference[]): void {
  if (isDeepStrictEqual(before, after)) return;

  const decodedBefore = decodeJsonString(before);
  const decodedAfter = decodeJsonString(after);
  if (decodedBefore !== undefined && decodedAfter !== undefined) {
    diffInto(decodedBefore, decodedAfter, [...path, { label: "(json)", json: true }], out);
    return;
  }

  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const segment: PathSegment = { label: key, beforeKey: key, afterKey: key };
      const inBefore = Object.prototype.hasOwnProperty.call(before, key);
      const inAfter = Object.prototype.hasOwnProperty.call(after, key);
      if (inBefore && inAfter) diffInto(before[key], after[key], [...path, segment], out);
      else if (inAfter) out.push({ path: [...path, segment], kind: "added", after: after[key] });
      else out.push({ path: [...path, segment], kind: "removed", before: before[key] });
    }
    return;
  }

  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.every(isScalar) && after.every(isScalar)) {
      out.push({ path, kind: "changed", before, after });
      return;
    }
    const key = identityKey(before, after);
    if (key) {
      const idOf = (item: unknown) => (item as Record<string, string>)[key];
      const beforeIds = before.map(idOf);
      const afterIds = after.map(idOf);
      const ids = [...afterIds, ...beforeIds.filter((id) => !afterIds.includes(id))];
      for (const id of ids) {
        const bi = beforeIds.indexOf(id);
        const ai = afterIds.indexOf(id);
        const segment: PathSegment = { label: `[${key}=${id}]`, beforeKey: bi >= 0 ? bi : undefined, afterKey: ai >= 0 ? ai : undefined };
        if (bi >= 0 && ai >= 0) diffInto(before[bi], after[ai], [...path, segment], out);
        else if (ai >= 0) out.push({ path: [...path, segment], kind: "added", after: after[ai] });
        else out.push({ path: [...path, segment], kind: "removed", before: before[bi] });
      }
      return;
    }
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const segment: PathSegment = { label: `[${i}]`, beforeKey: i < before.length ? i : undefined, afterKey: i < after.length ? i : undefined };
      if (i < before.length && i < after.length) diffInto(before[i], after[i], [...path, segment], out);
      else if (i < after.length) out.push({ path: [...path, segment], kind: "added", after: after[i] });
      else out.push({ path: [...path, segment], kind: "removed", before: before[i] });
    }
    return;
  }

  out.push({ path, kind: "changed", before, after });
}

/** The differences between two JSON values, in a stable order (object keys sorted, array elements in order). */
export function diffValues(before: unknown, after: unknown): Difference[] {
  const out: Difference[] = [];
  diffInto(before, after, [], out);
  return out;
}

/** A leaf of a value: its path and the scalar (or empty container) found there. */
export interface Leaf {
  readonly path: readonly PathSegment[];
  readonly value: unknown;
}

/**
 * Flattens a value into leaves: objects by key, arrays of scalars kept whole, arrays of objects by identity key or
 * index, JSON strings decoded. Used to show what a created resource or an added block holds.
 */
export function leaves(value: unknown, path: readonly PathSegment[] = []): Leaf[] {
  const decoded = decodeJsonString(value);
  if (decoded !== undefined) return leaves(decoded, [...path, { label: "(json)", json: true }]);
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return [{ path, value }];
    return keys.flatMap((k) => leaves(value[k], [...path, { label: k, beforeKey: k, afterKey: k }]));
  }
  if (Array.isArray(value) && value.length > 0 && !value.every(isScalar)) {
    const key = identityKey(value, []);
    return value.flatMap((item, i) =>
      leaves(item, [...path, { label: key ? `[${key}=${(item as Record<string, string>)[key]}]` : `[${i}]`, beforeKey: i, afterKey: i }]),
    );
  }
  return [{ path, value }];
}

/** `a.b[2].c`, with JSON-string boundaries shown as ` (json) `. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (segment.json) text += text ? " (json) " : "(json) ";
    else if (segment.label.startsWith("[")) text += segment.label;
    else text += text && !text.endsWith(" ") ? `.${segment.label}` : segment.label;
  }
  return text || "(value)";
}
