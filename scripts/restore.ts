/**
 * Lists an environment's pre-migration snapshots, or prepares the restore of one:
 *
 *   npm run restore -- --env <env> --list
 *   npm run restore -- --env <env> --snapshot <id> [--image-tag <tag>] [--dry-run]
 *
 * A restore is Terraform-driven: this command sets `storage.database.restoreFromSnapshot` (the storage stack then
 * restores the snapshot into a new instance and stops managing the old one, which keeps running) and rolls
 * `airflow.imageTag` back to the image that ran before the migration (recorded on the snapshot), and prints the
 * apply order and what to do with the old instance afterwards (README "Upgrades and restore").
 */
import { RDSClient } from "@aws-sdk/client-rds";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR } from "../config/load";
import { cliEnvironment } from "./lib/cli-environment";
import type { EnvironmentConfig } from "../config/schema";
import { Naming } from "../modules/core/naming";
import { restoredIdentifier } from "../modules/storage/metadata-database";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { withRestore } from "./migrations/restore-config";
import { findPreMigrationSnapshot, listPreMigrationSnapshots, UNKNOWN, type PreMigrationSnapshot } from "./migrations/snapshots";

export const USAGE = [
  "usage: npm run restore -- --env <env> --list",
  "       npm run restore -- --env <env> --snapshot <id> [--image-tag <tag>] [--dry-run]",
  "",
  "  --env <name>         the environment (config/environments/<name>.json)",
  "  --list               the environment's pre-migration snapshots (taken by npm run migrate), newest first",
  "  --snapshot <id>      set the environment to restore this snapshot, and roll the image back to the one it ran before",
  "  --image-tag <tag>    the image to roll back to (default: the snapshot's airflow-ecs:from-image-tag)",
  "  --dry-run            print the change and the steps without editing the environment file",
  "  --environments-dir <dir>  read environment files from <dir> (default config/environments)",
].join("\n");

const OPTIONS = {
  env: { type: "string" },
  list: { type: "boolean", default: false },
  snapshot: { type: "string" },
  "image-tag": { type: "string" },
  "dry-run": { type: "boolean", default: false },
  "environments-dir": { type: "string" },
} as const;

const usageError = (message: string) => new CliError(`${message}\n\n${USAGE}`, 2);

export interface RestoreDependencies {
  /** Creates the RDS client of the environment's region. */
  readonly rds: (region: string) => RDSClient;
  readonly environmentsDir?: string;
  /** Today, for the name of the old instance's final snapshot. */
  readonly now?: () => Date;
}

export async function main(argv: readonly string[], out: Output, deps: RestoreDependencies): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE);
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  if (!values.env) throw usageError("--env <env> is required");
  if (values.list === (values.snapshot !== undefined)) throw usageError("give either --list or --snapshot <id>");
  const dir = values["environments-dir"] ?? deps.environmentsDir ?? ENVIRONMENTS_DIR;
  const config = cliEnvironment(values.env, dir, { usage: USAGE });
  const rds = deps.rds(config.account.region);
  if (values.list) {
    out.stdout(describeSnapshots(config.name, await listPreMigrationSnapshots(rds, config.name)));
    return 0;
  }
  const snapshot = await restorableSnapshot(rds, config, values.snapshot!);
  const imageTag = values["image-tag"] ?? snapshot.fromImageTag;
  if (imageTag === UNKNOWN) {
    throw new CliError(`snapshot ${snapshot.id} does not record the image that ran before the migration; name it with --image-tag <tag>`);
  }
  const file = path.join(dir, `${config.name}.json`);
  const shown = path.relative(process.cwd(), file) || file;
  const edited = editConfig(shown, fs.readFileSync(file, "utf8"), config, snapshot.id, imageTag);
  if (!values["dry-run"]) fs.writeFileSync(file, edited.text);
  out.stdout(runbook(config, snapshot, imageTag, shown, values["dry-run"], (deps.now ?? (() => new Date()))()));
  return 0;
}

/** The snapshot, when it is an available pre-migration snapshot of this environment. */
async function restorableSnapshot(rds: RDSClient, config: EnvironmentConfig, id: string): Promise<PreMigrationSnapshot> {
  const found = await findPreMigrationSnapshot(rds, id);
  const list = `npm run restore -- --env ${config.name} --list`;
  if (!found)
    throw new CliError(`${id} is not a pre-migration snapshot (no snapshot of that id carries airflow-ecs:purpose=pre-migration); ${list} shows them`);
  if (found.environment !== config.name)
    throw new CliError(`snapshot ${id} belongs to environment "${found.environment ?? UNKNOWN}", not "${config.name}"; ${list}`);
  if (found.snapshot.status !== "available") throw new CliError(`snapshot ${id} is ${found.snapshot.status}; only an available snapshot can be restored`);
  return found.snapshot;
}

