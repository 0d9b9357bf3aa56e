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
  return text.replace(/[|]/g, "\\|").replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;")).replace(/\r?\n/g, " ");
}

/** A value shown compactly: strings as they are (empty as `""`), everything else as JSON, cut at `max` characters. */
export function compact(value: unknown, max = 120): string {
  const text = typeof value === "string" && value !== "" && !/[\r\n]/.test(value) ? value : JSON.stringify(value) ?? "null";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `n thing` / `n things`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
