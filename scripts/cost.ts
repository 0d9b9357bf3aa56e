/**
 * Monthly run-rate estimate of one environment, per stack and in total, from its synthesized stacks and the dated
 * price table scripts/analysis/prices-eu-west-1.ts (approximate eu-west-1 on-demand list prices; see the file for
 * its date, source and assumptions). The headline is the steady state (ASGs at min_size, worker pools at their
 * minimum); "at max" shows the ceiling. A size missing from the table is an error naming it and the table file.
 *
 *   npm run cost -- --env dev
 *   npm run cost -- --env prod --json
 *   npm run cost -- --env prod --from cdktf.out   # read an existing synth instead of synthesizing
 */
import { estimateCost } from "./analysis/cost-estimate";
import { renderCostReport } from "./analysis/cost/render";
import { reportCommand } from "./analysis/report-command";
import { runAsProcess } from "./lib/cli";

const command = reportCommand({
  script: "cost",
  verb: "estimate",
  jsonShape: "{ environment, region, priceTable, stacks[{ stack, items, monthly, monthlyAtMax }], total, shared }",
  analyze: estimateCost,
  render: renderCostReport,
});

export const USAGE = command.usage;
export const main = command.main;

if (require.main === module) runAsProcess(main);
