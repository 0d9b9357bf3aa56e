import * as fs from "fs";
import * as path from "path";
import type { Output } from "./cli";

/** The first line where two texts differ (1-based), for the staleness message. */
export function firstDifference(expected: string, actual: string): { line: number; expected: string; actual: string } | undefined {
  if (expected === actual) return undefined;
  const a = expected.split("\n");
  const b = actual.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { line: i + 1, expected: a[i] ?? "(end of file)", actual: b[i] ?? "(end of file)" };
  }
  return undefined;
}

/** What `--check` (and a staleness test) prints for a stale or missing generated file; undefined when current. */
export function staleMessage(relative: string, generated: string, committed: string | undefined, command: string): string | undefined {
  if (committed === undefined) return `${relative} does not exist; run \`${command}\` to generate it and commit the result`;
  const difference = firstDifference(generated, committed);
  if (!difference) return undefined;
  return [
    `${relative} is stale: it differs from what \`${command}\` generates (first difference at line ${difference.line}).`,
    `  generated: ${difference.expected}`,
    `  committed: ${difference.actual}`,
    `Run \`${command}\` and commit ${relative}.`,
  ].join("\n");
}

/** The markers around a generated section of a hand-written document (e.g. the README). */
export function sectionMarkers(name: string): { readonly begin: string; readonly end: string } {
  return { begin: `<!-- BEGIN generated:${name} -->`, end: `<!-- END generated:${name} -->` };
}

/** `document` with the generated section `name` replaced by `content`; throws when its markers are missing. */
export function replaceSection(document: string, name: string, content: string, relative: string): string {
  const { begin, end } = sectionMarkers(name);
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`${relative} has no generated section "${name}": expected the lines ${begin} and ${end}`);
  return `${document.slice(0, start + begin.length)}\n${content.replace(/\n*$/, "\n")}${document.slice(stop)}`;
}

/** A file a tool generates: whole (`render` ignores the current text) or a section of it. */
export interface GeneratedFile {
  readonly relative: string;
  /** The file's generated text, from its current text (undefined when the file does not exist). */
  readonly render: (current: string | undefined) => string;
  /** Skip the file when it does not exist (a section of a document that only the repository has). */
  readonly onlyIfPresent?: boolean;
}

/**
 * Writes generated files, or with `check` writes nothing and returns 1 when any committed file is stale. `command` is
 * what regenerates them, named in the messages.
 */
export function writeOrCheck(options: { root: string; files: readonly GeneratedFile[]; check: boolean; command: string; out: Output }): number {
  const { root, out } = options;
  let stale = false;
  for (const { relative, render, onlyIfPresent } of options.files) {
    const file = path.resolve(root, relative);
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (current === undefined && onlyIfPresent) continue;
    const generated = render(current);
    if (options.check) {
      const message = staleMessage(relative, generated, current, options.command);
      if (message) out.stderr(`${message}\n`);
      else out.stdout(`${relative} is up to date\n`);
      stale ||= message !== undefined;
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, generated);
    out.stdout(`wrote ${relative}\n`);
  }
  return stale ? 1 : 0;
}
