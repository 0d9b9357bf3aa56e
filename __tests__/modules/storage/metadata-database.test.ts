import { Testing } from "cdktf";
import type { DatabaseConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { MetadataDatabase, restoredIdentifier } from "../../../modules/storage/metadata-database";

const CONFIG: Omit<DatabaseConfig, "cleanup"> = {
  engineVersion: "17",
  instanceClass: "db.t4g.small",
  allocatedStorageGb: 20,
  maxAllocatedStorageGb: 50,
  multiAz: false,
  backupRetentionDays: 7,
  deletionProtection: true,
  performanceInsights: false,
  masterSecretRotationDays: 30,
  sqlAlchemyPoolSize: 5,
};
const SNAPSHOT = "airflow-dev-metadata-pre-3-2-0-1-202601150930";

function synth(restoreFromSnapshot?: string) {
  const json = JSON.parse(
    Testing.synthScope(
      (scope) =>
        new MetadataDatabase(scope, "database", {
          identifier: "airflow-dev-metadata",
          config: { ...CONFIG, restoreFromSnapshot },
          subnetIds: ["subnet-a"],
          securityGroupId: "sg-db",
          kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/data",
          logsKmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/logs",
          logRetentionDays: 30,
          arns: new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } }),
        }),
    ),
  );
  const addresses = (type: string) => Object.keys(json.resource[type] ?? {}).map((id) => `${type}.${id}`);
  return { json, addresses };
}

describe("MetadataDatabase restore", () => {
  const original = synth();
  const restored = synth(SNAPSHOT);
  const instance = (json: any) => Object.values(json.resource.aws_db_instance)[0] as Record<string, any>;

  it("creates the original instance without a snapshot, and nothing to forget", () => {
    expect(instance(original.json)).toMatchObject({ identifier: "airflow-dev-metadata", db_name: "airflow", username: "airflow_admin" });
    expect(instance(original.json).snapshot_identifier).toBeUndefined();
    expect(original.json.removed).toBeUndefined();
  });

  it("restores the snapshot into a new instance with its own identifier, address and log groups, keeping every setting", () => {
    // GIVEN a snapshot to restore WHEN synthesized
    const db = instance(restored.json);
    const identifier = restoredIdentifier("airflow-dev-metadata", SNAPSHOT);
    // THEN the instance is new: another identifier (a digest of the snapshot), another Terraform address
    expect(identifier).toMatch(/^airflow-dev-metadata-r[0-9a-f]{8}$/);
    expect(db).toMatchObject({
      identifier,
      snapshot_identifier: SNAPSHOT,
      manage_master_user_password: true,
      deletion_protection: true,
      final_snapshot_identifier: `${identifier}-final`,
      monitoring_interval: 60,
    });
    expect(restored.addresses("aws_db_instance")).toHaveLength(1);
    expect(restored.addresses("aws_db_instance")[0]).not.toBe(original.addresses("aws_db_instance")[0]);
    expect(Object.values(restored.json.resource.aws_cloudwatch_log_group).map((g: any) => g.name)).toEqual([
      `/aws/rds/instance/${identifier}/postgresql`,
      `/aws/rds/instance/${identifier}/upgrade`,
    ]);
  });

  it("drops the original instance and its log groups from the state without destroying them (removed blocks at their addresses)", () => {
    const forgotten = [...original.addresses("aws_cloudwatch_log_group"), ...original.addresses("aws_db_instance")];
    expect(restored.json.removed).toEqual(forgotten.map((from) => ({ from, lifecycle: { destroy: false } })));
    // AND the groups, parameters and monitoring role the instances share stay where they were
    for (const type of ["aws_db_subnet_group", "aws_db_parameter_group", "aws_iam_role", "aws_iam_role_policy"]) {
      expect(restored.addresses(type)).toEqual(original.addresses(type));
    }
  });

  it("rotates the restored instance's own master secret", () => {
    const rotation = Object.values(restored.json.resource.aws_secretsmanager_secret_rotation)[0] as Record<string, any>;
    expect(rotation.secret_id).toBe(`\${${restored.addresses("aws_db_instance")[0]}.master_user_secret[0].secret_arn}`);
  });
});
