/** A readable summary of how a committed catalogue differs from a freshly generated one (for --check). */
import type { AirflowOptionCatalogue } from "../../config/airflow-options/catalogue";
import { sortKeysDeep } from "./build";

/** At most this many lines per kind of change. */
const MAX_LINES = 20;

type Options = AirflowOptionCatalogue["options"];

function optionNames(options: Options): Set<string> {
  return new Set(Object.entries(options).flatMap(([section, keys]) => Object.keys(keys).map((key) => `${section}\u0000${key}`)));
}

const show = (name: string) => name.replace("\u0000", ".");

/** The fields of an option that differ: `type "string" -> "integer"`. */
function changedFields(before: object, after: object): string[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return fields
    .filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]))
    .map((f) => `${f} ${JSON.stringify(b[f]) ?? "(none)"} -> ${JSON.stringify(a[f]) ?? "(none)"}`);
}

function capped(lines: string[]): string[] {
  return lines.length <= MAX_LINES ? lines : [...lines.slice(0, MAX_LINES), `  ... and ${lines.length - MAX_LINES} more`];
}

/** Lines `+ section.key`, `- section.key`, `~ section.key: field a -> b`, with counts. */
export function optionChanges(committed: Options, generated: Options): { summary: string; lines: string[] } {
  const before = optionNames(committed);
  const after = optionNames(generated);
  const added = [...after].filter((n) => !before.has(n)).sort();
  const removed = [...before].filter((n) => !after.has(n)).sort();
  const spec = (o: Options, n: string) => o[n.split("\u0000")[0]][n.split("\u0000")[1]];
  const changed = [...after]
    .filter((n) => before.has(n))
    .sort()
    .map((n) => ({ n, fields: changedFields(spec(committed, n), spec(generated, n)) }))
    .filter((c) => c.fields.length > 0);
  const lines = [
    ...capped(added.map((n) => `  + ${show(n)}`)),
    ...capped(removed.map((n) => `  - ${show(n)}`)),
    ...capped(changed.map((c) => `  ~ ${show(c.n)}: ${c.fields.join(", ")}`)),
  ];
  const summary = `${added.length} option${added.length === 1 ? "" : "s"} added, ${removed.length} removed, ${changed.length} changed`;
  return { summary, lines };
}

/** The fields outside `options` that differ: `source.note`, `freeFormSections`. */
function otherChanges(committed: AirflowOptionCatalogue, generated: AirflowOptionCatalogue): string[] {
  const differs = (a: unknown, b: unknown) => JSON.stringify(sortKeysDeep(a)) !== JSON.stringify(sortKeysDeep(b));
  const before = (committed.source ?? {}) as unknown as Record<string, unknown>;
  const after = generated.source as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const source = keys.filter((k) => differs(before[k], after[k])).map((k) => `source.${k}`);
  return [...source, ...(differs(committed.freeFormSections, generated.freeFormSections) ? ["freeFormSections"] : [])];
}

/** The message for a stale catalogue: what changed, and the command that regenerates it. */
export function driftMessage(relative: string, committedText: string, generated: AirflowOptionCatalogue, command: string): string {
  let committed: AirflowOptionCatalogue;
  try {
    committed = JSON.parse(committedText) as AirflowOptionCatalogue;
  } catch {
    return `${relative} is not valid JSON. Run \`${command}\` and commit ${relative}.`;
  }
  const { summary, lines } = optionChanges(committed.options ?? {}, generated.options);
  const other = otherChanges(committed, generated);
  return [
    `${relative} is stale: it differs from what the templates generate (${summary}${other.length ? `; ${other.join(" and ")} changed` : ""}${
      lines.length === 0 && other.length === 0 ? "; formatting only" : ""
    }).`,
    ...lines,
    `Run \`${command}\` and commit ${relative}.`,
  ].join("\n");
}
