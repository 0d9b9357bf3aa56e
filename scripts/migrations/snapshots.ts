/**
 * Pre-migration snapshots: manual RDS snapshots `npm run migrate` takes before a migration that changes the Airflow
 * version, tagged so `npm run restore` can list them and knows which image to roll back to.
 */
import { CreateDBSnapshotCommand, DescribeDBSnapshotsCommand, type DBSnapshot, type RDSClient } from "@aws-sdk/client-rds";
import { aws, awsFailure, errorName } from "../dags/errors";
import { CliError } from "../lib/cli";
import type { MigrationRecord, MigrationTarget } from "./record";

/** Tag keys of a pre-migration snapshot. */
export const SNAPSHOT_TAGS = {
  purpose: "airflow-ecs:purpose",
  environment: "airflow-ecs:environment",
  fromAirflowVersion: "airflow-ecs:from-airflow-version",
  toAirflowVersion: "airflow-ecs:to-airflow-version",
  fromImageTag: "airflow-ecs:from-image-tag",
  toImageTag: "airflow-ecs:to-image-tag",
} as const;
export const PRE_MIGRATION = "pre-migration";
/** Written where the record or the tag does not say. */
export const UNKNOWN = "unknown";

/** Seconds between two DescribeDBSnapshots while waiting for a snapshot. */
export const SNAPSHOT_POLL_SECONDS = 30;

/** `<instance>-pre-<image tag>-<yyyymmddhhmm>` (letters, digits and single hyphens, as RDS requires). */
export function preMigrationSnapshotId(instance: string, imageTag: string, now: Date): string {
  const tag = imageTag.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const stamp = now
    .toISOString()
    .replace(/[^0-9]/g, "")
    .slice(0, 12);
  return `${instance}-pre-${tag}-${stamp}`.replace(/-{2,}/g, "-").slice(0, 255);
}

/** A pre-migration snapshot as `npm run restore` lists it. */
export interface PreMigrationSnapshot {
  readonly id: string;
  readonly instance: string;
  readonly status: string;
  readonly created?: Date;
  readonly fromAirflowVersion: string;
  readonly toAirflowVersion: string;
  readonly fromImageTag: string;
  readonly toImageTag: string;
}

export interface SnapshotClock {
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
}

/** Creates the snapshot, tagged with both versions, and waits until it is available (or fails, or the wait ends). */
export async function takePreMigrationSnapshot(
  rds: RDSClient,
  request: {
    readonly environment: string;
    readonly instance: string;
    readonly record: MigrationRecord;
    readonly target: MigrationTarget;
    readonly timeoutMinutes: number;
  },
  clock: SnapshotClock,
  log: (line: string) => void,
): Promise<string> {
  const { instance, record, target } = request;
  const id = preMigrationSnapshotId(instance, target.imageTag, clock.now());
  const tags: Record<string, string> = {
    [SNAPSHOT_TAGS.purpose]: PRE_MIGRATION,
    [SNAPSHOT_TAGS.environment]: request.environment,
    [SNAPSHOT_TAGS.fromAirflowVersion]: record.airflowVersion ?? UNKNOWN,
    [SNAPSHOT_TAGS.toAirflowVersion]: target.airflowVersion ?? UNKNOWN,
    [SNAPSHOT_TAGS.fromImageTag]: record.imageTag ?? UNKNOWN,
    [SNAPSHOT_TAGS.toImageTag]: target.imageTag,
  };
  await aws("RDS CreateDBSnapshot", () =>
    rds.send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: instance,
        DBSnapshotIdentifier: id,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    ),
  );
  log(`creating snapshot ${id} of ${instance}; waiting up to ${request.timeoutMinutes} minutes for it`);
  const deadline = clock.now().getTime() + request.timeoutMinutes * 60_000;
  for (;;) {
    const described = await aws("RDS DescribeDBSnapshots", () => rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id })));
    const status = described.DBSnapshots?.[0]?.Status;
    if (status === "available") {
      log(`snapshot ${id} is available`);
      return id;
    }
    if (status === "failed" || status === "deleted" || status === "deleting") {
      throw new CliError(`snapshot ${id} of ${instance} ended ${status}; the database was not migrated`);
    }
    if (clock.now().getTime() >= deadline) {
      throw new CliError(
        `snapshot ${id} of ${instance} was not available within ${request.timeoutMinutes} minutes (status ${status ?? "unknown"}); the database was not migrated. Run again once it is available (aws rds wait db-snapshot-available --db-snapshot-identifier ${id})`,
      );
    }
    await clock.sleep(SNAPSHOT_POLL_SECONDS * 1000);
  }
}

/** The environment's pre-migration snapshots (manual snapshots tagged by `npm run migrate`), newest first. */
export async function listPreMigrationSnapshots(rds: RDSClient, environment: string): Promise<PreMigrationSnapshot[]> {
  const found: PreMigrationSnapshot[] = [];
  let marker: string | undefined;
  do {
    const page = await aws("RDS DescribeDBSnapshots", () => rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: "manual", Marker: marker })));
    for (const snapshot of page.DBSnapshots ?? []) {
      const described = describeSnapshot(snapshot);
      if (described && tagsOf(snapshot)[SNAPSHOT_TAGS.environment] === environment) found.push(described);
    }
    marker = page.Marker;
  } while (marker);
  return found.sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0) || b.id.localeCompare(a.id));
}

/** One snapshot by id, when it is a pre-migration snapshot; undefined when it is not one (or does not exist). */
export async function findPreMigrationSnapshot(rds: RDSClient, id: string): Promise<{ snapshot: PreMigrationSnapshot; environment?: string } | undefined> {
  let described;
  try {
    described = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }));
  } catch (error) {
    if (errorName(error) === "DBSnapshotNotFoundFault") return undefined;
    throw awsFailure(`RDS DescribeDBSnapshots ${id}`, error);
  }
  const raw = described.DBSnapshots?.[0];
  const snapshot = raw && describeSnapshot(raw);
  return snapshot ? { snapshot, environment: tagsOf(raw)[SNAPSHOT_TAGS.environment] } : undefined;
}

function tagsOf(snapshot: DBSnapshot): Record<string, string> {
  return Object.fromEntries((snapshot.TagList ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
}

function describeSnapshot(snapshot: DBSnapshot): PreMigrationSnapshot | undefined {
  const tags = tagsOf(snapshot);
  if (tags[SNAPSHOT_TAGS.purpose] !== PRE_MIGRATION || !snapshot.DBSnapshotIdentifier) return undefined;
  return {
    id: snapshot.DBSnapshotIdentifier,
    instance: snapshot.DBInstanceIdentifier ?? UNKNOWN,
    status: snapshot.Status ?? UNKNOWN,
    created: snapshot.SnapshotCreateTime,
    fromAirflowVersion: tags[SNAPSHOT_TAGS.fromAirflowVersion] ?? UNKNOWN,
    toAirflowVersion: tags[SNAPSHOT_TAGS.toAirflowVersion] ?? UNKNOWN,
    fromImageTag: tags[SNAPSHOT_TAGS.fromImageTag] ?? UNKNOWN,
    toImageTag: tags[SNAPSHOT_TAGS.toImageTag] ?? UNKNOWN,
  };
}
