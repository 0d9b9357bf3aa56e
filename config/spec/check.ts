/**
 * Walks a parsed environment file against its spec, so a typo'd key, a string where a number belongs or an
 * out-of-range value is reported with its path and what is allowed. Cross-field rules live in `../validate.ts`.
 */
import type { FieldSpec, ObjectField, UnionMember, VariantField } from "./language";

/** A problem found in one field: where, what was there, and what would have been accepted. */
export interface FieldIssue {
  readonly path: string;
  readonly value: unknown;
  readonly problem: string;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks `value` against `spec`, appending issues; returns nothing (the caller decides whether to go on). */
export function checkShape(spec: FieldSpec, value: unknown, path: string, issues: FieldIssue[]): void {
  if (value === undefined) {
    if (spec.default === undefined && !spec.optional && !spec.derive) {
      issues.push({ path, value, problem: `is required; expected ${expectation(spec)}` });
    }
    return;
  }
  const report = (problem: string, at = path, found = value) => issues.push({ path: at, value: found, problem });
  switch (spec.kind) {
    case "string":
      if (typeof value !== "string") report(`is a ${typeName(value)}; expected a string: ${spec.allowed}`);
      else if ((spec.oneOf && !spec.oneOf.includes(value)) || (spec.pattern && !spec.pattern.test(value))) report(`is not allowed; expected ${spec.allowed}`);
      return;
    case "integer":
    case "number": {
      const whole = spec.kind === "integer";
      if (typeof value !== "number" || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
        report(`is a ${typeName(value)}; expected ${expectation(spec)}`);
      } else if (value < spec.min || value > spec.max || (spec.kind === "integer" && spec.oneOf && !spec.oneOf.includes(value))) {
        report(`is out of range; expected ${expectation(spec)}`);
      }
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") report(`is a ${typeName(value)}; expected true or false`);
      return;
    case "union":
      return checkUnion(spec.members, value, path, issues, expectation(spec));
    case "object":
      return checkObject(spec, value, path, issues);
    case "array":
      if (!Array.isArray(value)) return void report(`is a ${typeName(value)}; expected ${expectation(spec)}`);
      if (value.length < spec.minItems || value.length > spec.maxItems) report(`has ${value.length} entries; expected ${expectation(spec)}`);
      value.forEach((item, i) => checkShape(spec.items, item, `${path}[${i}]`, issues));
      return;
    case "variant":
      return checkVariant(spec, value, path, issues);
    case "record": {
      if (!isPlainObject(value)) return void report(`is a ${typeName(value)}; expected ${expectation(spec)}`);
      const entries = Object.entries(value);
      if (entries.length > spec.maxEntries) report(`has ${entries.length} entries; at most ${spec.maxEntries} allowed`);
      for (const [key, item] of entries) {
        if (!spec.keyPattern.test(key)) report(`is not an allowed key; expected ${spec.keyAllowed}`, recordEntry(path, key), key);
        checkShape(spec.values, item, recordEntry(path, key), issues);
      }
      return;
    }
  }
}

function checkObject(spec: ObjectField, value: unknown, path: string, issues: FieldIssue[]): void {
  const names = Object.keys(spec.fields).join(", ");
  if (!isPlainObject(value)) {
    issues.push({ path, value, problem: `is a ${typeName(value)}; expected an object with fields ${names}` });
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === "$schema" && path === "") continue;
    if (key in spec.fields) continue;
    const retired = spec.retired?.[key];
    issues.push({ path: join(path, key), value: value[key], problem: retired ?? `is not a known field; allowed fields here: ${names}` });
  }
  for (const [key, field] of Object.entries(spec.fields)) checkShape(field, value[key], join(path, key), issues);
}

function checkVariant(spec: VariantField, value: unknown, path: string, issues: FieldIssue[]): void {
  const variant = variantOf(spec, value);
  if (variant) return checkObject(variant, value, path, issues);
  if (!isPlainObject(value)) {
    issues.push({ path, value, problem: `is a ${typeName(value)}; expected ${expectation(spec)}` });
    return;
  }
  const found = value[spec.discriminator];
  issues.push({
    path: join(path, spec.discriminator),
    value: found,
    problem: `${found === undefined ? "is required" : "is not allowed"}; expected one of ${quotedKinds(spec)}`,
  });
}

/** Accepted when one member accepts; otherwise the member of the value's own type explains why not, if there is one. */
function checkUnion(members: readonly UnionMember[], value: unknown, path: string, issues: FieldIssue[], expected: string): void {
  const attempts = members.map((member) => {
    const found: FieldIssue[] = [];
    checkShape(member, value, path, found);
    return { member, found };
  });
  if (attempts.some(({ found }) => found.length === 0)) return;
  const sameType = attempts.find(({ member }) =>
    member.kind === "object" ? isPlainObject(value) : typeof value === (member.kind === "integer" ? "number" : member.kind),
  );
  if (sameType) issues.push(...sameType.found);
  else issues.push({ path, value, problem: `is a ${typeName(value)}; expected ${expected}` });
}

/** The variant an object selects through its discriminator, if it names a known one. */
export function variantOf(spec: VariantField, value: unknown): ObjectField | undefined {
  if (!isPlainObject(value)) return undefined;
  const kind = value[spec.discriminator];
  return typeof kind === "string" && Object.prototype.hasOwnProperty.call(spec.variants, kind) ? spec.variants[kind] : undefined;
}

/** What a field accepts, in words: the tail of every message about it, and the "Allowed" column of the docs. */
export function expectation(spec: FieldSpec): string {
  switch (spec.kind) {
    case "string":
      return `a string: ${spec.allowed}`;
    case "integer":
      return spec.oneOf ? `one of ${spec.oneOf.join(", ")}` : `an integer from ${spec.min} to ${spec.max}`;
    case "number":
      return `a number from ${spec.min} to ${spec.max}`;
    case "boolean":
      return "true or false";
    case "union":
      return alternatives(spec.members.map(expectation));
    case "object":
      return `an object with fields ${Object.keys(spec.fields).join(", ")}`;
    case "array":
      return spec.minItems === spec.maxItems ? `a list of exactly ${spec.minItems} entries` : `a list of ${spec.minItems} to ${spec.maxItems} entries`;
    case "record":
      return `an object of ${spec.keyAllowed} to ${plural(spec.values)}`;
    case "variant":
      return `a ${spec.noun} object with ${spec.discriminator} ${quotedKinds(spec)}`;
  }
}

/** What a record maps its keys to, in the plural ("strings", "strings, numbers or booleans"). */
function plural(spec: FieldSpec): string {
  switch (spec.kind) {
    case "string":
      return "strings";
    case "integer":
      return "integers";
    case "number":
      return "numbers";
    case "boolean":
      return "booleans";
    case "union":
      return alternatives(spec.members.map(plural));
    case "array":
      return "lists";
    case "variant":
      return `${spec.noun} objects`;
    case "object":
    case "record":
      return "objects";
  }
}

/** `"efs", "git", "s3"`. */
function quotedKinds(spec: VariantField): string {
  return Object.keys(spec.variants)
    .map((kind) => `"${kind}"`)
    .join(", ");
}

function alternatives(texts: readonly string[]): string {
  return texts.length <= 1 ? texts.join("") : `${texts.slice(0, -1).join(", ")} or ${texts[texts.length - 1]}`;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The path of a record's entry: `tags.team`, or `airflow.config["core.parallelism"]` when the key holds a dot. */
export function recordEntry(path: string, key: string): string {
  return key.includes(".") ? `${path}[${JSON.stringify(key)}]` : join(path, key);
}
