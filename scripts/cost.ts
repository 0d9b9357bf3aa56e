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
import { ConfigError } from "../config/load";
import { estimateCost, renderCostReport } from "./analysis/cost-estimate";
import { EnvironmentModel } from "./analysis/model";
import { AnalysisInputError, loadEnvironmentStacks } from "./analysis/synthesized";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";

export const USAGE = [
  "usage: npm run cost -- --env <environment> [--json] [--from <cdktf.out>] [--config-dir <dir>]",
  "",
  "  --env <name>        the environment to estimate (config/environments/<name>.json)",
  "  --json              print { environment, region, priceTable, stacks[{ stack, items, monthly, monthlyAtMax }], total, shared }",
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
    const report = estimateCost(new EnvironmentModel(loadEnvironmentStacks(values.env, { from: values.from, configDir: values["config-dir"] })));
    out.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderCostReport(report));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AnalysisInputError) throw new CliError(error.message);
    throw error;
  }
}

if (require.main === module) runAsProcess(main);
