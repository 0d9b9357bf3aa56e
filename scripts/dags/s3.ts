/**
 * S3 bundles: the folder is mirrored to `s3://<dag bucket>/dags/<prefix>/` (uploads, then deletes what the folder no
 * longer holds).
 *
 * S3DagBundle has no atomic switch: the components sync the prefix on their own schedule, so files appear as they
 * upload, and a refresh in the middle of a run may see some new files beside old ones. Uploading everything before
 * deleting anything at least never leaves a file missing that the folder still has.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import * as fs from "fs";
import { s3BundlePrefix } from "../../modules/dags/dag-bundles";
import { CliError } from "../lib/cli";
import { collectFolder } from "../lib/dag-release";
import type { DeployPlan } from "./cli";
import type { DeployDependencies } from "./dependencies";
import { aws, contentOf } from "./errors";
import { readDeliveryTarget } from "./target";

/** Parallel PutObject requests when mirroring an S3 bundle. */
export const S3_UPLOAD_CONCURRENCY = 8;
/** DeleteObjects accepts at most 1000 keys per request. */
export const DELETE_BATCH = 1000;

export async function deployS3(plan: Extract<DeployPlan, { kind: "s3" }>, deps: DeployDependencies): Promise<void> {
  const { s3 } = deps.clients;
  const files = (await contentOf(() => collectFolder(plan.from))).filter((e) => e.type === "file");
  const target = await readDeliveryTarget(plan.config, deps.clients.ssm);
  const bucket = target.bucket;
  const prefix = `${s3BundlePrefix(plan.bundle.prefix)}/`;
  const where = `s3://${bucket}/${prefix}`;

  const existing = await listKeys(s3, bucket, prefix);
  const uploaded = new Set<string>();
  await inParallel(files, S3_UPLOAD_CONCURRENCY, async (file) => {
    const key = `${prefix}${file.path}`;
    const body = await fs.promises.readFile(file.absolute);
    await aws(`S3 PutObject s3://${bucket}/${key}`, () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })));
    uploaded.add(key);
  });

  // Only keys under the bundle's prefix (with its slash, so "dags/a/" never touches "dags/ab/").
  const stale = existing.filter((key) => key.startsWith(prefix) && !uploaded.has(key));
  for (let i = 0; i < stale.length; i += DELETE_BATCH) {
    const batch = stale.slice(i, i + DELETE_BATCH);
    const result = await aws(`S3 DeleteObjects in ${where}`, () =>
      s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
    );
    const errors = result.Errors ?? [];
    if (errors.length > 0) {
      const listed = errors.map((e) => `${e.Key} (${e.Code}: ${e.Message})`).join("; ");
      throw new CliError(`uploaded ${uploaded.size} files to ${where}, but could not delete ${errors.length} stale objects: ${listed}`);
    }
  }
  deps.out.stdout(`uploaded ${uploaded.size} files to ${where}, deleted ${stale.length} stale objects (bundle ${plan.bundle.name} of ${plan.config.name})\n`);
}

/**
 * Every key under `prefix`, page by page. Kept over the SDK's paginateListObjectsV2, which sends every page with one
 * input object it mutates, so the requests cannot be told apart afterwards (as the tests check each page's token).
 */
async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws(`S3 ListObjectsV2 s3://${bucket}/${prefix}`, () =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Runs `work` over `items` with at most `limit` at a time; stops taking new items after the first failure. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
