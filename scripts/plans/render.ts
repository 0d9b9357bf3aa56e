/**
 * The plan summary as Markdown for a PR comment and the job summary: a headline, the changes to review first, a table
 * of counts per stack, then per stack the changed resources and attributes, cut to fit a size limit.
 */
import { code, count, fittedBlock, GITHUB_COMMENT_LIMIT, plain } from "../lib/markdown";
import { analyse, emptyCounts, KIND_ORDER, type StackAnalysis, type StackPlanInput } from "./analysis";
import type { Danger } from "./dangers";
import { DETAILS_CLOSE, detailsHeader, outputsLine, resourceEntry } from "./details";
import { reviewFirstSection } from "./review-first";
import { changeSummary, COLUMNS, UPSTREAM_STATUS } from "./words";

export interface SummaryOptions {
  readonly environment?: string;
  readonly title?: string;
  /** Direct upstream stacks of each stack (from the stacks tool): marks provisional plans. */
  readonly upstream?: Readonly<Record<string, readonly string[]>>;
  readonly runUrl?: string;
  /** @default 60000 */
  readonly maxChars?: number;
}

/** Renders the summary; never longer than `maxChars`. */
export function renderPlanSummary(inputs: readonly StackPlanInput[], options: SummaryOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const analysis = analyse(inputs, options.upstream ?? {});
  const dangers = analysis.flatMap((s) => s.dangers);
  const title = options.title ?? `Terraform plan${options.environment ? `: ${options.environment}` : ""}`;
  const truncationNote = `\n_Details truncated to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit; the full plans are in the ${options.runUrl ? `[workflow run's artifacts](${options.runUrl})` : "workflow run's artifacts"}._\n`;

  let text = `### ${plain(title)}\n\n${headline(analysis, dangers, options.environment)}${reviewFirstSection(dangers, analysis)}${table(analysis)}\n`;
  const budget = maxChars - truncationNote.length;
  if (text.length > budget) return `${text.slice(0, Math.max(0, budget - 2))}…\n${truncationNote}`.slice(0, maxChars);

  let truncated = false;
  for (const s of analysis) {
    if (s.status !== "changes") continue;
    const plan = inputs.find((i) => i.id === s.id)?.plan;
    const entries = s.changes.map(resourceEntry);
    const outputs = outputsLine(s, plan);
    const full = detailsHeader(s, false) + entries.join("") + outputs + DETAILS_CLOSE;
    if (!truncated && text.length + full.length <= budget) {
      text += full;
      continue;
    }
    // Does not fit: as many entries as fit, then a count of the rest.
    truncated = true;
    const header = detailsHeader(s, true);
    const restNote = (n: number) => `- … ${count(n, "more resource")} not shown (comment size limit)\n`;
    const block = fittedBlock({ used: text.length, budget, open: header, entries, rest: restNote, close: DETAILS_CLOSE });
    if (block === undefined) {
      const omitted = `- ${code(s.id)}: details omitted (comment size limit)\n`;
      if (text.length + omitted.length <= budget) text += omitted;
      continue;
    }
    text += block;
  }
  return truncated ? text + truncationNote : text;
}

function headline(stacks: readonly StackAnalysis[], dangers: readonly Danger[], environment: string | undefined): string {
  const total = emptyCounts();
  for (const s of stacks) for (const k of KIND_ORDER) total[k] += s.counts[k];
  const changing = stacks.filter((s) => s.status === "changes").length;
  const failed = stacks.filter((s) => s.status === "failed");
  const notPlanned = stacks.filter((s) => s.status === "not-planned");
  const provisional = stacks.filter((s) => s.provisionalBecause.length > 0 && s.status !== "failed" && s.status !== "not-planned");
  const subject = environment ? `**${plain(environment)}**: ` : "";
  const parts = [
    changing === 0
      ? `${subject}no changes in ${count(stacks.length, "stack")}`
      : `${subject}${changing} of ${count(stacks.length, "stack")} change: ${changeSummary(total)}`,
  ];
  const reviewed = new Set(dangers.map((d) => `${d.stack} ${d.address}`)).size;
  if (reviewed > 0) parts.push(`⚠️ **${reviewed} to review first**`);
  if (provisional.length > 0) parts.push(`⏳ ${provisional.length} provisional`);
  if (failed.length > 0) parts.push(`❌ ${failed.length} failed (${failed.map((s) => code(s.id)).join(", ")})`);
  if (notPlanned.length > 0) parts.push(`❔ ${notPlanned.length} not planned (${notPlanned.map((s) => code(s.id)).join(", ")})`);
  if (changing === 0 && failed.length === 0 && notPlanned.length === 0) parts[0] += " ✅";
  return `${parts.join(" · ")}\n`;
}

function statusCell(s: StackAnalysis): string {
  const notes: string[] = [];
  if (s.status === "failed") notes.push("❌ failed (see the job log)");
  if (s.status === "not-planned") notes.push("❔ not planned");
  if (s.status === "no-changes") notes.push("✅ no changes");
  const reviewed = new Set(s.dangers.map((d) => d.address)).size;
  if (reviewed > 0) notes.push(`⚠️ ${reviewed} to review`);
  if (s.counts.forget > 0) notes.push(`${s.counts.forget} to forget`);
  if (s.provisionalBecause.length > 0 && s.status !== "failed" && s.status !== "not-planned") {
    notes.push(`⏳ provisional (upstream ${s.provisionalBecause.map((u) => `${u.id} ${UPSTREAM_STATUS[u.status]}`).join(", ")})`);
  }
  if (s.errored) notes.push("plan errored");
  return notes.join("; ");
}

function table(analysis: readonly StackAnalysis[]): string {
  const header = "\n| Stack | Create | Update | Replace | Delete | Status |\n|---|---:|---:|---:|---:|---|\n";
  const rows = analysis.map((s) => {
    const cells = s.status === "failed" || s.status === "not-planned" ? COLUMNS.map(() => "–") : COLUMNS.map((k) => String(s.counts[k]));
    return `| ${plain(s.id)} | ${cells.join(" | ")} | ${plain(statusCell(s))} |\n`;
  });
  return header + rows.join("");
}
