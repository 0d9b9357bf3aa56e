import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";

export interface MigrationRecordProps {
  /** Parameter name, `/<prefix>/<env>/airflow/migration-record` (`Naming.migrationRecordParameter`). */
  readonly name: string;
  /** The database the record describes, for the parameter's description. */
  readonly databaseIdentifier: string;
}

/** What the parameter holds until the first migration writes the record: no version, so the first migration snapshots. */
export const NO_MIGRATION_RECORD = "{}";

/**
 * The record of the Airflow version and image that last migrated the metadata database: an SSM parameter the
 * migrate task overwrites after each successful `airflow db migrate` (docker/config/airflow_ecs/migration_record.py)
 * and `npm run migrate` reads to decide whether to snapshot the database first. Terraform creates it and then
 * leaves its value alone.
 */
export class MigrationRecord extends Construct {
  /** The parameter. */
  readonly parameter: SsmParameter;

  constructor(scope: Construct, id: string, props: MigrationRecordProps) {
    super(scope, id);
    this.parameter = new SsmParameter(this, "parameter", {
      name: props.name,
      description: `Airflow version and image tag that last migrated ${props.databaseIdentifier} (written by the migrate task)`,
      type: "String",
      value: NO_MIGRATION_RECORD,
      lifecycle: { ignoreChanges: ["value"] },
    });
  }
}
