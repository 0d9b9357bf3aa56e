import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { ArnBuilder } from "../modules/core/arn";
import { Naming } from "../modules/core/naming";
import { accountProvider } from "../modules/core/provider";
import type { PolicyStatement } from "../modules/iam/policy-document";
import { EncryptionKey } from "../modules/security/encryption-key";
import { SecureBucket } from "../modules/storage/secure-bucket";

/** The environments whose stacks keep state in one bucket (same account and region, validated on load). */
export interface StateBucketGroup {
  readonly bucket: string;
  readonly region: string;
  readonly accountId: string;
  readonly namePrefix: string;
  readonly environments: readonly string[];
  /** The CI roles of each environment that has them (GitHub OIDC): fenced into their own environment's state. */
  readonly ciRoles: readonly { readonly environment: string; readonly roleNames: readonly string[] }[];
}

/** Groups environments by state bucket: one bootstrap stack per bucket. */
export function stateBucketGroups(configs: readonly EnvironmentConfig[]): StateBucketGroup[] {
  const groups = new Map<string, StateBucketGroup>();
  for (const c of configs) {
    const existing = groups.get(c.state.bucket);
    groups.set(c.state.bucket, {
      bucket: c.state.bucket,
      region: c.state.region,
      accountId: c.account.id,
      namePrefix: c.namePrefix,
      environments: [...(existing?.environments ?? []), c.name],
      ciRoles: [...(existing?.ciRoles ?? []), ...(c.ci.githubRepository ? [{ environment: c.name, roleNames: ciRoleNames(c) }] : [])],
    });
  }
  return [...groups.values()];
}

function ciRoleNames(config: EnvironmentConfig): string[] {
  const naming = new Naming(config.namePrefix, config.name, config.account.id);
  return [naming.ciRole("plan"), naming.ciRole("apply")];
}

/**
 * Environments sharing an account share its state bucket, and a CI role's identity policy may read state there. One
 * Deny per environment keeps its CI roles to its own `<env>/` prefix, so a dev pull request cannot read test's state
 * (with its outputs). Separate accounts per environment remain the hard boundary.
 */
function stateIsolationStatements(group: StateBucketGroup, bucketArn: string, arns: ArnBuilder): PolicyStatement[] {
  return group.ciRoles.map(({ environment, roleNames }) => ({
    sid: `Deny${environment.replace(/^./, (c) => c.toUpperCase())}CiOtherState`,
    effect: "Deny" as const,
    actions: ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"],
    notResources: [`${bucketArn}/${environment}/*`],
    principals: [{ type: "*" as const, identifiers: ["*"] }],
    conditions: [
      { test: "ArnLike", variable: "aws:PrincipalArn", values: roleNames.map((name) => `arn:${arns.partition}:iam::${group.accountId}:role/${name}`) },
    ],
  }));
}

export function bootstrapStackId(bucket: string): string {
  return `bootstrap-${bucket}`;
}

/** Noncurrent state versions kept: old versions are how a bad apply is rolled back. */
export const STATE_VERSION_RETENTION = { days: 90, newest: 20 } as const;

/**
 * The one-time state bootstrap of an account: the S3 bucket every other stack keeps its state in, encrypted with its
 * own KMS key, versioned, TLS-only, never public, protected from `terraform destroy`, with server access logs in a
 * companion bucket. Its own state is local (it cannot live in the bucket it creates) and sits outside cdktf.out in
 * terraform-state/state/, so re-synthesizing never loses it; see terraform-state/README.md.
 */
export class StateBootstrapStack extends TerraformStack {
  readonly stateBucket: SecureBucket;
  readonly accountId: string;

  /** No cross-stack references here either; see AirflowStack.prepareStack. */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  constructor(scope: Construct, group: StateBucketGroup) {
    const id = bootstrapStackId(group.bucket);
    super(scope, id);
    this.accountId = group.accountId;
    new LocalBackend(this, { path: `../../../terraform-state/state/${id}.tfstate` });
    accountProvider(this, {
      region: group.region,
      accountId: group.accountId,
      tags: { project: group.namePrefix, stack: "terraform-state", "managed-by": "cdktf" },
    });
    const arns = new ArnBuilder({ account: { id: group.accountId, region: group.region } });

    const key = new EncryptionKey(this, "state-key", {
      alias: `${group.bucket.replace(/\./g, "-")}`,
      description: `Terraform state in s3://${group.bucket} (${group.environments.join(", ")})`,
      arns,
    });
    key.key.addOverride("lifecycle.prevent_destroy", true);

    const accessLogs = new SecureBucket(this, "access-logs", {
      bucketName: `${group.bucket}-access-logs`,
      // S3 server access logging can only write to SSE-S3 buckets.
      encryption: { kind: "s3" },
      lifecycle: { expireAfterDays: 365, noncurrentExpireAfterDays: 30 },
      policyStatements: [
        {
          sid: "ServerAccessLogDelivery",
          actions: ["s3:PutObject"],
          resources: [`arn:${arns.partition}:s3:::${group.bucket}-access-logs/state/*`],
          principals: [{ type: "Service", identifiers: [arns.servicePrincipal("logging.s3")] }],
          conditions: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [group.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${arns.partition}:s3:::${group.bucket}`] },
          ],
        },
      ],
    });

    this.stateBucket = new SecureBucket(this, "state", {
      bucketName: group.bucket,
      encryption: { kind: "kms", keyArn: key.arn },
      lifecycle: { noncurrentExpireAfterDays: STATE_VERSION_RETENTION.days, keepNoncurrentVersions: STATE_VERSION_RETENTION.newest },
      accessLogs: { bucket: accessLogs, prefix: "state/" },
      preventDestroy: true,
      policyStatements: stateIsolationStatements(group, `arn:${arns.partition}:s3:::${group.bucket}`, arns),
    });

    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.name, description: "S3 bucket for the stacks' state" });
    new TerraformOutput(this, "state_kms_key_arn", { value: key.arn, description: "KMS key encrypting the state objects" });
  }
}
