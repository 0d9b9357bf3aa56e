/**
 * `npm run hibernate` and `npm run wake`: start the environment's hibernation state machine (the same one its
 * schedules start) with the action, and by default follow the execution until it ends. Arguments and configuration
 * are checked before any AWS call; the state machine's ARN comes from the environment's naming, so no Terraform
 * state is read.
 */
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { ENVIRONMENTS_DIR } from "../../config/load";
import { cliEnvironment } from "../lib/cli-environment";
import type { EnvironmentConfig } from "../../config/schema";
import { ArnBuilder } from "../../modules/core/arn";
import { Naming } from "../../modules/core/naming";
import type { HibernationAction } from "../../runtime/hibernation";
import { CliError, parseCommandLine, type Output } from "../lib/cli";

export const DEFAULT_TIMEOUT_MINUTES = 180;
/** Seconds between two DescribeExecution calls while following an execution. */
export const POLL_SECONDS = 15;

export interface HibernationCommandDependencies {
  /** The Step Functions client for the environment's region (tests pass a mocked one). */
  readonly client: (region: string) => SFNClient;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly environmentsDir?: string;
}

const OPTIONS = {
  env: { type: "string" },
  "no-wait": { type: "boolean", default: false },
  "timeout-minutes": { type: "string" },
  "environments-dir": { type: "string" },
} as const;

/** What the command does, in words (usage text, log lines). */
const VERB: Readonly<Record<Extract<HibernationAction, "hibernate" | "wake">, string>> = {
  hibernate: "put to sleep (services and both container-instance groups to zero, database stopped, alarms muted)",
  wake: "wake up (database, broker check, scheduler and api-server, then the worker pools; alarms re-armed)",
};

export function usage(action: keyof typeof VERB): string {
  return [
    `usage: npm run ${action} -- --env <env> [--no-wait] [--timeout-minutes N]`,
    "",
    `  --env <name>              the environment to ${VERB[action]}`,
    "  --no-wait                 start the state machine and return without following it",
    `  --timeout-minutes N       how long to follow the execution (1-240, default ${DEFAULT_TIMEOUT_MINUTES}); it carries on after that`,
    "  --environments-dir <dir>  read environment files from <dir> (default config/environments)",
  ].join("\n");
}

/** The ARN of the environment's hibernation state machine (named by `Naming.hibernation`). */
export function stateMachineArn(config: EnvironmentConfig): string {
  const naming = new Naming(config.namePrefix, config.name, config.account.id);
  return new ArnBuilder(config).of("states", `stateMachine:${naming.hibernation.stateMachine}`);
}

function environmentOf(name: string, dir: string, action: keyof typeof VERB): EnvironmentConfig {
  const config = cliEnvironment(name, dir, { usage: usage(action) });
  if (!config.hibernation) {
    throw new CliError(
      `environment "${name}" has no hibernation configured, so it has no hibernation state machine; add "hibernation" to config/environments/${name}.json (non-production only) and deploy it first`,
    );
  }
  return config;
}

function timeoutOf(raw: string | undefined, action: keyof typeof VERB): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MINUTES;
  const minutes = Number(raw);
  if (!/^\d+$/.test(raw) || minutes < 1 || minutes > 240) throw new CliError(`--timeout-minutes is "${raw}"; expected 1-240\n\n${usage(action)}`, 2);
  return minutes;
}

/** Runs `npm run <action>`: returns the exit code (0 when the execution succeeded, or was started with --no-wait). */
export async function runHibernationCommand(
  action: keyof typeof VERB,
  argv: readonly string[],
  out: Output,
  deps: HibernationCommandDependencies,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, usage(action));
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n\n${usage(action)}`, 2);
  if (!values.env) throw new CliError(`--env <env> is required\n\n${usage(action)}`, 2);
  const config = environmentOf(values.env, values["environments-dir"] ?? deps.environmentsDir ?? ENVIRONMENTS_DIR, action);
  const timeoutMinutes = timeoutOf(values["timeout-minutes"], action);
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const sfn = deps.client(config.account.region);

  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn(config),
      // Execution names are unique per state machine for 90 days; the time keeps them readable in the console.
      name: `${action}-by-hand-${now().toISOString().replace(/[:.]/g, "-")}`,
      input: JSON.stringify({ action }),
    }),
  );
  const executionArn = started.executionArn!;
  out.stdout(`started ${action} of ${config.name}: ${executionArn}\n`);
  if (values["no-wait"]) return 0;

  const deadline = now().getTime() + timeoutMinutes * 60_000;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== "RUNNING" && execution.status !== "PENDING_REDRIVE") {
      if (execution.status === "SUCCEEDED") {
        out.stdout(`${config.name}: ${action} ${action === "hibernate" ? "done: hibernating" : "done: awake"} (${executionArn})\n`);
        return 0;
      }
      throw new CliError(
        `${action} of ${config.name} ended ${execution.status}${execution.error ? `: ${execution.error}` : ""}${execution.cause ? ` (${execution.cause})` : ""}; see the execution's history: ${executionArn}`,
      );
    }
    if (now().getTime() > deadline) {
      throw new CliError(`${action} of ${config.name} is still running after ${timeoutMinutes} minutes; it carries on: ${executionArn}`);
    }
    await sleep(POLL_SECONDS * 1000);
  }
}
