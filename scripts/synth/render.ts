/** The synth diff as Markdown: headline, warnings, a table per stack, then each stack's changes, cut to fit a size limit. */
import { formatPath, type Difference } from "../lib/json-diff";
import { code, compact, count, fittedBlock, plain } from "../lib/markdown";
import { displayText, SENSITIVE } from "../lib/redaction";
import type { StackDiff, SynthDiff } from "./diff";

const MAX_DIFFERENCE_LINES = 25;

function value(v: unknown, max = 120): string {
  return code(displayText(compact(v, max)));
}

function differenceLine(d: Difference): string {
  const name = code(displayText(formatPath(d.path)));
  const shown = (v: unknown) => displayText(compact(v));
  if (d.kind === "changed" && shown(d.before) === SENSITIVE && shown(d.after) === SENSITIVE) return `  - ${name}: (sensitive value changed)\n`;
  // Whole blocks (an added IAM statement) get more room than single values.
  if (d.kind === "added") return `  - ${name}: (added) ${value(d.after, 300)}\n`;
  if (d.kind === "removed") return `  - ${name}: ${value(d.before, 300)} → (removed)\n`;
  if (Array.isArray(d.before) && Array.isArray(d.after)) {
    const plus = d.after.filter((x) => !(d.before as unknown[]).some((y) => JSON.stringify(y) === JSON.stringify(x)));
    const minus = d.before.filter((x) => !(d.after as unknown[]).some((y) => JSON.stringify(y) === JSON.stringify(x)));
    if (plus.length + minus.length > 0) {
      return `  - ${name}: ${[...plus.map((x) => `+ ${value(x)}`), ...minus.map((x) => `− ${value(x)}`)].join(", ")}\n`;
    }
    return `  - ${name}: reordered ${value(d.before)} → ${value(d.after)}\n`;
  }
  return `  - ${name}: ${value(d.before)} → ${value(d.after)}\n`;
}

function stackEntries(s: StackDiff): string[] {
  return [
    ...s.removed.map((a) => `- ➖ removed ${code(a)}\n`),
    ...s.added.map((a) => `- ➕ added ${code(a)}\n`),
    ...s.modified.map((m) => {
      const lines = m.differences.slice(0, MAX_DIFFERENCE_LINES).map(differenceLine);
      if (m.differences.length > lines.length) lines.push(`  - … ${count(m.differences.length - lines.length, "more difference")}\n`);
      return `- ✏️ modified ${code(m.address)}\n${lines.join("")}`;
    }),
  ];
}

function tally(s: StackDiff): string {
  return `+${s.added.length} −${s.removed.length} ~${s.modified.length}`;
}

export interface RenderOptions {
  readonly title?: string;
  /** @default 60000 */
  readonly maxChars?: number;
}

export function renderSynthDiff(diff: SynthDiff, options: RenderOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const title = options.title ?? "Synth diff (base → head)";
  const totals = diff.changed.reduce(
    (t, s) => ({ added: t.added + s.added.length, removed: t.removed + s.removed.length, modified: t.modified + s.modified.length }),
    { added: 0, removed: 0, modified: 0 },
  );
  const parts: string[] = [];
  if (diff.changed.length === 0 && diff.addedStacks.length === 0 && diff.removedStacks.length === 0) {
    parts.push("no change to the synthesized configuration ✅");
  } else if (diff.changed.length > 0) {
    parts.push(`**${count(diff.changed.length, "stack")} changed**: ${totals.added} added, ${totals.removed} removed, ${totals.modified} modified blocks`);
  }
  if (diff.addedStacks.length > 0)
    parts.push(`➕ new ${diff.addedStacks.length === 1 ? "stack" : "stacks"} ${diff.addedStacks.map((s) => code(s.id)).join(", ")}`);
  if (diff.removedStacks.length > 0)
    parts.push(`➖ removed ${diff.removedStacks.length === 1 ? "stack" : "stacks"} ${diff.removedStacks.map((s) => code(s.id)).join(", ")}`);

  let text = `### ${plain(title)}\n\n${parts.join(" · ")}\n`;
  if (diff.baseMissing) text += "\n> The base has no synth output (it failed to synthesize or predates the app): everything is shown as new.\n";
  if (diff.removedStacks.length > 0) {
    text += `\n> ⚠️ A removed stack is only dropped from CI: its resources stay deployed until the stack is destroyed by hand (\`terraform destroy\` in dependency-reverse order, \`npm run stacks -- --env <env> --reverse\`).\n`;
  }

  const rows = [
    ...diff.changed.map((s) => `| ${plain(s.id)} | ${s.added.length} | ${s.removed.length} | ${s.modified.length} | |\n`),
    ...diff.addedStacks.map((s) => `| ${plain(s.id)} | ${s.blocks} | 0 | 0 | new stack (${count(s.blocks, "resource")}) |\n`),
    ...diff.removedStacks.map((s) => `| ${plain(s.id)} | 0 | ${s.blocks} | 0 | removed stack |\n`),
  ];
  if (rows.length > 0) text += `\n| Stack | Added | Removed | Modified | |\n|---|---:|---:|---:|---|\n${rows.join("")}\n`;

  const note = "\n_Synth diff truncated to stay under GitHub's comment size limit; run `npm run synth-diff` locally for all of it._\n";
  const budget = maxChars - note.length;
  if (text.length > budget) return `${text.slice(0, Math.max(0, budget - 2))}…\n${note}`;
  let truncated = false;
  for (const s of diff.changed) {
    const entries = stackEntries(s);
    const open = `<details><summary><b>${plain(s.id)}</b>: ${tally(s)}</summary>\n\n`;
    const close = "\n</details>\n\n";
    const full = open + entries.join("") + close;
    if (!truncated && text.length + full.length <= budget) {
      text += full;
      continue;
    }
    truncated = true;
    const rest = (n: number) => `- … ${count(n, "more change")} not shown\n`;
    text += fittedBlock({ used: text.length, budget, open, entries, rest, close }) ?? "";
  }
  return truncated ? text + note : text;
}
