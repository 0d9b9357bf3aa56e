/** The collapsible details of one stack: each changed resource with its attribute changes, then its output changes. */
import { formatPath } from "../lib/json-diff";
import { code, compact, count, plain } from "../lib/markdown";
import { displayText, KNOWN_AFTER_APPLY, redact, SENSITIVE, withUnknowns } from "../lib/redaction";
import { changeKind, type PlanJson, type ResourceChange } from "../lib/terraform-plan";
import type { StackAnalysis } from "./analysis";
import { attributeChanges, type AttributeLine } from "./attributes";
import { changeSummary, UPSTREAM_STATUS } from "./words";

const MAX_ATTRIBUTE_LINES = 30;

export const DETAILS_CLOSE = "\n</details>\n\n";

function valueText(value: unknown, max = 120): string {
  return code(displayText(compact(value, max)));
}

function attributeLine(line: AttributeLine): string {
  const name = code(displayText(line.path));
  const forces = line.forcesReplacement ? " **(forces replacement)**" : "";
  const shown = (value: unknown) => displayText(compact(value));
  if (line.kind === "changed" && shown(line.before) === SENSITIVE && shown(line.after) === SENSITIVE)
    return `  - ${name}: (sensitive value changed)${forces}\n`;
  if ((line.kind === "added" || line.kind === "changed") && line.after === KNOWN_AFTER_APPLY) {
    return `  - ${name}: ${line.kind === "changed" ? `${valueText(line.before)} → ` : ""}(known after apply)${forces}\n`;
  }
  switch (line.kind) {
    case "set":
      return `  - ${name} = ${valueText(line.after)}\n`;
    // Whole blocks (an added IAM statement or ingress rule) get more room than single values.
    case "added":
      return `  - ${name}: (added) ${valueText(line.after, 300)}${forces}\n`;
    case "removed":
      return `  - ${name}: ${valueText(line.before, 300)} → (removed)${forces}\n`;
    case "changed":
      return `  - ${name}: ${valueText(line.before)} → ${valueText(line.after)}${forces}\n`;
  }
}

/** One resource's entry in the details: the action, the address and its attribute changes. */
export function resourceEntry(rc: ResourceChange): string {
  const kind = changeKind(rc.change.actions);
  const lines = attributeChanges(rc.change, kind, formatPath);
  const reason = rc.action_reason ? ` (${plain(rc.action_reason.replace(/_/g, " ").toLowerCase())})` : "";
  const imported = rc.change.importing ? " (import)" : "";
  const shown = lines.slice(0, MAX_ATTRIBUTE_LINES).map(attributeLine);
  if (lines.length > shown.length) shown.push(`  - … ${count(lines.length - shown.length, "more attribute")}\n`);
  return `- **${kind}** ${code(rc.address)}${imported}${reason}\n${shown.join("")}`;
}

export function outputsLine(s: StackAnalysis, plan: PlanJson | undefined): string {
  if (s.outputs.length === 0) return "";
  const items = s.outputs.map((o) => {
    const change = plan?.output_changes?.[o.name];
    if (o.kind !== "update" || !change) return `${o.kind} ${code(o.name)}`;
    const before = displayText(compact(redact(change.before, change.before_sensitive), 60));
    const after = displayText(compact(redact(withUnknowns(change.after, change.after_unknown), change.after_sensitive), 60));
    return `update ${code(o.name)} (${code(before)} → ${code(after)})`;
  });
  return `\nOutputs: ${items.join(", ")}\n`;
}

export function detailsHeader(s: StackAnalysis, truncated: boolean): string {
  const summary = `${plain(s.id)}</b>: ${changeSummary(s.counts) || "no changes"}${truncated ? " (truncated)" : ""}`;
  const notes: string[] = [];
  if (s.provisionalBecause.length > 0) {
    const upstream = s.provisionalBecause.map((u) => `${code(u.id)} (${UPSTREAM_STATUS[u.status]})`).join(", ");
    notes.push(
      `> ⏳ **Provisional**: this plan read the state of ${upstream} as applied today, not as this change leaves it; the apply re-plans it after them.\n\n`,
    );
  }
  if (s.errored) notes.push("> ❌ Terraform reported errors: this plan is incomplete.\n\n");
  if (s.drift.length > 0) notes.push(`Changed outside Terraform since the last apply: ${s.drift.map((a) => code(a)).join(", ")}\n\n`);
  return `<details><summary><b>${summary}</summary>\n\n${notes.join("")}`;
}
