/**
 * Runs the one-off database migration task of an environment and waits for it:
 *
 *   npm run migrate -- --env <env> [--timeout-minutes 30] [--snapshot-timeout-minutes 60]
 *
 * Order of a deployment: ... -> compute (registers the migrate task definition for the new image tag) -> migrate
 * (this script: `airflow db migrate`, then the first admin when absent) -> services. The script exits non-zero when
 * the task fails, so a pipeline never rolls the services onto an unmigrated database.
 *
 * Before migrating it reads the migration record (the Airflow version and image that last migrated the database,
 * an SSM parameter the migrate task writes) and, when the image's Airflow version differs, takes a manual RDS
 * snapshot tagged with both versions and waits for it. A failed migration leaves the snapshot and prints the
 * `npm run restore` command that goes back to it (README "Upgrades and restore").
 *
 * Needs: the synthesized stacks (`npm run synth`), Terraform on PATH, and credentials that may read the storage and
 * compute stacks' state, read the SSM parameter, snapshot the database and run the task.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { RDSClient } from "@aws-sdk/client-rds";
import { SSMClient } from "@aws-sdk/client-ssm";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS_DIR } from "../config/load";
import { cliEnvironment } from "./lib/cli-environment";
import { projectRoot } from "../config/project-root";
import type { EnvironmentConfig } from "../config/schema";
import { Naming } from "../modules/core/naming";
import { CliError } from "./lib/cli";
import { airflowVersionOfTag, readMigrationRecord, snapshotDecision, type MigrationRecord, type MigrationTarget } from "./migrations/record";
import { takePreMigrationSnapshot, type SnapshotClock } from "./migrations/snapshots";
import { runMigrationTask, type MigrationTaskResult } from "./migrations/task";

export interface MigrateOptions {
  readonly env: string;
  readonly timeoutMinutes: number;
  readonly snapshotTimeoutMinutes: number;
  readonly outdir: string;
}

export class MigrateError extends CliError {}

const COMPUTE_OUTPUTS = ["cluster_name", "migrate_task_definition_arn", "migrate_subnet_ids", "migrate_security_group_id"] as const;
const STORAGE_OUTPUTS = ["db_instance_identifier"] as const;

type Run = (command: string, args: readonly string[], cwd?: string) => string;

/** Runs a command, returning stdout; a non-zero exit becomes a MigrateError with the command and its stderr. */
export const run: Run = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (result.error) throw new MigrateError(`${command} could not be run: ${result.error.message}`);
  if (result.status !== 0) throw new MigrateError(`${command} ${args.join(" ")} exited with ${result.status}:\n${result.stderr.trim()}`);
  return result.stdout;
};

const USAGE = "usage: npm run migrate -- --env <env> [--timeout-minutes N] [--snapshot-timeout-minutes N] [--outdir DIR]";

function minutes(flag: string, raw: string, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) throw new MigrateError(`${flag} is "${raw}"; expected 1-${max}`);
  return value;
}

export function parseArgs(argv: readonly string[]): MigrateOptions {
  let env: string | undefined;
  let timeoutMinutes = 30;
  let snapshotTimeoutMinutes = 60;
  let outdir = path.join(projectRoot(), "cdktf.out");
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new MigrateError(`${argv[i - 1]} needs a value`);
      return v;
    };
    if (argv[i] === "--env") env = value();
    else if (argv[i] === "--timeout-minutes") timeoutMinutes = minutes("--timeout-minutes", value(), 240);
    else if (argv[i] === "--snapshot-timeout-minutes") snapshotTimeoutMinutes = minutes("--snapshot-timeout-minutes", value(), 240);
    else if (argv[i] === "--outdir") outdir = value();
    else throw new MigrateError(`unknown argument "${argv[i]}"; ${USAGE}`);
  }
  if (!env) throw new MigrateError("--env is required; usage: npm run migrate -- --env <env> [--timeout-minutes N]");
  return { env, timeoutMinutes, snapshotTimeoutMinutes, outdir };
}

/** Reads outputs of one of the environment's synthesized stacks from its state (`terraform output -json`). */
export function stackOutputs<K extends string>(
  options: Pick<MigrateOptions, "env" | "outdir">,
  stack: string,
  names: readonly K[],
  exec: Run = run,
): Record<K, unknown> {
  const dir = path.join(options.outdir, "stacks", `${options.env}-${stack}`);
  if (!fs.existsSync(path.join(dir, "cdk.tf.json")))
    throw new MigrateError(`${dir} has no synthesized stack; run "AIRFLOW_ENVIRONMENTS=${options.env} npm run synth" first`);
  if (!fs.existsSync(path.join(dir, ".terraform"))) exec("terraform", ["init", "-input=false"], dir);
  const raw = JSON.parse(exec("terraform", ["output", "-json"], dir)) as Record<string, { value: unknown }>;
  const missing = names.find((name) => !(name in raw));
  if (missing) throw new MigrateError(`the ${options.env}-${stack} state has no output "${missing}"; apply the ${stack} stack first`);
  return Object.fromEntries(names.map((name) => [name, raw[name].value])) as Record<K, unknown>;
}