function editConfig(file: string, text: string, config: EnvironmentConfig, snapshotId: string, imageTag: string) {
  const current = config.storage.database.restoreFromSnapshot;
  if (current !== undefined && current !== snapshotId) {
    throw new CliError(
      `${file}: storage.database.restoreFromSnapshot is already "${current}"; restoring again would replace the instance restored from it. ` +
        `First keep that instance outside Terraform: terraform -chdir=cdktf.out/stacks/${config.name}-storage state rm <its aws_db_instance address, from "state list">, ` +
        `then remove it by hand once the new restore is verified (README "Upgrades and restore")`,
    );
  }
  try {
    return withRestore(file, text, snapshotId, imageTag);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

export function describeSnapshots(environment: string, snapshots: readonly PreMigrationSnapshot[]): string {
  if (snapshots.length === 0) return `No pre-migration snapshots of ${environment}; npm run migrate takes one before each change of the Airflow version.\n`;
  const lines = snapshots.map(
    (s) =>
      `  ${s.id}  ${s.created?.toISOString() ?? UNKNOWN}  ${s.status}  Airflow ${s.fromAirflowVersion} -> ${s.toAirflowVersion}, image ${s.fromImageTag} -> ${s.toImageTag}  (of ${s.instance})`,
  );
  return `Pre-migration snapshots of ${environment}, newest first:\n${lines.join("\n")}\nRestore one with: npm run restore -- --env ${environment} --snapshot <id>\n`;
}

/** What happens next, step by step, with the caveats. */
export function runbook(config: EnvironmentConfig, snapshot: PreMigrationSnapshot, imageTag: string, file: string, dryRun: boolean, now: Date): string {
  const env = config.name;
  const naming = new Naming(config.namePrefix, env, config.account.id);
  const restored = restoredIdentifier(naming.name("metadata"), snapshot.id);
  const apply = (stack: string) => `terraform -chdir=cdktf.out/stacks/${env}-${stack} init && terraform -chdir=cdktf.out/stacks/${env}-${stack} apply`;
  const day = now.toISOString().slice(0, 10).replace(/-/g, "");
  return [
    `${dryRun ? "Would set" : "Set"} in ${file}: storage.database.restoreFromSnapshot = "${snapshot.id}", airflow.imageTag = "${imageTag}" (was "${config.airflow.imageTag}").`,
    "",
    "Next, in this order (or commit the change and let CI apply it, which runs the same steps):",
    `  1. AIRFLOW_ENVIRONMENTS=${env} npm run synth`,
    `  2. ${apply("storage")}`,
    `     creates ${restored} from the snapshot (tens of minutes) and drops ${snapshot.instance} from the state: it is NOT deleted and keeps running`,
    `  3. ${apply("iam")}`,
    `  4. ${apply("compute")}`,
    "     (the restored instance has a new endpoint and a new RDS-managed master secret; both reach the task definitions)",
    `  5. npm run migrate -- --env ${env}`,
    `     (the snapshot holds Airflow ${snapshot.fromAirflowVersion}'s schema; image ${imageTag} finds nothing to migrate, or migrates it to its version)`,
    `  6. ${apply("services")}`,
    "",
    "Caveats:",
    `  - Everything written to the database after ${snapshot.created?.toISOString() ?? "the snapshot"} is lost: DAG runs, task states, connections and variables kept in the database, users.`,
    `  - Until you delete it, ${snapshot.instance} costs as much as the restored instance. Once the restored environment is verified:`,
    `      aws rds modify-db-instance --db-instance-identifier ${snapshot.instance} --no-deletion-protection --apply-immediately`,
    `      aws rds delete-db-instance --db-instance-identifier ${snapshot.instance} --final-db-snapshot-identifier ${snapshot.instance}-retired-${day}`,
    "    and its log groups /aws/rds/instance/" + snapshot.instance + "/{postgresql,upgrade}, which Terraform no longer manages either.",
    `  - Keep storage.database.restoreFromSnapshot set: removing it would make Terraform recreate the original instance.`,
    `  - The migration record still names the newer version, so the next npm run migrate snapshots the restored database once more.`,
    "",
  ].join("\n");
}

if (require.main === module) {
  runAsProcess((argv, out) => main(argv, out, { rds: (region) => new RDSClient({ region }) }));
}
