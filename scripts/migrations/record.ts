/**
 * The migration record (runtime/airflow-image.ts MIGRATION_RECORD): which Airflow version and image last migrated the
 * database, kept in an SSM parameter the migrate task writes; and the decision it drives: snapshot before migrating
 * or not.
 */
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { MIGRATION_RECORD } from "../../runtime/airflow-image";
import { awsFailure, errorName } from "../dags/errors";
import { CliError } from "../lib/cli";

/** What the record says; a field is undefined when nothing (valid) is recorded. */
export interface MigrationRecord {
  readonly airflowVersion?: string;
  readonly imageTag?: string;
  readonly migratedAt?: string;
}

/** What `npm run migrate` is about to run: the image tag, and the Airflow version it carries (when the tag says). */
export interface MigrationTarget {
  readonly imageTag: string;
  readonly airflowVersion?: string;
}

/**
 * The Airflow version an image tag carries: tags are `<airflow version>-<build>` (docker/README.md), e.g. `3.1.5-1`;
 * undefined for a tag that does not start with a version.
 */
export function airflowVersionOfTag(imageTag: string): string | undefined {
  return /^(\d+\.\d+\.\d+)(?=$|[-_.+])/.exec(imageTag)?.[1];
}

/** Parses the parameter's value; anything unreadable is "no record" (the safe reading: it makes migrate snapshot). */
export function parseMigrationRecord(value: string | undefined): MigrationRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(value ?? "");
  } catch {
    return {};
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return {};
  const record = raw as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === "string" && record[key] !== "" ? (record[key] as string) : undefined);
  return { airflowVersion: text(MIGRATION_RECORD.airflowVersion), imageTag: text(MIGRATION_RECORD.imageTag), migratedAt: text(MIGRATION_RECORD.migratedAt) };
}

/** Reads the record; a missing parameter means the storage stack was not applied. */
export async function readMigrationRecord(ssm: SSMClient, name: string, environment: string): Promise<MigrationRecord> {
  try {
    return parseMigrationRecord((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value);
  } catch (error) {
    if (errorName(error) === "ParameterNotFound") {
      throw new CliError(`SSM parameter ${name} does not exist; apply the storage stack of ${environment} first (it creates the migration record)`);
    }
    throw awsFailure(`SSM GetParameter ${name}`, error);
  }
}

/** Whether to snapshot before migrating, and why (printed either way). */
export interface SnapshotDecision {
  readonly snapshot: boolean;
  readonly reason: string;
}

/**
 * Snapshot whenever the Airflow version may change: the recorded version differs from the target's, nothing is
 * recorded, or the target's version is unknown and its tag differs from the recorded one. Same version: no snapshot
 * (Airflow's patch releases of one line share their migrations, and RDS keeps automated backups anyway).
 */
export function snapshotDecision(record: MigrationRecord, target: MigrationTarget): SnapshotDecision {
  const to = target.airflowVersion ?? `the unknown version of image ${target.imageTag}`;
  if (!record.airflowVersion) return { snapshot: true, reason: `no migration is recorded for this database; snapshotting before migrating to Airflow ${to}` };
  if (!target.airflowVersion) {
    return record.imageTag === target.imageTag
      ? { snapshot: false, reason: `the database was last migrated by image ${target.imageTag} already; no snapshot` }
      : {
          snapshot: true,
          reason: `image tag ${target.imageTag} names no Airflow version; snapshotting before migrating from Airflow ${record.airflowVersion}`,
        };
  }
  return record.airflowVersion === target.airflowVersion
    ? { snapshot: false, reason: `the database was last migrated by Airflow ${record.airflowVersion}, the image's version; no snapshot` }
    : { snapshot: true, reason: `upgrading the database from Airflow ${record.airflowVersion} to ${target.airflowVersion}; snapshotting it first` };
}
