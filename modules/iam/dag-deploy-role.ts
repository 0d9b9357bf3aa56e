import { Construct } from "constructs";
import { DAG_BUCKET_LAYOUT } from "../../runtime/dag-delivery";
import type { ArnBuilder } from "../core/arn";
import { githubOidcTrust } from "./github-ci-roles";
import { viaService } from "./grants";
import type { PolicyStatement } from "./policy-document";
import { ServiceRole } from "./service-role";

export interface DagDeployRoleProps {
  readonly name: string;
  readonly environment: string;
  /** `owner/repo` of every DAG repository allowed to deliver; each only from its GitHub environment named like this one. */
  readonly repositories: readonly string[];
  readonly oidcProviderArn: string;
  readonly arns: ArnBuilder;
  readonly bucketArn: string;
  readonly dataKeyArn: string;
  /** Names of the environment's EFS bundles (their releases are uploaded, then switched by the sync task). */
  readonly efsBundles: readonly string[];
  /** Full prefixes (`dags/<prefix>`) of the environment's S3 bundles, synchronized in place. */
  readonly s3Prefixes: readonly string[];
  /** The SSM parameter naming the delivery target (DagDeliveryTarget). */
  readonly parameterName: string;
  readonly clusterName: string;
  readonly syncTaskFamily: string;
  /** Roles the sync task runs with (execution and task role), passed to ECS by RunTask. */
  readonly syncTaskRoleArns: readonly string[];
}

/**
 * The role a DAG repository's workflow delivers with (GitHub OIDC): upload EFS releases and run the sync task, or
 * synchronize S3 bundle prefixes, and nothing else. It cannot change infrastructure, read state, secrets or other
 * prefixes of the DAG bucket.
 */
export class DagDeployRole extends Construct {
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: DagDeployRoleProps) {
    super(scope, id);
    const { arns, bucketArn } = props;
    const efs = props.efsBundles;
    const s3 = props.s3Prefixes;
    const statements: PolicyStatement[] = [
      { sid: "ReadDeliveryTarget", actions: ["ssm:GetParameter"], resources: [arns.of("ssm", `parameter${props.parameterName}`)] },
      ...(efs.length > 0
        ? [
            // PutObject uploads a release; GetObject answers HeadObject (is this version already uploaded?).
            {
              sid: "UploadEfsReleases",
              actions: ["s3:PutObject", "s3:GetObject"],
              resources: efs.map((b) => `${bucketArn}/${DAG_BUCKET_LAYOUT.releases}/${b}/*`),
            },
            {
              sid: "RunDagSyncTask",
              actions: ["ecs:RunTask"],
              resources: [arns.of("ecs", `task-definition/${props.syncTaskFamily}:*`)],
              conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [arns.of("ecs", `cluster/${props.clusterName}`)] }],
            },
            { sid: "WatchDagSyncTask", actions: ["ecs:DescribeTasks"], resources: [arns.of("ecs", `task/${props.clusterName}/*`)] },
            {
              sid: "PassDagSyncRoles",
              actions: ["iam:PassRole"],
              resources: [...props.syncTaskRoleArns],
              conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: [arns.servicePrincipal("ecs-tasks")] }],
            },
          ]
        : []),
      ...(s3.length > 0
        ? [
            {
              sid: "ListS3Bundles",
              actions: ["s3:ListBucket"],
              resources: [bucketArn],
              conditions: [{ test: "StringLike", variable: "s3:prefix", values: s3.map((p) => `${p}/*`) }],
            },
            { sid: "SyncS3Bundles", actions: ["s3:PutObject", "s3:DeleteObject"], resources: s3.map((p) => `${bucketArn}/${p}/*`) },
          ]
        : []),
      {
        sid: "EncryptDagUploads",
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [props.dataKeyArn],
        conditions: [viaService(arns, "s3")],
      },
    ];
    this.role = new ServiceRole(this, "role", {
      name: props.name,
      description: `GitHub Actions: deliver the DAGs of ${props.environment} from ${props.repositories.join(", ")}`,
      assumeRolePolicy: githubOidcTrust(
        props.oidcProviderArn,
        props.repositories.map((r) => `repo:${r}:environment:${props.environment}`),
      ),
      statements,
    });
  }
}
