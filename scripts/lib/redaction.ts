/**
 * Redaction: sensitive values never reach the output. Subtrees the plan marks sensitive, values under keys that look
 * secret, and the value of name/value pairs whose name looks secret become `(sensitive)`; values Terraform knows only
 * after apply become `(known after apply)`.
 */
import { createHash } from "crypto";
import { decodeJsonString, isPlainObject } from "./json-diff";
import type { Change, PlanJson, ResourceChange } from "./terraform-plan";

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
