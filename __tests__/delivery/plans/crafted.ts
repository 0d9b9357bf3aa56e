/**
 * The crafted plan fixtures (__tests__/delivery/fixtures/plans), their summary, and readers of the rendered Markdown
 * (the review-first list, a table row).
 */
import * as fs from "fs";
import * as path from "path";
import type { StackPlanInput } from "../../../scripts/plans/analysis";
import { renderPlanSummary } from "../../../scripts/plans/render";
import { parsePlan, type PlanJson } from "../../../scripts/lib/terraform-plan";

export const FIXTURES = path.join(__dirname, "..", "fixtures", "plans");
export const fixture = (id: string): PlanJson => parsePlan(fs.readFileSync(path.join(FIXTURES, `plan-${id}.json`), "utf8"), id);
export const ORDER = JSON.parse(fs.readFileSync(path.join(FIXTURES, "stacks-dev.json"), "utf8")) as { stacks: string[]; upstream: Record<string, string[]> };

/** Every sensitive value of the crafted plans (they all contain this marker). */
export const SECRET_MARKER = "do-not-print";

/** The crafted environment: four planned stacks with every kind of change, and a failed one. */
export const CRAFTED_INPUTS: StackPlanInput[] = [
  ...["dev-network", "dev-storage", "dev-iam", "dev-compute"].map((id) => ({ id, plan: fixture(id) })),
  { id: "dev-services", failed: true },
];

export const CRAFTED_SUMMARY = renderPlanSummary(CRAFTED_INPUTS, {
  environment: "dev",
  upstream: ORDER.upstream,
  runUrl: "https://github.com/example-org/airflow-ecs/actions/runs/1",
});

/** The lines of the danger section (between its heading and the table). */
export function dangerLines(markdown: string): string[] {
  const start = markdown.indexOf("#### ⚠️ Review first");
  if (start < 0) return [];
  const end = markdown.indexOf("| Stack |", start);
  return markdown
    .slice(start, end)
    .split("\n")
    .filter((l) => l.startsWith("- "));
}

export function tableRow(markdown: string, stack: string): string[] {
  const row = markdown.split("\n").find((l) => l.startsWith(`| ${stack} |`));
  if (!row) throw new Error(`no table row for ${stack}`);
  return row
    .split("|")
    .slice(2, -1)
    .map((c) => c.trim());
}
