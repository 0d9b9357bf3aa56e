/**
 * Renders a spec as a Markdown reference: one row per field with its type, its default (static, derived or none),
 * what it accepts (in the words of the messages that reject it) and its doc. `npm run config-doc` writes it.
 */
import { expectation } from "./check";
import type { FieldSpec, ObjectField, VariantField } from "./language";

export interface FieldRow {
  /** e.g. `network.azCount`, `workerPools[].name`, `dags.bundles[].repository`. */
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly allowed: string;
  readonly doc: string;
}

/** The field's type in a few words: `string`, `"per-az" | "single"`, `list of object`, `map of string`, ... */
export function typeOf(spec: FieldSpec): string {
  switch (spec.kind) {
    case "string":
      return spec.oneOf ? spec.oneOf.map((v) => `"${v}"`).join(" | ") : "string";
    case "union":
      return spec.members.map(typeOf).join(" | ");
    case "array":
      return `list of ${typeOf(spec.items)}`;
    case "record":
      return `map of ${typeOf(spec.values)}`;
    case "variant":
      return `${spec.noun} (by ${spec.discriminator})`;
    default:
      return spec.kind;
  }
}

/** What an absent field becomes: its static default, its derivation in words, nothing (optional), or required. */
export function defaultOf(spec: FieldSpec): string {
  if (spec.derive) return spec.derive.describe;
  if (spec.default !== undefined) return `\`${JSON.stringify(spec.default)}\``;
  return spec.optional ? "none (optional)" : "**required**";
}

const SCALARS: readonly FieldSpec["kind"][] = ["string", "integer", "number", "boolean", "union"];

/** What a field accepts: the words of its messages, plus what each entry accepts for lists and maps of scalars. */
export function allowedOf(spec: FieldSpec): string {
  if (spec.kind === "object") return "an object with the fields below";
  const entry = spec.kind === "array" ? spec.items : spec.kind === "record" ? spec.values : undefined;
  return entry && SCALARS.includes(entry.kind) ? `${expectation(spec)}, each ${expectation(entry)}` : expectation(spec);
}

const row = (path: string, spec: FieldSpec, doc = spec.doc ?? ""): FieldRow => ({
  path,
  type: typeOf(spec),
  default: defaultOf(spec),
  allowed: allowedOf(spec),
  doc,
});

/** The rows of `spec` at `path` and of everything under it (a list's items at `[]`, a record's values at `.<key>`). */
export function fieldRows(spec: FieldSpec, path: string): FieldRow[] {
  return [row(path, spec), ...childRows(spec, path)];
}

function childRows(spec: FieldSpec, path: string): FieldRow[] {
  switch (spec.kind) {
    case "object":
      return Object.entries(spec.fields).flatMap(([key, field]) => fieldRows(field, path ? `${path}.${key}` : key));
    case "array":
      return childRows(spec.items, `${path}[]`);
    case "record":
      return childRows(spec.values, `${path}.<key>`);
    case "variant":
      return variantRows(spec, path);
    default:
      return [];
  }
}

/** The discriminator, then each field once, marked with the variants it belongs to unless it belongs to all. */
function variantRows(spec: VariantField, path: string): FieldRow[] {
  const kinds = Object.keys(spec.variants);
  const discriminator: FieldRow = {
    path: `${path}.${spec.discriminator}`,
    type: kinds.map((k) => `"${k}"`).join(" | "),
    default: "**required**",
    allowed: expectation(spec),
    doc: kinds.map((k) => `\`${k}\`: ${spec.variantDocs?.[k] ?? ""}`.trim()).join(" "),
  };
  const owners = new Map<FieldSpec, { key: string; kinds: string[] }>();
  for (const [kind, variant] of Object.entries(spec.variants)) {
    for (const [key, field] of Object.entries(variant.fields)) {
      if (key === spec.discriminator) continue;
      const entry = owners.get(field) ?? { key, kinds: [] };
      entry.kinds.push(kind);
      owners.set(field, entry);
    }
  }
  return [
    discriminator,
    ...[...owners].flatMap(([field, { key, kinds: of }]) => {
      const [own, ...rest] = fieldRows(field, `${path}.${key}`);
      const scope = of.length === kinds.length ? "" : `_${of.join(", ")} only:_ `;
      return [{ ...own, doc: `${scope}${own.doc}` }, ...rest];
    }),
  ];
}

/** Text for a table cell: one line, pipes escaped, and `<...>` shown rather than taken for HTML outside code spans. */
function cell(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith("`") ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("")
    .replace(/\|/g, "\\|");
}

function table(rows: readonly FieldRow[]): string[] {
  return [
    "| Field | Type | Default | Allowed | Description |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| \`${cell(r.path)}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.allowed)} | ${cell(r.doc)} |`),
  ];
}

/**
 * The reference of an environment file: the top-level fields without children in one table, then one section per
 * top-level object or list, in spec order.
 */
export function renderConfigReference(spec: ObjectField, intro: readonly string[]): string {
  const groups = Object.entries(spec.fields).map(([key, field]) => ({ key, rows: fieldRows(field, key) }));
  const simple = groups.filter((g) => g.rows.length === 1).flatMap((g) => g.rows);
  const sections = groups.filter((g) => g.rows.length > 1);
  return [...intro, "", "## Top-level fields", "", ...table(simple), ...sections.flatMap(({ key, rows }) => ["", `## ${key}`, "", ...table(rows)]), ""].join(
    "\n",
  );
}
