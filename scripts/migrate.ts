/**
 * Runs the one-off database migration task of an environment and waits for it:
 *
 *   npm run migrate -- --env <env> [--timeout-minutes 30]
 *
 * Order of a deployment: ... -> compute (registers the migrate task definition for the new image tag) -> migrate
 * (this script: `airflow db migrate`, then the first admin when absent) -> services. The script exits non-zero when
 * the task fails, so a pipeline never rolls the services onto an unmigrated database.
 *
 * Needs: the synthesized stacks (`npm run synth`), Terraform and the AWS CLI on PATH, and credentials that may read
 * the compute stack's state and run the task.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../config/project-root";

export interface MigrateOptions {
  readonly env: string;
  readonly timeoutMinutes: number;
  readonly outdir: string;
}

export class MigrateError extends Error {}

interface Outputs {
  readonly cluster_name: string;
  readonly migrate_task_definition_arn: string;
  readonly migrate_subnet_ids: string[];
  readonly migrate_security_group_id: string;
}

type Run = (command: string, args: readonly string[], cwd?: string) => string;

/** Runs a command, returning stdout; a non-zero exit becomes a MigrateError with the command and its stderr. */
export const run: Run = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (result.error) throw new MigrateError(`${command} could not be run: ${result.error.message}`);
  if (result.status !== 0) throw new MigrateError(`${command} ${args.join(" ")} exited with ${result.status}:\n${result.stderr.trim()}`);
  return result.stdout;
};

export function parseArgs(argv: readonly string[]): MigrateOptions {
  let env: string | undefined;
  let timeoutMinutes = 30;
  let outdir = path.join(projectRoot(), "cdktf.out");
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new MigrateError(`${argv[i - 1]} needs a value`);
      return v;
    };
    if (argv[i] === "--env") env = value();
    else if (argv[i] === "--timeout-minutes") {
      const raw = value();
      timeoutMinutes = Number(raw);
      if (!/^\d+$/.test(raw) || timeoutMinutes < 1 || timeoutMinutes > 240) throw new MigrateError(`--timeout-minutes is "${raw}"; expected 1-240`);
    } else if (argv[i] === "--outdir") outdir = value();
    else throw new MigrateError(`unknown argument "${argv[i]}"; usage: npm run migrate -- --env <env> [--timeout-minutes N] [--outdir DIR]`);
  }
  if (!env) throw new MigrateError("--env is required; usage: npm run migrate -- --env <env> [--timeout-minutes N]");
  return { env, timeoutMinutes, outdir };
}

/** Reads the compute stack's outputs (the migrate task definition and where it runs) from its state. */
export function computeOutputs(options: MigrateOptions, exec: Run = run): Outputs {
  const dir = path.join(options.outdir, "stacks", `${options.env}-compute`);
  if (!fs.existsSync(path.join(dir, "cdk.tf.json")))
    throw new MigrateError(`${dir} has no synthesized stack; run "AIRFLOW_ENVIRONMENTS=${options.env} npm run synth" first`);
  if (!fs.existsSync(path.join(dir, ".terraform"))) exec("terraform", ["init", "-input=false"], dir);
  const raw = JSON.parse(exec("terraform", ["output", "-json"], dir)) as Record<string, { value: unknown }>;
  const value = <T>(name: keyof Outputs): T => {
    if (!(name in raw)) throw new MigrateError(`the ${options.env}-compute state has no output "${name}"; apply the compute stack first`);
    return raw[name].value as T;
  };
  return {
    cluster_name: value("cluster_name"),
    migrate_task_definition_arn: value("migrate_task_definition_arn"),
    migrate_subnet_ids: value("migrate_subnet_ids"),
    migrate_security_group_id: value("migrate_security_group_id"),
  };
}

/** Starts the task, waits until it stops (or the timeout), and fails unless its container exited 0. */
export function migrate(
  options: MigrateOptions,
  exec: Run = run,
  log: (line: string) => void = console.log,
  sleep: (s: number) => void = (s) => void spawnSync("sleep", [String(s)]),
): void {
  const outputs = computeOutputs(options, exec);
  const network = `awsvpcConfiguration={subnets=[${outputs.migrate_subnet_ids.join(",")}],securityGroups=[${outputs.migrate_security_group_id}],assignPublicIp=DISABLED}`;
  const started = JSON.parse(
    exec("aws", [
      "ecs",
      "run-task",
      "--cluster",
      outputs.cluster_name,
      "--task-definition",
      outputs.migrate_task_definition_arn,
      "--launch-type",
      "FARGATE",
      "--network-configuration",
      network,
      "--started-by",
      "npm-run-migrate",
      "--count",
      "1",
      "--output",
      "json",
    ]),
  ) as { tasks: { taskArn: string }[]; failures: { reason: string; arn?: string }[] };
  if (started.failures?.length || !started.tasks?.length) {
    throw new MigrateError(`the migration task did not start: ${(started.failures ?? []).map((f) => f.reason).join("; ") || "no task returned"}`);
  }
  const taskArn = started.tasks[0].taskArn;
  log(`started ${taskArn}; waiting up to ${options.timeoutMinutes} minutes`);
  const deadline = Date.now() + options.timeoutMinutes * 60_000;
  for (;;) {
    const described = JSON.parse(exec("aws", ["ecs", "describe-tasks", "--cluster", outputs.cluster_name, "--tasks", taskArn, "--output", "json"])) as {
      tasks: { lastStatus: string; stoppedReason?: string; containers: { name: string; exitCode?: number; reason?: string }[] }[];
    };
    const task = described.tasks[0];
    if (task?.lastStatus === "STOPPED") {
      const container = task.containers.find((c) => c.name === "migrate");
      if (container?.exitCode === 0) {
        log(`migration succeeded (${taskArn})`);
        return;
      }
      throw new MigrateError(
        `the migration failed: container exit code ${container?.exitCode ?? "none"}${container?.reason ? ` (${container.reason})` : ""}, task stopped: ${task.stoppedReason ?? "unknown"}; ` +
          `logs: aws logs tail /<prefix>/${options.env}/migrate --since 1h`,
      );
    }
    if (Date.now() > deadline) {
      throw new MigrateError(
        `the migration task ${taskArn} did not finish within ${options.timeoutMinutes} minutes (last status ${task?.lastStatus ?? "unknown"}); it keeps running — check it before rolling the services`,
      );
    }
    sleep(10);
  }
}

if (require.main === module) {
  try {
    migrate(parseArgs(process.argv.slice(2)));
  } catch (error) {
    if (!(error instanceof MigrateError)) throw error;
    console.error(`migrate: ${error.message}`);
    process.exit(1);
  }
}
