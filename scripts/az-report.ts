/**
 * Single-AZ failure report of one environment, derived from its synthesized stacks: for each tier (NAT egress, ALB,
 * api-server, scheduler, dag-processor, triggerer, each worker pool, RDS, Redis, EFS, the ECS container instances,
 * Lambda functions, and the operator tools: Flower, bastion) whether losing any one AZ keeps it serving, and why.
 * See scripts/analysis/az-failure.ts for the verdicts and rules. Always exits 0 on a readable environment.
 *
 *   npm run az-report -- --env prod            # Markdown
 *   npm run az-report -- --env dev --json      # machine-readable
 *   npm run az-report -- --env prod --from cdktf.out   # read an existing synth instead of synthesizing
 */
import { ConfigError } from "../config/load";
import { analyzeAzFailure, renderAzReport } from "./analysis/az-failure";
import { EnvironmentModel } from "./analysis/model";
import { AnalysisInputError, loadEnvironmentStacks } from "./analysis/synthesized";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";

export const USAGE = [
  "usage: npm run az-report -- --env <environment> [--json] [--from <cdktf.out>] [--config-dir <dir>]",
  "",
  "  --env <name>        the environment to analyse (config/environments/<name>.json)",
  "  --json              print { environment, availabilityZones, stacks, verdicts, tiers[], summary } as JSON",
  "  --from <dir>        read the stacks of an existing synth (cdktf.out) instead of synthesizing the environment",
  "  --config-dir <dir>  read environment files from <dir> (default config/environments)",
].join("\n");

export function main(argv: readonly string[], out: Output): number {
  const { values, positionals } = parseCommandLine(
    argv,
    { env: { type: "string" }, json: { type: "boolean", default: false }, from: { type: "string" }, "config-dir": { type: "string" } },
    USAGE,
  );
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`, 2);
  if (!values.env) throw new CliError(`--env <environment> is required\n\n${USAGE}`, 2);
  try {
    const report = analyzeAzFailure(new EnvironmentModel(loadEnvironmentStacks(values.env, { from: values.from, configDir: values["config-dir"] })));
    out.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderAzReport(report));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AnalysisInputError) throw new CliError(error.message);
    throw error;
  }
}

if (require.main === module) runAsProcess(main);
