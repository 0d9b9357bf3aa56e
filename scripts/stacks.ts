/**
 * The stack order tool: an environment's stacks in apply order (or destroy order), derived from the dependencies the
 * stack contracts record, never from a hand-kept list. CI iterates its output to plan and apply stack by stack.
 *
 *   npm run stacks -- --env dev                 # one stack id per line, apply order
 *   npm run stacks -- --env dev --reverse       # destroy order
 *   npm run stacks -- --env dev --json          # everything a workflow needs (order, roles, ECR, state bucket)
 *   npm run stacks -- --list [--only dev,prod] [--json]   # environment names (CI matrix)
 */
import { ENVIRONMENTS_DIR } from "../config/load";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { describeEnvironment, selectEnvironments, UnknownEnvironmentError } from "./lib/environments";
import { DependencyCycleError } from "./lib/graph";

export const USAGE = [
  "usage: npm run stacks -- --env <environment> [--reverse] [--json] [--config-dir <dir>]",
  "       npm run stacks -- --list [--only <env>[,<env>...]] [--json] [--config-dir <dir>]",
  "",
  "  --env <name>       print the environment's stacks in apply order (each after the stacks it reads)",
  "  --reverse          destroy order instead (dependents first)",
  "  --json             machine-readable: { environment, accountId, region, stacks, upstream, bootstrap, ciRoles,",
  "                     ecrRepository, stateBucket, ... } for --env; an array of names for --list",
  "  --list             print the environment names (config/environments/*.json)",
  "  --only <names>     with --list: only these environments (comma-separated; empty means all; unknown is an error)",
  "  --config-dir <dir> read environment files from <dir> (default config/environments)",
].join("\n");

export function main(argv: readonly string[], out: Output): number {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      env: { type: "string" },
      reverse: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      only: { type: "string" },
      "config-dir": { type: "string" },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`, 2);
  const dir = values["config-dir"] ?? ENVIRONMENTS_DIR;

  try {
    if (values.list) {
      if (values.env !== undefined || values.reverse) throw new CliError(`--list cannot be combined with --env or --reverse\n\n${USAGE}`, 2);
      const only = (values.only ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const names = selectEnvironments(only, dir);
      out.stdout(values.json ? `${JSON.stringify(names)}\n` : names.map((n) => `${n}\n`).join(""));
      return 0;
    }
    if (values.only !== undefined) throw new CliError(`--only is only valid with --list\n\n${USAGE}`, 2);
    if (!values.env) throw new CliError(`--env <environment> or --list is required\n\n${USAGE}`, 2);

    const description = describeEnvironment(values.env, dir);
    const stacks = values.reverse ? [...description.stacks].reverse() : description.stacks;
    if (values.json) {
      out.stdout(`${JSON.stringify({ ...description, order: values.reverse ? "destroy" : "apply", stacks }, null, 2)}\n`);
    } else {
      out.stdout(stacks.map((s) => `${s}\n`).join(""));
    }
    return 0;
  } catch (error) {
    if (error instanceof UnknownEnvironmentError || error instanceof DependencyCycleError) throw new CliError(error.message);
    if (error instanceof Error && error.name === "ConfigError") throw new CliError(error.message);
    throw error;
  }
}

if (require.main === module) runAsProcess(main);
