import { createHash } from "crypto";
import { decodeJsonString, diffValues, isPlainObject, leaves, type PathSegment } from "./json-diff";

/**
 * The parts of `terraform show -json <planfile>` the tools read (format 1.x; see Terraform's "JSON Output Format").
 */
export type Action = "no-op" | "create" | "read" | "update" | "delete" | "forget";

export interface Change {
  readonly actions: readonly Action[];
  readonly before: unknown;
  readonly after: unknown;
  /** Mirrors `after`; `true` where the value is only known after apply. */
  readonly after_unknown?: unknown;
  /** Mirror `before`/`after`; `true` where the value is sensitive. */
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  /** Attribute paths that force the replacement. */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
  readonly importing?: { readonly id?: string } | null;
}

export interface ResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly provider_name?: string;
  readonly change: Change;
  readonly action_reason?: string;
}

export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, Change>>;
  readonly errored?: boolean;
}

/** What a change does, from its action list. */
export type ChangeKind = "create" | "update" | "replace" | "delete" | "forget" | "read" | "no-op";

export function changeKind(actions: readonly Action[]): ChangeKind {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("update")) return "update";
  if (actions.includes("forget")) return "forget";
  if (actions.includes("read")) return "read";
  return "no-op";
}

/** Kinds that change infrastructure (no-op and data-source reads are ignored everywhere). */
export const CHANGING_KINDS: readonly ChangeKind[] = ["delete", "replace", "update", "create", "forget"];

export function isChanging(rc: ResourceChange): boolean {
  return rc.mode === "managed" && CHANGING_KINDS.includes(changeKind(rc.change.actions));
}

/** Parses and checks plan JSON; `source` names the file in messages. */
export function parsePlan(text: string, source: string): PlanJson {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: is not JSON (${(error as Error).message}); expected the output of "terraform show -json <planfile>"`);
  }
  if (!isPlainObject(plan) || typeof plan.format_version !== "string") {
    throw new Error(`${source}: has no "format_version"; expected the output of "terraform show -json <planfile>"`);
  }
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) throw new Error(`${source}: "resource_changes" is not an array`);
  if (!String(plan.format_version).startsWith("1.")) throw new Error(`${source}: plan format ${plan.format_version} is not supported (expected 1.x)`);
  return plan as unknown as PlanJson;
}

// ---------------------------------------------------------------------------------------------------------------
// Redaction: sensitive values never reach the output.

/** What a redacted value renders as. */
export const SENSITIVE = "(sensitive)";
export const KNOWN_AFTER_APPLY = "(known after apply)";
/** Redacted values become `(sensitive)#<digest>`: equal secrets still compare equal, the digest is never shown. */
const SENSITIVE_TOKEN = /\(sensitive\)#[0-9a-f]{16}/g;

function sensitiveToken(value: unknown): string {
  return `${SENSITIVE}#${createHash("sha256")
    .update(JSON.stringify(value) ?? "null")
    .digest("hex")
    .slice(0, 16)}`;
}

/** Words that make a key (or the name in a name/value pair) look like it holds a secret. */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "credential",
  "credentials",
  "privatekey",
  "apikey",
  "secretkey",
  "accesskey",
  "authtoken",
  "secretstring",
  "secretbinary",
  "fernetkey",
  "basicauth",
]);
/** Last words that make such a key a reference or setting, not the secret itself (`secret_arn`, `password_wo_version`). */
const REFERENCE_WORDS = new Set([
  "arn",
  "arns",
  "id",
  "ids",
  "name",
  "names",
  "version",
  "length",
  "prefix",
  "enabled",
  "count",
  "type",
  "strategy",
  "days",
  "path",
  "from",
  "kms",
  "rotation",
  "ttl",
  "source",
  "location",
]);

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True for keys such as `password`, `auth_token`, `secret_string`, `DB_PASSWORD`, `privateKey`; false for `secret_arn`. */
export function looksSecret(key: string): boolean {
  const w = words(key);
  if (w.length === 0 || REFERENCE_WORDS.has(w[w.length - 1])) return false;
  for (let i = 0; i < w.length; i++) {
    if (SECRET_WORDS.has(w[i]) || (i + 1 < w.length && SECRET_WORDS.has(w[i] + w[i + 1]))) return true;
  }
  return false;
}

