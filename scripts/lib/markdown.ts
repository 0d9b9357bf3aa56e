/** Markdown helpers shared by the plan summary and the synth diff (GitHub-flavoured, for PR comments). */

/** GitHub rejects issue and PR comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** An inline code span holding `text` verbatim (on one line; backticks inside are fenced correctly). */
export function code(text: string): string {
  const oneLine = text.replace(/\r?\n/g, "⏎");
  const runs = oneLine.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = oneLine.startsWith("`") || oneLine.endsWith("`") || oneLine === "" ? " " : "";
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** Text for a table cell or summary line: no pipes, no newlines, no HTML. */
export function plain(text: string): string {
  return text
    .replace(/[|]/g, "\\|")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/\r?\n/g, " ");
}

/** A value shown compactly: strings as they are (empty as `""`), everything else as JSON, cut at `max` characters. */
export function compact(value: unknown, max = 120): string {
  const text = typeof value === "string" && value !== "" && !/[\r\n]/.test(value) ? value : (JSON.stringify(value) ?? "null");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `n thing` / `n things`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/**
 * A collapsible block cut to fit: `open`, as many `entries` as fit so `used` plus the block stays within `budget`,
 * a count of the rest (`rest(n)`), and `close`. Undefined when not even the frame and the count fit.
 */
export function fittedBlock(options: {
  readonly used: number;
  readonly budget: number;
  readonly open: string;
  readonly entries: readonly string[];
  readonly rest: (n: number) => string;
  readonly close: string;
}): string | undefined {
  const { used, budget, open, entries, rest, close } = options;
  const reserve = open.length + close.length + rest(entries.length).length;
  if (used + reserve > budget) return undefined;
  let block = open;
  let shown = 0;
  for (const entry of entries) {
    if (used + block.length + entry.length + reserve - open.length > budget) break;
    block += entry;
    shown++;
  }
  return block + rest(entries.length - shown) + close;
}
