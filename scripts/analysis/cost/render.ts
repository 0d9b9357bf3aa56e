/** The cost estimate as Markdown. */
import type { CostReport } from "../cost-estimate";

const money = (n: number): string => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The report as Markdown: totals per stack, then every stack's line items, then the table's assumptions. */
export function renderCostReport(report: CostReport): string {
  const p = report.priceTable;
  const lines = [
    `# Monthly run-rate estimate: ${report.environment} (${report.region})`,
    "",
    `Approximate on-demand list prices in ${report.currency} from ${p.file} (compiled ${p.compiled}; ${p.pricesAsOf}; ${p.source}). ${p.hoursPerMonth} hours per month. **Steady state** (the headline) = Auto Scaling groups at min_size and worker pools at their autoscaling minimum; **at max** = ASGs at max_size, pools at their max count, RDS storage at its autoscaling ceiling.`,
    "",
    "| Stack | Steady state / month | At max / month |",
    "|---|---:|---:|",
    ...report.stacks.map((s) => `| ${s.stack} | ${money(s.monthly)} | ${money(s.monthlyAtMax)} |`),
    `| **${report.environment} total** | **${money(report.total.monthly)}** | **${money(report.total.monthlyAtMax)}** |`,
    ...report.shared.map(
      (s) => `| ${s.stack} (state bucket shared by the environments of its account; not in the total) | ${money(s.monthly)} | ${money(s.monthlyAtMax)} |`,
    ),
    ...hibernationLines(report),
  ];
  for (const s of [...report.stacks, ...report.shared]) {
    lines.push("", `## ${s.stack}`, "");
    if (s.items.length === 0) {
      lines.push("No billable resources.");
      continue;
    }
    lines.push(
      "| Item | Steady state | At max | Basis |",
      "|---|---:|---:|---|",
      ...s.items.map((i) => `| ${cell(i.item)} | ${money(i.monthly)} | ${money(i.monthlyAtMax)} | ${cell(i.basis)} |`),
    );
  }
  lines.push("", "## Assumptions", "", ...p.assumptions.map((a) => `- ${a}`), "", "## Not included", "", ...p.excluded.map((e) => `- ${e}`), "");
  return lines.join("\n");
}

/** The hibernation paragraph under the totals: hours, what stops, the saving, the steady state with it. */
function hibernationLines(report: CostReport): string[] {
  const h = report.hibernation;
  if (!h) return [];
  const windows = h.schedules.map((s) => `${s.action} ${s.expression} ${s.timezone}`).join("; ");
  return [
    "",
    `**Hibernation** (${windows}): ${h.hoursPerWeek} h a week (${(h.share * 100).toFixed(1)}% of the time) with the container instances, Fargate tasks and RDS instance stopped. They cost ${money(h.stoppable)} a month at steady state, so hibernation saves about **${money(h.monthlySaving)}** a month: **${money(h.monthlyWithHibernation)}** instead of ${money(report.total.monthly)}. NAT gateways, the ALB, ElastiCache, EFS, S3, RDS storage and the rest keep billing.`,
  ];
}
