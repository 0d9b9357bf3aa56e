import { airflowVersionOfTag, parseMigrationRecord, snapshotDecision } from "../../../scripts/migrations/record";
import { preMigrationSnapshotId } from "../../../scripts/migrations/snapshots";

describe("the migration record and the snapshot decision", () => {
  it("reads the Airflow version from image tags of the form <version>-<build>", () => {
    expect(airflowVersionOfTag("3.1.5-1")).toBe("3.1.5");
    expect(airflowVersionOfTag("3.2.0")).toBe("3.2.0");
    expect(airflowVersionOfTag("3.1.5_hotfix")).toBe("3.1.5");
    expect(airflowVersionOfTag("3.1.50-2")).toBe("3.1.50");
    // no version prefix: unknown
    expect(airflowVersionOfTag("main-abc123")).toBeUndefined();
    expect(airflowVersionOfTag("3.1")).toBeUndefined();
    expect(airflowVersionOfTag("3.1.5rc1")).toBeUndefined();
  });

  it("treats an unreadable record as no record (which makes migrate snapshot)", () => {
    expect(parseMigrationRecord('{"airflowVersion":"3.1.5","imageTag":"3.1.5-1","migratedAt":"2026-01-15T09:30:00Z"}')).toEqual({
      airflowVersion: "3.1.5",
      imageTag: "3.1.5-1",
      migratedAt: "2026-01-15T09:30:00Z",
    });
    for (const value of [undefined, "", "{}", "not json", "[]", "null", '{"airflowVersion": 3}', '{"airflowVersion": ""}']) {
      expect(parseMigrationRecord(value).airflowVersion).toBeUndefined();
    }
  });

  it.each([
    ["same version", { airflowVersion: "3.1.5", imageTag: "3.1.5-1" }, { imageTag: "3.1.5-2", airflowVersion: "3.1.5" }, false],
    ["upgrade", { airflowVersion: "3.1.5", imageTag: "3.1.5-1" }, { imageTag: "3.2.0-1", airflowVersion: "3.2.0" }, true],
    ["downgrade (a rollback image)", { airflowVersion: "3.2.0", imageTag: "3.2.0-1" }, { imageTag: "3.1.5-1", airflowVersion: "3.1.5" }, true],
    ["nothing recorded", {}, { imageTag: "3.1.5-1", airflowVersion: "3.1.5" }, true],
    ["unversioned tag, recorded already", { airflowVersion: "3.1.5", imageTag: "main-abc" }, { imageTag: "main-abc" }, false],
    ["unversioned tag, another image", { airflowVersion: "3.1.5", imageTag: "3.1.5-1" }, { imageTag: "main-abc" }, true],
  ])("%s: decides the snapshot", (_case, record, target, snapshot) => {
    expect(snapshotDecision(record, target).snapshot).toBe(snapshot);
  });

  it("names snapshots by instance, image tag and minute, as RDS allows", () => {
    const id = preMigrationSnapshotId("airflow-prod-metadata", "3.2.0-1", new Date("2026-01-15T09:30:59Z"));
    expect(id).toBe("airflow-prod-metadata-pre-3-2-0-1-202601150930");
    expect(preMigrationSnapshotId("airflow-prod-metadata", "--odd__tag..", new Date("2026-01-15T09:30:00Z"))).toBe(
      "airflow-prod-metadata-pre-odd-tag-202601150930",
    );
    expect(id).toMatch(/^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$/);
  });
});
