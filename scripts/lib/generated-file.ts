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

/**
 * Writes a generated document, or with `check` writes nothing and returns 1 when the committed file is stale.
 * `command` is what regenerates it, named in the messages.
 */
export function writeOrCheck(options: { root: string; relative: string; generated: string; check: boolean; command: string; out: Output }): number {
  const { root, relative, generated, out } = options;
  const file = path.resolve(root, relative);
  if (options.check) {
    const message = staleMessage(relative, generated, fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined, options.command);
    if (message) {
      out.stderr(`${message}\n`);
      return 1;
    }
    out.stdout(`${relative} is up to date\n`);
    return 0;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, generated);
  out.stdout(`wrote ${relative}\n`);
  return 0;
}
