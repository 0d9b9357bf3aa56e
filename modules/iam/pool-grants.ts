import type { WorkerPoolConfig, WorkerTaskRoleConfig } from "../../config/schema";
import type { ArnBuilder } from "../core/arn";
import type { RolePermissions } from "./component-permissions";
import type { PolicyStatement } from "./policy-document";

/** A worker pool that declares its own task role (`workerPools[].taskRole`). */
export type PoolWithTaskRole = WorkerPoolConfig & { readonly taskRole: WorkerTaskRoleConfig };

/** The pools of `pools` that declare their own task role, in config order. */
export function poolsWithTaskRoles(pools: readonly WorkerPoolConfig[]): PoolWithTaskRole[] {
  return pools.filter((pool): pool is PoolWithTaskRole => pool.taskRole !== undefined);
}

/** Bucket and key prefix of `s3://<bucket>/<prefix>/` (config validation guarantees the form). */
function s3Location(uri: string): { bucket: string; prefix: string } {
  const [bucket, ...path] = uri.slice("s3://".length).split("/");
  return { bucket, prefix: path.join("/") };
}

/**
 * Listing of each bucket, limited to the pool's prefixes in it (one statement per bucket, so a prefix of one bucket
 * never opens another bucket).
 */
function listPoolPrefixes(arns: ArnBuilder, uris: readonly string[]): PolicyStatement[] {
  const byBucket = new Map<string, string[]>();
  for (const { bucket, prefix } of uris.map(s3Location)) byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), `${prefix}*`]);
  return [...byBucket].map(([bucket, prefixes], i) => ({
    sid: `PoolListBucket${i + 1}`,
    actions: ["s3:ListBucket"],
    resources: [`arn:${arns.partition}:s3:::${bucket}`],
    conditions: [{ test: "StringLike", variable: "s3:prefix", values: [...new Set(prefixes)] }],
  }));
}

const objects = (arns: ArnBuilder, uris: readonly string[]) =>
  uris.map(s3Location).map(({ bucket, prefix }) => `arn:${arns.partition}:s3:::${bucket}/${prefix}*`);

/**
 * What a pool's own grants allow, each scoped to exactly what the environment file names: objects under the S3
 * prefixes (read-write or read-only, with listing limited to those prefixes), secrets under the name prefixes of the
 * environment's account and region, and decryption and data keys with the named KMS keys.
 */
export function poolGrantStatements(arns: ArnBuilder, grants: WorkerTaskRoleConfig): PolicyStatement[] {
  const { s3Prefixes, s3ReadPrefixes, secretsPrefixes, kmsKeyArns } = grants;
  const statements: PolicyStatement[] = [...listPoolPrefixes(arns, [...s3Prefixes, ...s3ReadPrefixes])];
  if (s3Prefixes.length > 0) {
    statements.push({
      sid: "PoolReadWriteObjects",
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      resources: objects(arns, s3Prefixes),
    });
  }
  if (s3ReadPrefixes.length > 0) statements.push({ sid: "PoolReadObjects", actions: ["s3:GetObject"], resources: objects(arns, s3ReadPrefixes) });
  if (secretsPrefixes.length > 0) {
    statements.push({
      sid: "PoolReadSecrets",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      resources: secretsPrefixes.map((prefix) => arns.of("secretsmanager", `secret:${prefix}*`)),
    });
  }
  if (kmsKeyArns.length > 0) statements.push({ sid: "PoolUseKeys", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [...kmsKeyArns] });
  return statements;
}

/** A pool's task role: the worker's permissions (the platform minimum, never copied) plus the pool's grants. */
export function workerPoolPermissions(
  worker: RolePermissions,
  arns: ArnBuilder,
  pool: PoolWithTaskRole,
): RolePermissions & { readonly managedPolicyArns: readonly string[] } {
  return {
    description: `Celery worker pool ${pool.name}: the worker's permissions plus the pool's own S3, secret and KMS grants`,
    statements: [...worker.statements, ...poolGrantStatements(arns, pool.taskRole)],
    managedPolicyArns: pool.taskRole.managedPolicyArns,
  };
}
