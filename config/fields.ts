/**
 * A small declarative description of the environment file: every field's type, allowed values and static default.
 * `checkShape` walks a parsed file against it, so a typo'd key, a string where a number belongs or an out-of-range
 * value is reported with its path and what is allowed. Cross-field rules live in `validate.ts`.
 */

export type FieldSpec = StringField | IntegerField | BooleanField | ObjectField | ArrayField | RecordField | VariantField;

interface FieldBase {
  /** Static default applied when the field is absent. Derived defaults are applied in `load.ts`. */
  readonly default?: unknown;
  /** Absent is fine and stays absent (no default). */
  readonly optional?: boolean;
  /** Filled in by `load.ts` from other fields when absent. */
  readonly derived?: boolean;
}

export interface StringField extends FieldBase {
  readonly kind: "string";
  readonly pattern?: RegExp;
  readonly oneOf?: readonly string[];
  /** Human description of the allowed values, used in messages. */
  readonly allowed: string;
}

export interface IntegerField extends FieldBase {
  readonly kind: "integer";
  readonly min: number;
  readonly max: number;
  /** Only these values (e.g. CloudWatch Logs retention periods). */
  readonly oneOf?: readonly number[];
}

export interface BooleanField extends FieldBase {
  readonly kind: "boolean";
}

export interface ObjectField extends FieldBase {
  readonly kind: "object";
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

export interface ArrayField extends FieldBase {
  readonly kind: "array";
  readonly items: FieldSpec;
  readonly minItems: number;
  readonly maxItems: number;
}

export interface RecordField extends FieldBase {
  readonly kind: "record";
  readonly keyPattern: RegExp;
  readonly keyAllowed: string;
  readonly values: StringField;
  readonly maxEntries: number;
}

/**
 * An object whose allowed fields depend on one discriminating field (e.g. a DAG bundle's `source`): each variant
 * is an object spec of its own, the discriminator included.
 */
export interface VariantField extends FieldBase {
  readonly kind: "variant";
  readonly discriminator: string;
  /** Noun used in messages, e.g. "DAG bundle" ("is not a field of a git DAG bundle"). */
  readonly noun: string;
  readonly variants: Readonly<Record<string, ObjectField>>;
}

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

/** Checks `value` against `spec`, appending issues; returns nothing (the caller decides whether to go on). */
export function checkShape(spec: FieldSpec, value: unknown, path: string, issues: FieldIssue[]): void {
  if (value === undefined) {
    if (spec.default === undefined && !spec.optional && !spec.derived) {
      issues.push({ path, value, problem: `is required; expected ${expectation(spec)}` });
    }
    return;
  }
  switch (spec.kind) {
    case "string":
      if (typeof value !== "string") {
        issues.push({ path, value, problem: `is a ${typeName(value)}; expected a string: ${spec.allowed}` });
      } else if ((spec.oneOf && !spec.oneOf.includes(value)) || (spec.pattern && !spec.pattern.test(value))) {
        issues.push({ path, value, problem: `is not allowed; expected ${spec.allowed}` });
      }
      return;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        issues.push({ path, value, problem: `is a ${typeName(value)}; expected ${expectation(spec)}` });
      } else if (value < spec.min || value > spec.max || (spec.oneOf && !spec.oneOf.includes(value))) {
        issues.push({ path, value, problem: `is out of range; expected ${expectation(spec)}` });
      }
      return;
    case "boolean":
      if (typeof value !== "boolean") issues.push({ path, value, problem: `is a ${typeName(value)}; expected true or false` });
      return;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        issues.push({ path, value, problem: `is a ${typeName(value)}; expected an object with fields ${Object.keys(spec.fields).join(", ")}` });
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (key === "$schema" && path === "") continue;
        if (!(key in spec.fields)) {
          issues.push({
            path: join(path, key),
            value: record[key],
            problem: `is not a known field; allowed fields here: ${Object.keys(spec.fields).join(", ")}`,
          });
        }
      }
      for (const [key, field] of Object.entries(spec.fields)) checkShape(field, record[key], join(path, key), issues);
      return;
    }
    case "array":
      if (!Array.isArray(value)) {
        issues.push({ path, value, problem: `is a ${typeName(value)}; expected ${expectation(spec)}` });
        return;
      }
      if (value.length < spec.minItems || value.length > spec.maxItems) {
        issues.push({ path, value, problem: `has ${value.length} entries; expected ${expectation(spec)}` });
      }
      value.forEach((item, i) => checkShape(spec.items, item, `${path}[${i}]`, issues));
      return;
    case "variant": {
      const variant = variantOf(spec, value);
      if (!variant) {
        const kinds = Object.keys(spec.variants)
          .map((k) => `"${k}"`)
          .join(", ");
        const found = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[spec.discriminator] : undefined;
        issues.push(
          typeof value !== "object" || value === null || Array.isArray(value)
            ? { path, value, problem: `is a ${typeName(value)}; expected ${expectation(spec)}` }
            : {
                path: join(path, spec.discriminator),
                value: found,
                problem: `${found === undefined ? "is required" : "is not allowed"}; expected one of ${kinds}`,
              },
        );
        return;
      }
      checkShape(variant, value, path, issues);
      return;
    }
    case "record": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        issues.push({ path, value, problem: `is a ${typeName(value)}; expected an object of ${spec.keyAllowed} to strings` });
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > spec.maxEntries) {
        issues.push({ path, value, problem: `has ${entries.length} entries; at most ${spec.maxEntries} allowed` });
      }
      for (const [key, item] of entries) {
        if (!spec.keyPattern.test(key)) issues.push({ path: join(path, key), value: key, problem: `is not an allowed key; expected ${spec.keyAllowed}` });
        checkShape(spec.values, item, join(path, key), issues);
      }
      return;
    }
  }
}

/** The variant an object selects through its discriminator, if it names a known one. */
export function variantOf(spec: VariantField, value: unknown): ObjectField | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const kind = (value as Record<string, unknown>)[spec.discriminator];
  return typeof kind === "string" && Object.prototype.hasOwnProperty.call(spec.variants, kind) ? spec.variants[kind] : undefined;
}

function expectation(spec: FieldSpec): string {
  switch (spec.kind) {
    case "string":
      return `a string: ${spec.allowed}`;
    case "integer":
      return spec.oneOf ? `one of ${spec.oneOf.join(", ")}` : `an integer from ${spec.min} to ${spec.max}`;
    case "boolean":
      return "true or false";
    case "object":
      return `an object with fields ${Object.keys(spec.fields).join(", ")}`;
    case "array":
      return spec.minItems === spec.maxItems ? `a list of exactly ${spec.minItems} entries` : `a list of ${spec.minItems} to ${spec.maxItems} entries`;
    case "record":
      return `an object of ${spec.keyAllowed} to strings`;
    case "variant":
      return `a ${spec.noun} object with ${spec.discriminator} ${Object.keys(spec.variants)
        .map((k) => `"${k}"`)
        .join(", ")}`;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Returns a copy of `value` with every absent static default filled in (value must already pass `checkShape`). */
export function applyDefaults(spec: FieldSpec, input: unknown): unknown {
  let value = input;
  if (value === undefined) {
    if (spec.default === undefined) return undefined;
    value = structuredClone(spec.default);
  }
  if (spec.kind === "object") {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(spec.fields)) {
      const filled = applyDefaults(field, record[key]);
      if (filled !== undefined) out[key] = filled;
    }
    return out;
  }
  if (spec.kind === "array") return (value as unknown[]).map((item) => applyDefaults(spec.items, item));
  if (spec.kind === "variant") return applyDefaults(variantOf(spec, value)!, value);
  return value;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