/** The AWS clients of the environment's region (tests inject mocked ones). */
export interface MigrateClients {
  readonly ecs: ECSClient;
  readonly rds: RDSClient;
  readonly ssm: SSMClient;
}

/** What a migration talks to: Terraform (state outputs), AWS, the clock and the operator's terminal. */
export interface MigrateDependencies extends SnapshotClock {
  readonly exec: Run;
  readonly clients: (region: string) => MigrateClients;
  readonly log: (line: string) => void;
  readonly environmentsDir: string;
}

export const defaultDependencies: MigrateDependencies = {
  exec: run,
  clients: (region) => ({ ecs: new ECSClient({ region }), rds: new RDSClient({ region }), ssm: new SSMClient({ region }) }),
  log: (line) => console.log(line),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => new Date(),
  environmentsDir: ENVIRONMENTS_DIR,
};

/**
 * Snapshots the database when the Airflow version changes, starts the migration task, waits until it stops (or the
 * timeout), and fails unless its container exited 0; a failure says how to go back to the snapshot.
 */
export async function migrate(options: MigrateOptions, deps: MigrateDependencies = defaultDependencies): Promise<void> {
  const config = environment(options.env, deps.environmentsDir);
  const naming = new Naming(config.namePrefix, config.name, config.account.id);
  const compute = stackOutputs(options, "compute", COMPUTE_OUTPUTS, deps.exec);
  const storage = stackOutputs(options, "storage", STORAGE_OUTPUTS, deps.exec);
  const clients = deps.clients(config.account.region);

  const record = await readMigrationRecord(clients.ssm, naming.migrationRecordParameter, config.name);
  const target: MigrationTarget = { imageTag: config.airflow.imageTag, airflowVersion: airflowVersionOfTag(config.airflow.imageTag) };
  const decision = snapshotDecision(record, target);
  deps.log(decision.reason);
  const snapshot = decision.snapshot
    ? await takePreMigrationSnapshot(
        clients.rds,
        { environment: config.name, instance: String(storage.db_instance_identifier), record, target, timeoutMinutes: options.snapshotTimeoutMinutes },
        deps,
        deps.log,
      )
    : undefined;

  const result = await runMigrationTask(
    clients.ecs,
    {
      cluster: String(compute.cluster_name),
      taskDefinitionArn: String(compute.migrate_task_definition_arn),
      subnetIds: compute.migrate_subnet_ids as string[],
      securityGroupId: String(compute.migrate_security_group_id),
    },
    options.timeoutMinutes,
    deps,
    deps.log,
  );
  if (result.kind !== "succeeded") throw new MigrateError(`${failureMessage(result, options, naming)}${restoreAdvice(config, record, snapshot)}`);
  deps.log(`migration succeeded (${result.taskArn})`);

  const recorded = await readMigrationRecord(clients.ssm, naming.migrationRecordParameter, config.name);
  if (recorded.imageTag !== target.imageTag) {
    deps.log(
      `warning: the migration task did not record image ${target.imageTag} in ${naming.migrationRecordParameter} (see its logs); the next migration snapshots the database first`,
    );
  }
}

/** The environment's configuration; an unknown or invalid one is the operator's error. */
export function environment(name: string, dir: string): EnvironmentConfig {
  return cliEnvironment(name, dir);
}

function failureMessage(result: Exclude<MigrationTaskResult, { kind: "succeeded" }>, options: MigrateOptions, naming: Naming): string {
  switch (result.kind) {
    case "not-started":
      return `the migration task did not start: ${result.reasons}`;
    case "timed-out":
      return `the migration task ${result.taskArn} did not finish within ${options.timeoutMinutes} minutes (last status ${result.lastStatus ?? "unknown"}); it keeps running — check it before rolling the services`;
    case "failed":
      return (
        `the migration failed: container exit code ${result.exitCode ?? "none"}${result.containerReason ? ` (${result.containerReason})` : ""}, task stopped: ${result.stoppedReason ?? "unknown"}; ` +
        `logs: aws logs tail ${naming.logGroup("migrate")} --since 1h`
      );
  }
}

/** How to go back to the state before this migration, printed with every failure. */
function restoreAdvice(config: EnvironmentConfig, record: MigrationRecord, snapshot: string | undefined): string {
  if (!snapshot) {
    return (
      `\nNo snapshot was taken (the Airflow version did not change). If the database must go back, restore an automated backup ` +
      `(point in time, last ${config.storage.database.backupRetentionDays} days; README "Upgrades and restore").`
    );
  }
  const before = `Airflow ${record.airflowVersion ?? "unknown"}, image ${record.imageTag ?? "unknown"}`;
  return (
    `\nThe database may be partly migrated. Snapshot ${snapshot} holds it as it was before (${before}). To go back to it:\n` +
    `  npm run restore -- --env ${config.name} --snapshot ${snapshot}\n` +
    `then apply the stacks in the order it prints (README "Upgrades and restore").`
  );
}

if (require.main === module) {
  Promise.resolve()
    .then(() => migrate(parseArgs(process.argv.slice(2))))
    .catch((error: unknown) => {
      if (!(error instanceof CliError)) throw error;
      console.error(`migrate: ${error.message}`);
      process.exit(1);
    });
}
