import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsBackupPolicy } from "@cdktf/provider-aws/lib/efs-backup-policy";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { EfsThroughputMode } from "../../config/schema";
import { AIRFLOW_GID, AIRFLOW_UID } from "../../runtime/airflow-image";
import { policyJson } from "../iam/policy-document";

/** Directories of the file system, each reached only through its own access point. */
export const DAG_FILE_SYSTEM_PATHS = { dags: "/airflow/dags", plugins: "/airflow/plugins" } as const;

export interface DagFileSystemProps {
  /** Creation token and Name tag, e.g. `airflow-prod-dags`. */
  readonly name: string;
  /** EFS throughput mode. */
  readonly throughputMode: EfsThroughputMode;
  /** KMS key encrypting the file system. */
  readonly kmsKeyArn: string;
  /** One mount target per private subnet. */
  readonly subnetIds: string[];
  /** Number of private subnets (the list is a token of unknown length at synth). */
  readonly subnetCount: number;
  /** Security group of the mount targets (NFS from the Airflow tasks and the bastion). */
  readonly securityGroupId: string;
}

/**
 * Regional EFS for DAGs and plugins: encrypted with the data key, backed up, a mount target in every private subnet
 * (a task cannot mount through another AZ's target when its own AZ's is missing), access points pinning each root
 * directory and the Airflow user (uid 50000, gid 0), and a policy that denies plain NFS, root access and mounts
 * that bypass the access points.
 */
export class DagFileSystem extends Construct {
  /** The EFS file system. */
  readonly fileSystem: EfsFileSystem;
  /** One access point per directory (`dags`, `plugins`). */
  readonly accessPoints: Readonly<Record<keyof typeof DAG_FILE_SYSTEM_PATHS, EfsAccessPoint>>;

  constructor(scope: Construct, id: string, props: DagFileSystemProps) {
    super(scope, id);
    this.fileSystem = new EfsFileSystem(this, "file-system", {
      creationToken: props.name,
      encrypted: true,
      kmsKeyId: props.kmsKeyArn,
      performanceMode: "generalPurpose",
      throughputMode: props.throughputMode,
      tags: { Name: props.name },
    });
    new EfsBackupPolicy(this, "backup", { fileSystemId: this.fileSystem.id, backupPolicy: { status: "ENABLED" } });

    for (let i = 0; i < props.subnetCount; i++) {
      new EfsMountTarget(this, `mount-target-${i}`, {
        fileSystemId: this.fileSystem.id,
        subnetId: Fn.element(props.subnetIds, i),
        securityGroups: [props.securityGroupId],
      });
    }

    const accessPoint = (key: keyof typeof DAG_FILE_SYSTEM_PATHS) =>
      new EfsAccessPoint(this, `${key}-access-point`, {
        fileSystemId: this.fileSystem.id,
        posixUser: { uid: AIRFLOW_UID, gid: AIRFLOW_GID },
        rootDirectory: {
          path: DAG_FILE_SYSTEM_PATHS[key],
          creationInfo: { ownerUid: AIRFLOW_UID, ownerGid: AIRFLOW_GID, permissions: "0775" },
        },
        tags: { Name: `${props.name}-${key}` },
      });
    this.accessPoints = { dags: accessPoint("dags"), plugins: accessPoint("plugins") };

    const arn = this.fileSystem.arn;
    const everyone = [{ type: "*" as const, identifiers: ["*"] }];
    new EfsFileSystemPolicy(this, "policy", {
      fileSystemId: this.fileSystem.id,
      policy: policyJson([
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: everyone,
          actions: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
          resources: [arn],
          conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
        {
          sid: "DenyRootAccess",
          effect: "Deny",
          principals: everyone,
          actions: ["elasticfilesystem:ClientRootAccess"],
          resources: [arn],
        },
        {
          sid: "DenyMountsWithoutAccessPoint",
          effect: "Deny",
          principals: everyone,
          actions: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          resources: [arn],
          conditions: [{ test: "Null", variable: "elasticfilesystem:AccessPointArn", values: ["true"] }],
        },
      ]),
    });
  }

  get fileSystemId(): string {
    return this.fileSystem.id;
  }

  get fileSystemArn(): string {
    return this.fileSystem.arn;
  }

  /** The access point of one directory. */
  accessPoint(directory: keyof typeof DAG_FILE_SYSTEM_PATHS): EfsAccessPoint {
    return this.accessPoints[directory];
  }
}
