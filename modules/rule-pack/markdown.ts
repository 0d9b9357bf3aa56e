import type { RulePack } from "./packs";
import { stackPatterns, type Suppression } from "./suppression";
import { SUPPRESSIONS } from "./accepted-findings";
import { AIRFLOW_ECS_PACK } from "./packs";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text}\``;

/** The rules of a pack as a Markdown table: id, equivalent ids, what it inspects, why. */
export function renderRulesMarkdown(pack: RulePack = AIRFLOW_ECS_PACK): string {
  const rows = pack.rules.map(
    (r) => `| ${code(r.id)} | ${cell(r.aliases.join(", ") || "—")} | ${cell(r.title)} | ${r.resourceTypes.map(code).join(", ")} | ${cell(r.rationale)} |`,
  );
  return ["| Rule | Also | Check | Inspects | Why |", "|---|---|---|---|---|", ...rows].join("\n") + "\n";
}

/** The suppressions as a Markdown table: rule, stacks, resource, reason. */
export function renderSuppressionsMarkdown(suppressions: readonly Suppression[] = SUPPRESSIONS): string {
  const rows = suppressions.map((s) => `| ${code(s.rule)} | ${stackPatterns(s).map(code).join(", ")} | ${code(s.resource)} | ${cell(s.reason)} |`);
  return ["| Rule | Stacks | Resource | Reason |", "|---|---|---|---|", ...rows].join("\n") + "\n";
}

/** Both tables under headings, ready for the README's security section. */
export function renderPolicyMarkdown(pack: RulePack = AIRFLOW_ECS_PACK, suppressions: readonly Suppression[] = SUPPRESSIONS): string {
  return [
    `### Synth-time policy rules (${pack.rules.length})`,
    "",
    "Applied by `applyPolicies` (modules/rule-pack) to every stack; any unsuppressed finding fails `cdktf synth`.",
    "",
    renderRulesMarkdown(pack),
    `### Accepted findings (${suppressions.length})`,
    "",
    renderSuppressionsMarkdown(suppressions),
  ].join("\n");
}
