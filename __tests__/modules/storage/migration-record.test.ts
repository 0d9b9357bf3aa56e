import { Testing } from "cdktf";
import { MigrationRecord, NO_MIGRATION_RECORD } from "../../../modules/storage/migration-record";
import { parseMigrationRecord } from "../../../scripts/migrations/record";

describe("MigrationRecord", () => {
  it("creates the parameter with no record, then leaves the value the migrate task writes to it", () => {
    const json = JSON.parse(
      Testing.synthScope(
        (scope) => new MigrationRecord(scope, "record", { name: "/airflow/dev/airflow/migration-record", databaseIdentifier: "airflow-dev-metadata" }),
      ),
    );
    const parameter = Object.values(json.resource.aws_ssm_parameter)[0] as Record<string, any>;
    expect(parameter).toMatchObject({
      name: "/airflow/dev/airflow/migration-record",
      type: "String",
      value: NO_MIGRATION_RECORD,
      lifecycle: { ignore_changes: ["value"] },
    });
    // the initial value records no version, so npm run migrate snapshots before the first migration
    expect(parseMigrationRecord(parameter.value).airflowVersion).toBeUndefined();
  });
});
