import { Token } from "cdktf";

/**
 * Readers for synthesized (snake_case) attribute values as `TerraformResource.toTerraform()` returns them: literals
 * stay literals, references stay unresolved tokens. A rule that needs a literal treats a token as "not proven".
 */

export type Attributes = Readonly<Record<string, unknown>>;

/** True for a value that holds an unresolved cdktf token (a reference, function call or variable). */
export function isToken(value: unknown): boolean {
  return value !== undefined && value !== null && Token.isUnresolved(value);
}

/** `true`, or the string `"true"` some provider attributes use. */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

/** A literal string, or undefined (absent, token or another type). */
export function literalString(value: unknown): string | undefined {
  return typeof value === "string" && !Token.isUnresolved(value) ? value : undefined;
}

/** A literal number (numeric strings included), or undefined. */
export function literalNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Token.isUnresolved(value) ? undefined : value;
  if (typeof value === "string" && value.trim() !== "" && !Token.isUnresolved(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A block list as an array: absent is empty, a single block (object) is a list of one. */
export function blocks(value: unknown): Attributes[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v): v is Attributes => typeof v === "object" && v !== null);
  return typeof value === "object" ? [value as Attributes] : [];
}

/** The first (single) block of a nested block attribute. */
export function block(value: unknown): Attributes | undefined {
  return blocks(value)[0];
}

/** A list attribute as strings (a token list stays one token element). */
export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

/** How a value reads in a message: literals as JSON, tokens as "a reference", absence as "not set". */
export function show(value: unknown): string {
  if (value === undefined || value === null) return "not set";
  if (isToken(value)) return "an unresolved reference";
  return JSON.stringify(value);
}