const NAME_KEYS = ["name", "Name", "key", "Key"];

/**
 * Replaces every sensitive part of a value with a token: subtrees the plan marks sensitive (`sensitive` mirrors the
 * value, `true` = sensitive), values under keys that look secret, the `value` of name/value pairs whose name looks
 * secret, and the same inside strings holding JSON (which are re-encoded only when something was redacted).
 */
export function redact(value: unknown, sensitive: unknown = false): unknown {
  if (sensitive === true) return value === null || value === undefined ? value : sensitiveToken(value);
  if (Array.isArray(value)) return value.map((item, i) => redact(item, Array.isArray(sensitive) ? sensitive[i] : false));
  if (isPlainObject(value)) {
    const pairName = NAME_KEYS.map((k) => value[k]).find((n) => typeof n === "string") as string | undefined;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const secretValue =
        item !== null && typeof item !== "boolean" && (looksSecret(key) || (key === "value" && pairName !== undefined && looksSecret(pairName)));
      out[key] = secretValue ? sensitiveToken(item) : redact(item, isPlainObject(sensitive) ? sensitive[key] : false);
    }
    return out;
  }
  const decoded = decodeJsonString(value);
  if (decoded !== undefined) {
    const redacted = redact(decoded);
    return JSON.stringify(redacted) === JSON.stringify(decoded) ? value : JSON.stringify(redacted);
  }
  return value;
}

function hasUnknown(unknown: unknown): boolean {
  if (unknown === true) return true;
  if (Array.isArray(unknown)) return unknown.some(hasUnknown);
  if (isPlainObject(unknown)) return Object.values(unknown).some(hasUnknown);
  return false;
}

/** Puts `(known after apply)` wherever `unknown` (the plan's `after_unknown`) says so. */
export function withUnknowns(value: unknown, unknown: unknown): unknown {
  if (unknown === true) return KNOWN_AFTER_APPLY;
  if (!hasUnknown(unknown)) return value;
  if (Array.isArray(unknown)) {
    const base = Array.isArray(value) ? [...value] : [];
    unknown.forEach((u, i) => {
      if (hasUnknown(u)) base[i] = withUnknowns(base[i], u);
    });
    return base;
  }
  if (isPlainObject(unknown)) {
    const base: Record<string, unknown> = isPlainObject(value) ? { ...value } : {};
    for (const [key, u] of Object.entries(unknown)) {
      if (hasUnknown(u)) base[key] = withUnknowns(base[key], u);
    }
    return base;
  }
  return value;
}

/** Text of a (possibly redacted) value for display: redaction tokens lose their digest. */
export function displayText(text: string): string {
  return text.replace(SENSITIVE_TOKEN, SENSITIVE);
}

// ---------------------------------------------------------------------------------------------------------------
// Attribute-level changes of one resource.

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

function redactChange(change: Change): Change {
  const strip = (value: unknown) => JSON.parse(displayText(JSON.stringify(value ?? null)));
  return {
    ...change,
    before: strip(redact(change.before, change.before_sensitive)),
    after: strip(redact(change.after, change.after_sensitive)),
  };
}

/**
 * A copy of a plan safe to keep as a CI artifact: resource, output and drift changes with every sensitive value
 * replaced by `(sensitive)`; prior state, planned values, configuration and variables (which hold the same values
 * unredacted) left out. The binary plan file must never be uploaded: it holds them all in clear.
 */
export function redactPlan(plan: PlanJson): PlanJson {
  const resource = (rc: ResourceChange): ResourceChange => ({ ...rc, change: redactChange(rc.change) });
  return {
    format_version: plan.format_version,
    terraform_version: plan.terraform_version,
    resource_changes: (plan.resource_changes ?? []).map(resource),
    resource_drift: (plan.resource_drift ?? []).map(resource),
    output_changes: Object.fromEntries(Object.entries(plan.output_changes ?? {}).map(([name, change]) => [name, redactChange(change)])),
    ...(plan.errored !== undefined ? { errored: plan.errored } : {}),
  };
}
