/**
 * Single-AZ failure report of one environment, derived from its synthesized stacks: for each tier (NAT egress, ALB,
 * api-server, scheduler, dag-processor, triggerer, each worker pool, RDS, Redis, EFS, the ECS container instances,
 * Lambda functions, and the operator tools: Flower, bastion) whether losing any one AZ keeps it serving, and why.
 * See scripts/analysis/az-failure.ts for the verdicts and scripts/analysis/az/ for the rules of each tier. Always
 * exits 0 on a readable environment.
 *
 *   npm run az-report -- --env prod            # Markdown
 *   npm run az-report -- --env dev --json      # machine-readable
 *   npm run az-report -- --env prod --from cdktf.out   # read an existing synth instead of synthesizing
 */
import { analyzeAzFailure } from "./analysis/az-failure";
import { renderAzReport } from "./analysis/az/render";
import { reportCommand } from "./analysis/report-command";
import { runAsProcess } from "./lib/cli";

const command = reportCommand({
  script: "az-report",
  verb: "analyse",
  jsonShape: "{ environment, availabilityZones, stacks, verdicts, tiers[], summary } as JSON",
  analyze: analyzeAzFailure,
  render: renderAzReport,
});

export const USAGE = command.usage;
export const main = command.main;

if (require.main === module) runAsProcess(main);
