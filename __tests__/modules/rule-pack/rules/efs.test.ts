import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsBackupPolicy } from "@cdktf/provider-aws/lib/efs-backup-policy";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { efsAccessPointPosixUser } from "../../../../modules/rule-pack/rules/efs/access-point-posix-user";
import { efsAccessPointRootDirectory } from "../../../../modules/rule-pack/rules/efs/access-point-root-directory";
import { efsBackupPolicy } from "../../../../modules/rule-pack/rules/efs/backup-policy";
import { efsEncrypted } from "../../../../modules/rule-pack/rules/efs/encrypted";
import { check } from "../support";

const dagsAccessPoint = { fileSystemId: "fs-1", posixUser: { uid: 50000, gid: 0 }, rootDirectory: { path: "/airflow/dags" } };

describe("CKV_AWS_42 EFS encrypted at rest", () => {
  test("Noncompliance 1: unencrypted", () => {
    // GIVEN a file system without encryption
    // THEN it is reported
    expect(check(efsEncrypted, (stack) => new EfsFileSystem(stack, "fs", {}))).toEqual([
      { rule: "CKV_AWS_42", address: "aws_efs_file_system.fs", message: "encrypted is not set; set true" },
    ]);
  });

  test("Compliance 1: encrypted", () => {
    // GIVEN encrypted = true
    // THEN nothing is reported
    expect(check(efsEncrypted, (stack) => new EfsFileSystem(stack, "fs", { encrypted: true }))).toEqual([]);
  });
});

describe("CKV_AWS_329 EFS access points pin a root directory", () => {
  test("Noncompliance 1: no root directory, and the file system root", () => {
    // GIVEN two access points reaching the whole file system
    const findings = check(efsAccessPointRootDirectory, (stack) => {
      new EfsAccessPoint(stack, "none", { fileSystemId: "fs-1" });
      new EfsAccessPoint(stack, "root", { fileSystemId: "fs-1", rootDirectory: { path: "/" } });
    });
    // THEN both are reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_329",
        address: "aws_efs_access_point.none",
        message: "root_directory.path is not set below /; pin the access point to its own directory",
      },
      {
        rule: "CKV_AWS_329",
        address: "aws_efs_access_point.root",
        message: "root_directory.path is not set below /; pin the access point to its own directory",
      },
    ]);
  });

  test("Compliance 1: pinned to /airflow/dags", () => {
    // GIVEN the project's DAG access point
    // THEN nothing is reported
    expect(check(efsAccessPointRootDirectory, (stack) => new EfsAccessPoint(stack, "dags", dagsAccessPoint))).toEqual([]);
  });
});

describe("CKV_AWS_330 EFS access points enforce a POSIX user", () => {
  test("Noncompliance 1: no POSIX user, and root", () => {
    // GIVEN an access point without a user and one enforcing uid 0
    const findings = check(efsAccessPointPosixUser, (stack) => {
      new EfsAccessPoint(stack, "none", { fileSystemId: "fs-1" });
      new EfsAccessPoint(stack, "root", { ...dagsAccessPoint, posixUser: { uid: 0, gid: 0 } });
    });
    // THEN both are reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_330", address: "aws_efs_access_point.none", message: "posix_user (uid and gid) is not set" },
      { rule: "CKV_AWS_330", address: "aws_efs_access_point.root", message: "posix_user.uid is 0 (root)" },
    ]);
  });

  test("Compliance 1: the Airflow user", () => {
    // GIVEN uid 50000 / gid 0
    // THEN nothing is reported
    expect(check(efsAccessPointPosixUser, (stack) => new EfsAccessPoint(stack, "dags", dagsAccessPoint))).toEqual([]);
  });
});

describe("CKV2_AWS_18 EFS backups", () => {
  test("Noncompliance 1: no backup policy in the stack", () => {
    // GIVEN a file system alone
    // THEN it is reported
    expect(check(efsBackupPolicy, (stack) => new EfsFileSystem(stack, "fs", { encrypted: true }))).toEqual([
      { rule: "CKV2_AWS_18", address: "aws_efs_file_system.fs", message: "no aws_efs_backup_policy in this stack backs the file system up" },
    ]);
  });

  test("Noncompliance 2: the backup policy is disabled", () => {
    // GIVEN a DISABLED backup policy
    const findings = check(efsBackupPolicy, (stack) => {
      const fs = new EfsFileSystem(stack, "fs", { encrypted: true });
      new EfsBackupPolicy(stack, "backup", { fileSystemId: fs.id, backupPolicy: { status: "DISABLED" } });
    });
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual(['the backup policy status is not "ENABLED"']);
  });

  test("Compliance 1: an enabled backup policy", () => {
    // GIVEN an ENABLED backup policy of the file system
    const findings = check(efsBackupPolicy, (stack) => {
      const fs = new EfsFileSystem(stack, "fs", { encrypted: true });
      new EfsBackupPolicy(stack, "backup", { fileSystemId: fs.id, backupPolicy: { status: "ENABLED" } });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
