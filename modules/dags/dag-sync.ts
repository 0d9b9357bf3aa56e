import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { DagBundleConfig } from "../../config/schema";
import type { AirflowServiceDefaults } from "../airflow/airflow-service";
import { efsVolume } from "../airflow/airflow-task";
import { AIRFLOW_GID, AIRFLOW_UID, DAGS_FOLDER, PYTHON_HELPER_ENVIRONMENT, RUNTIME_ENV, WRITABLE_PATHS } from "../../runtime/airflow-image";
import { DAG_BUCKET_LAYOUT, DAG_SYNC_COMMAND } from "../../runtime/dag-delivery";
import { ContainerTask } from "../ecs/container-task";
import { bundlesOf } from "./dag-bundles";
import { dagDeliveryNames, dagDeliveryParameterName, type DagDeliveryTarget } from "./dag-delivery";

/**
 * What the sync task shares with the Airflow services: `naming` (task family, log group, the delivery parameter),
 * `image` (the sync code is the image's `airflow_ecs.dag_sync` module), `cluster` (where deploy-dags runs it),
 * `executionRoleArn`, `dags` (only the DAGs access point is mounted, read-write), `logRetentionDays` and
 * `logsKmsKeyArn`; plus what is its own.
 */
export interface DagSyncProps extends Pick<
  AirflowServiceDefaults,
  "naming" | "image" | "cluster" | "executionRoleArn" | "dags" | "logRetentionDays" | "logsKmsKeyArn"
> {
  /** Region of the log group and of the AWS SDK calls in the task. */
  readonly region: string;
  /** The environment's DAG bundles: the task switches the EFS ones. */
  readonly bundles: readonly DagBundleConfig[];
  /** Releases kept per EFS bundle, the current one included. */
  readonly keepReleases: number;
  /** The DAG bucket releases are uploaded to. */
  readonly dagBucket: string;
  /** Security group of the task's ENI (it reaches EFS and S3). */
  readonly securityGroupId: string;
  /** Role of the task: read releases, write the DAGs access point. */
  readonly taskRoleArn: string;
}

/** Task size of the sync: streaming download and extraction of a release archive. */
export const DAG_SYNC_TASK_SIZE = { cpu: 256, memory: 1024 } as const;

/**
 * DAG delivery to EFS: the one-off sync task `npm run deploy-dags` runs after uploading a release (Fargate, the
 * Airflow image as uid 50000, the DAGs access point mounted read-write, a read-only root), which unpacks the release
 * next to the others and switches the bundle's `current` symlink atomically; and the SSM parameter telling
 * deploy-dags where the bucket is and how to run the task, so DAG pipelines need no Terraform state.
 */
export class DagSync extends Construct {
  /** The one-off Fargate sync task. */
  readonly task: ContainerTask;
  /** The SSM parameter deploy-dags reads its target from. */
  readonly parameter: SsmParameter;

  constructor(scope: Construct, id: string, props: DagSyncProps) {
    super(scope, id);
    const names = dagDeliveryNames(props.naming);
    this.task = new ContainerTask(this, "task", {
      family: names.syncTaskFamily,
      compatibility: "FARGATE",
      ...DAG_SYNC_TASK_SIZE,
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      volumes: [efsVolume("dags", props.dags.fileSystemId, props.dags.dagsAccessPointId), { name: "tmp" }],
      logGroupName: names.syncLogGroup,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      region: props.region,
      containers: [
        {
          name: names.syncContainer,
          image: props.image,
          command: [...DAG_SYNC_COMMAND],
          user: `${AIRFLOW_UID}:${AIRFLOW_GID}`,
          readonlyRootFilesystem: true,
          environment: {
            ...PYTHON_HELPER_ENVIRONMENT,
            AWS_DEFAULT_REGION: props.region,
            [RUNTIME_ENV.dagBucket]: props.dagBucket,
            [RUNTIME_ENV.dagReleasesPrefix]: DAG_BUCKET_LAYOUT.releases,
            [RUNTIME_ENV.dagSyncRoot]: DAGS_FOLDER,
            [RUNTIME_ENV.dagSyncBundles]: JSON.stringify(bundlesOf(props.bundles, "efs").map((b) => b.name)),
            [RUNTIME_ENV.dagSyncKeepReleases]: String(props.keepReleases),
          },
          mountPoints: [
            { sourceVolume: "dags", containerPath: DAGS_FOLDER, readOnly: false },
            { sourceVolume: "tmp", containerPath: WRITABLE_PATHS.tmp, readOnly: false },
          ],
          memoryReservation: DAG_SYNC_TASK_SIZE.memory,
          stopTimeout: 120,
        },
      ],
    });

    const target: DagDeliveryTarget = {
      environment: props.naming.environment,
      bucket: props.dagBucket,
      cluster: props.cluster.clusterName,
      syncTaskDefinition: names.syncTaskFamily,
      syncContainer: names.syncContainer,
      subnets: props.cluster.subnetIds,
      securityGroups: [props.securityGroupId],
      syncLogGroup: names.syncLogGroup,
      syncLogStreamPrefix: names.syncTaskFamily,
    };
    this.parameter = new SsmParameter(this, "delivery-target", {
      name: dagDeliveryParameterName(props.naming),
      description: "Where npm run deploy-dags delivers this environment's DAGs (bucket, sync task, network)",
      type: "String",
      // jsonencode keeps the subnet list a list (a token list cannot be JSON.stringified).
      value: Fn.jsonencode(target),
    });
  }
}
