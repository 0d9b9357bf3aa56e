import { Construct } from "constructs";
import type { DagBundleConfig } from "../../config/schema";
import { DAG_BUCKET_LAYOUT } from "../../runtime/dag-delivery";
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import { bundlesOf } from "../dags/dag-bundles";
import { dagDeliveryNames, dagDeliveryParameterName } from "../dags/dag-delivery";
import { s3BundlePrefixes } from "./component-permissions";
import { githubOidcTrust } from "./github-ci-roles";
import { viaService } from "./grants";
import type { PolicyStatement } from "./policy-document";
import { ServiceRole } from "./service-role";

export interface DagDeployRoleProps {
  /**
   * Names of the environment: the role (`<prefix>-<env>-ci-dags`), the delivery parameter, the cluster, the sync
   * task family, and the GitHub environment the repositories deliver from (named like this environment).
   */
  readonly naming: Naming;
  /** `owner/repo` of every DAG repository allowed to deliver; each only from its GitHub environment named like this one. */
  readonly repositories: readonly string[];
  /** The account's GitHub OIDC provider. */
  readonly oidcProviderArn: string;
  /** ARNs of the environment's account and region. */
  readonly arns: ArnBuilder;
  /** The DAG bucket. */
  readonly bucketArn: string;
  /** The data key the DAG bucket is encrypted with. */
  readonly dataKeyArn: string;
  /** The environment's DAG bundles: EFS bundles get release uploads and the sync task, S3 bundles their prefixes. */
  readonly bundles: readonly DagBundleConfig[];
  /** Roles the sync task runs with (execution and task role), passed to ECS by RunTask. */
  readonly syncTaskRoleArns: readonly string[];
}

/**
 * The role a DAG repository's workflow delivers with (GitHub OIDC): upload EFS releases and run the sync task, or
 * synchronize S3 bundle prefixes, and nothing else. It cannot change infrastructure, read state, secrets or other
 * prefixes of the DAG bucket.
 */
export class DagDeployRole extends Construct {
  /** The role DAG repositories' workflows assume. */
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: DagDeployRoleProps) {
    super(scope, id);
    const { arns, bucketArn, naming } = props;
    const environment = naming.environment;
    const delivery = dagDeliveryNames(naming);
    const clusterName = naming.cluster;
    const efs = bundlesOf(props.bundles, "efs").map((b) => b.name);
    const s3 = s3BundlePrefixes(props.bundles);
    const statements: PolicyStatement[] = [
      { sid: "ReadDeliveryTarget", actions: ["ssm:GetParameter"], resources: [arns.of("ssm", `parameter${dagDeliveryParameterName(naming)}`)] },
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
              resources: [arns.of("ecs", `task-definition/${delivery.syncTaskFamily}:*`)],
              conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [arns.of("ecs", `cluster/${clusterName}`)] }],
            },
            { sid: "WatchDagSyncTask", actions: ["ecs:DescribeTasks"], resources: [arns.of("ecs", `task/${clusterName}/*`)] },
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
      name: delivery.deployRole,
      description: `GitHub Actions: deliver the DAGs of ${environment} from ${props.repositories.join(", ")}`,
      assumeRolePolicy: githubOidcTrust(
        props.oidcProviderArn,
        props.repositories.map((r) => `repo:${r}:environment:${environment}`),
      ),
      statements,
    });
  }
}
