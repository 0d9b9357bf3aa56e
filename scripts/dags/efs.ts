/**
 * EFS bundles: the folder is packed into a deterministic release archive and uploaded once (versions are immutable)
 * to `s3://<dag bucket>/releases/<bundle>/<version>.tar.gz`; the sync task then unpacks it on the DAG file system
 * and switches the bundle's `current` link atomically. Without --from, --version switches back to a release uploaded
 * before (rollback).
 */
import { HeadObjectCommand, PutObjectCommand, type HeadObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import type { DagDeliveryTarget } from "../../modules/dags/dag-delivery";
import { DAG_BUCKET_LAYOUT } from "../../runtime/dag-delivery";
import { CliError } from "../lib/cli";
import { buildReleaseArchive, defaultReleaseVersion, releaseKey, type ReleaseArchive } from "../lib/dag-release";
import type { DeployPlan } from "./cli";
import type { DeployDependencies } from "./dependencies";
import { syncRelease } from "./ecs";
import { awsFailure, contentOf, errorName, httpStatus } from "./errors";
import { readDeliveryTarget } from "./target";

type EfsPlan = Extract<DeployPlan, { kind: "efs" }>;

export async function deployEfs(plan: EfsPlan, deps: DeployDependencies): Promise<void> {
  const archive = plan.from === undefined ? undefined : await contentOf(() => buildReleaseArchive(plan.from!));
  const target = await readDeliveryTarget(plan.config, deps.clients.ssm);
  const version = archive ? await uploadRelease(plan, archive, target, deps) : await findUploadedRelease(plan.bundle.name, plan.version!, target, deps);
  await syncRelease(target, { environment: plan.config.name, bundle: plan.bundle.name, version, wait: plan.wait, timeoutMinutes: plan.timeoutMinutes }, deps);
}

/** Uploads the archive as a new version, or reuses that version when it holds the same bytes; returns the version. */
async function uploadRelease(plan: EfsPlan, archive: ReleaseArchive, target: DagDeliveryTarget, deps: DeployDependencies): Promise<string> {
  const { out } = deps;
  const { s3 } = deps.clients;
  const bundle = plan.bundle.name;
  const version = plan.version ?? defaultReleaseVersion(deps.now(), archive.sha256);
  const key = releaseKey(bundle, version);
  out.stdout(`packed ${archive.files.length} files of ${plan.from} (${archive.bytes.length} bytes, sha256 ${archive.sha256})\n`);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: archive.bytes,
        ContentType: "application/gzip",
        Metadata: { [DAG_BUCKET_LAYOUT.sha256Metadata]: archive.sha256 },
        // Versions are immutable: never overwrite an uploaded release.
        IfNoneMatch: "*",
      }),
    );
    out.stdout(`uploaded s3://${target.bucket}/${key}\n`);
    return version;
  } catch (error) {
    if (httpStatus(error) === 409 || errorName(error) === "ConditionalRequestConflict") {
      throw new CliError(`another upload of version ${version} of bundle ${bundle} is in progress; wait for it, or choose another --version`);
    }
    if (httpStatus(error) !== 412 && errorName(error) !== "PreconditionFailed") throw awsFailure(`S3 PutObject s3://${target.bucket}/${key}`, error);
  }
  // The version exists (412): reusing it is fine only when it holds the same archive.
  const existing = await headObject(s3, target.bucket, key);
  if (existing?.Metadata?.[DAG_BUCKET_LAYOUT.sha256Metadata] !== archive.sha256) {
    throw new CliError(`version ${version} of bundle ${bundle} was already uploaded with different content; versions are immutable, choose another --version`);
  }
  out.stdout(
    `version ${version} of bundle ${bundle} was already uploaded with the same content (sha256 ${archive.sha256}); reusing s3://${target.bucket}/${key}\n`,
  );
  return version;
}

/** Rollback: checks that `version` was uploaded before; returns it. */
async function findUploadedRelease(bundle: string, version: string, target: DagDeliveryTarget, deps: DeployDependencies): Promise<string> {
  const key = releaseKey(bundle, version);
  const existing = await headObject(deps.clients.s3, target.bucket, key);
  if (!existing) {
    throw new CliError(
      `version ${version} of bundle ${bundle} was never uploaded (s3://${target.bucket}/${key} does not exist); deploy a folder with --from <dir>, or give an uploaded --version`,
    );
  }
  const sha256 = existing.Metadata?.[DAG_BUCKET_LAYOUT.sha256Metadata];
  deps.out.stdout(`switching bundle ${bundle} to the uploaded release s3://${target.bucket}/${key}${sha256 ? ` (sha256 ${sha256})` : ""}\n`);
  return version;
}

async function headObject(s3: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (httpStatus(error) === 404 || errorName(error) === "NotFound" || errorName(error) === "NoSuchKey") return undefined;
    throw awsFailure(`S3 HeadObject s3://${bucket}/${key}`, error);
  }
}
