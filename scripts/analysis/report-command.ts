import { ConfigError } from "../../config/load";
import { CliError, parseCommandLine, type Output } from "../lib/cli";
import { EnvironmentModel } from "./model";
import { AnalysisInputError, loadEnvironmentStacks } from "./synthesized";

export interface ReportCommand<R> {
  /** The npm script, e.g. `az-report`. */
  readonly script: string;
  /** What `--env` selects the environment for, e.g. `analyse`. */
  readonly verb: string;
  /** The shape `--json` prints. */
  readonly jsonShape: string;
  readonly analyze: (model: EnvironmentModel) => R;
  readonly render: (report: R) => string;
}

/**
 * The command line of a report over one environment's synthesized stacks: `--env` (required), `--json`, `--from` an
 * existing synth, `--config-dir`. Configuration and input errors become CliErrors (no stack trace).
 */
export function reportCommand<R>(command: ReportCommand<R>): { readonly usage: string; readonly main: (argv: readonly string[], out: Output) => number } {
  const usage = [
    `usage: npm run ${command.script} -- --env <environment> [--json] [--from <cdktf.out>] [--config-dir <dir>]`,
    "",
    `  --env <name>        the environment to ${command.verb} (config/environments/<name>.json)`,
    `  --json              print ${command.jsonShape}`,
    "  --from <dir>        read the stacks of an existing synth (cdktf.out) instead of synthesizing the environment",
    "  --config-dir <dir>  read environment files from <dir> (default config/environments)",
  ].join("\n");
  const main = (argv: readonly string[], out: Output): number => {
    const { values, positionals } = parseCommandLine(
      argv,
      { env: { type: "string" }, json: { type: "boolean", default: false }, from: { type: "string" }, "config-dir": { type: "string" } },
      usage,
    );
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n\n${usage}`, 2);
    if (!values.env) throw new CliError(`--env <environment> is required\n\n${usage}`, 2);
    let report: R;
    try {
      report = command.analyze(new EnvironmentModel(loadEnvironmentStacks(values.env, { from: values.from, configDir: values["config-dir"] })));
    } catch (error) {
      if (error instanceof ConfigError || error instanceof AnalysisInputError) throw new CliError(error.message);
      throw error;
    }
    out.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : command.render(report));
    return 0;
  };
  return { usage, main };
}
