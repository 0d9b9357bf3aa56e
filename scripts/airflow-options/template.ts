/**
 * Parsing of Airflow's YAML config templates (config.yml, provider.yaml) into plain values, keeping every scalar as
 * the template writes it.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { SourceError, type TemplateFile } from "./sources";

/** A template value: strings (and the source text of other scalars), null, lists and mappings. */
export type TemplateValue = string | null | TemplateValue[] | { [key: string]: TemplateValue };

/** The index of the quote closing a double-quoted scalar that starts at `from`, or -1 when the line does not close it. */
function closingQuote(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === '"') return i;
  }
  return -1;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * Indents the continuation lines of multi-line double-quoted values that are not indented more than their key.
 * Airflow reads its templates with PyYAML, which accepts such lines, e.g. in providers/cncf/kubernetes/provider.yaml:
 *
 *         default: "CreateContainerConfigError,...,ImageInspectError,\
 *         InvalidImageName"
 *
 * The `yaml` package rejects them (YAML 1.2 requires more indentation). Leading white space of a continuation line is
 * not part of a double-quoted value (folded or escaped line break), so indenting it does not change the value.
 */
export function normalizeQuotedContinuations(text: string): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)[A-Za-z0-9_.-]+:\s+"/.exec(lines[i]);
    if (!open || closingQuote(lines[i], open[0].length) >= 0) continue;
    const end = continuationEnd(lines, i, open[1].length);
    if (end === undefined) continue;
    for (let j = i + 1; j <= end; j++) {
      if (lines[j].trim() !== "" && indentOf(lines[j]) <= open[1].length) lines[j] = " ".repeat(open[1].length + 2) + lines[j].trimStart();
    }
    i = end;
  }
  return lines.join("\n");
}

/**
 * The line closing the quoted value opened on line `start`, when it is near and no line before it could be YAML
 * structure at or left of the key (a `key:` or a list item); otherwise undefined and the text is left as it is.
 */
function continuationEnd(lines: readonly string[], start: number, keyIndent: number): number | undefined {
  for (let j = start + 1; j < Math.min(lines.length, start + 20); j++) {
    const line = lines[j];
    if (closingQuote(line, 0) >= 0) return j;
    if (indentOf(line) <= keyIndent && /^\s*([A-Za-z0-9_.-]+:(\s|$)|- )/.test(line)) return undefined;
  }
  return undefined;
}

/** A YAML node as a plain value; numbers and booleans become their source text ("1.0", "False"), as Airflow keeps them. */
function toValue(node: unknown): TemplateValue {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    if (node.value === null || node.value === undefined) return null;
    return typeof node.value === "string" ? node.value : (node.source ?? String(node.value));
  }
  if (isSeq(node)) return node.items.map((item) => toValue(item));
  if (isMap(node)) {
    const out: { [key: string]: TemplateValue } = {};
    for (const pair of node.items) out[String(toValue(pair.key))] = toValue(pair.value);
    return out;
  }
  throw new Error(`unsupported YAML node: ${String(node)}`);
}

/** The template's top-level mapping; throws SourceError with file and line on a YAML error. */
export function parseTemplate(file: TemplateFile): { [key: string]: TemplateValue } {
  const doc = parseDocument(normalizeQuotedContinuations(file.text), { prettyErrors: true });
  if (doc.errors.length > 0) throw new SourceError(`${file.path}: invalid YAML: ${doc.errors[0].message}`);
  const value = toValue(doc.contents as Node | null);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SourceError(`${file.path}: expected a mapping at the top level`);
  return value;
}
