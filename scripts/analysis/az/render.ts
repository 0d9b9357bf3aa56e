/** The single-AZ failure report as Markdown. */
import type { AzReport } from "../az-failure";
import type { TierResult, Verdict } from "./verdict";

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The verdict, bold unless serving, with the verdict per lost AZ when it differs between AZs. */
function verdictCell(tier: TierResult): string {
  const text = tier.verdict === "serving" ? "serving" : `**${tier.verdict}**`;
  const perAz = Object.entries(tier.byAz);
  return new Set(perAz.map(([, v]) => v)).size > 1 ? `${text} (${perAz.map(([az, v]) => `${az} lost: ${v}`).join("; ")})` : text;
}

/** The report as Markdown: a summary line, the verdict legend, and one table per group of tiers. */
export function renderAzReport(report: AzReport): string {
  const table = (tiers: readonly TierResult[]) => [
    "| Tier | Verdict | Why |",
    "|---|---|---|",
    ...tiers.map((t) => `| ${cell(t.tier)} | ${verdictCell(t)} | ${cell(t.why)} |`),
  ];
  const critical = report.tiers.filter((t) => t.critical);
  const operator = report.tiers.filter((t) => !t.critical);
  return [
    `# Single-AZ failure: ${report.environment} (${report.availabilityZones.join(", ")})`,
    "",
    `Derived from the synthesized stacks ${report.stacks.join(", ")}; each tier is checked against the loss of each AZ and the worst case is shown.`,
    "",
    `**${report.summary}**`,
    "",
    ...(Object.entries(report.verdicts) as [Verdict, string][]).map(([v, text]) => `- **${v}**: ${text}`),
    "",
    "## Serving path",
    "",
    ...table(critical),
    ...(operator.length > 0 ? ["", "## Operator tools (not on the serving path)", "", ...table(operator)] : []),
    "",
  ].join("\n");
}
