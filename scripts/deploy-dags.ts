/**
 * Delivers a DAG folder to one bundle of an environment:
 *
 *   npm run deploy-dags -- --env <env> [--bundle <name>] [--from <dir>] [--version <version>] [--timeout-minutes N] [--no-wait]
 *
 * - EFS bundle: packs the folder into a deterministic release archive, uploads it once (versions are immutable) to
 *   `s3://<dag bucket>/releases/<bundle>/<version>.tar.gz`, then runs the one-off sync task, which unpacks it on the
 *   DAG file system and switches the bundle's `current` link atomically. Without --from, --version switches back to
 *   a release uploaded before (rollback).
 * - S3 bundle: mirrors the folder to `s3://<dag bucket>/dags/<prefix>/` (uploads, then deletes what the folder no
 *   longer holds).
 * - Git bundle: nothing to deploy; Airflow follows the repository, so pushing to it delivers.
 *
 * Where to deliver (bucket, cluster, sync task, network) comes from the SSM parameter the services stack publishes
 * (modules/dags/dag-delivery.ts), so a DAG repository's pipeline needs only the environment's name and a role.
 */
import { ECSClient, DescribeTasksCommand, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import * as fs from "fs";
import { ConfigError, ENVIRONMENTS_DIR, environmentNames, loadEnvironment } from "../config/load";
import type { DagBundleConfig, EfsDagBundleConfig, EnvironmentConfig, GitDagBundleConfig, S3DagBundleConfig } from "../config/schema";
import { DAG_BUCKET_LAYOUT, DAG_RELEASE_VERSION_PATTERN } from "../runtime/dag-delivery";
import { RUNTIME_ENV } from "../runtime/airflow-image";
import { Naming } from "../modules/core/naming";
import { s3BundlePrefix } from "../modules/dags/dag-bundles";
import { dagDeliveryParameterName, type DagDeliveryTarget } from "../modules/dags/dag-delivery";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { buildReleaseArchive, collectFolder, defaultReleaseVersion, isValidReleaseVersion, ReleaseContentError, releaseKey } from "./lib/dag-release";

export const USAGE = [
  "usage: npm run deploy-dags -- --env <env> [--bundle <name>] [--from <dir>] [--version <version>] [--timeout-minutes N] [--no-wait]",
  "",
  "  --env <name>          the environment (config/environments/<name>.json)",
  "  --bundle <name>       the DAG bundle to deliver; default: the environment's only EFS or S3 bundle",
  "  --from <dir>          the DAG folder to deliver (.git/, __pycache__/, *.pyc and .DS_Store are left out)",
  "  --version <version>   EFS bundles: the release version (default <UTC yyyymmddTHHMMSSZ>-<sha256 prefix>);",
  "                        without --from, switches back to that already uploaded release",
  "  --timeout-minutes N   EFS bundles: how long to wait for the sync task (1-120, default 15)",
  "  --no-wait             EFS bundles: start the sync task and return without waiting for it",
  "  --environments-dir <dir>  read environment files from <dir> (default config/environments)",
].join("\n");

export const DEFAULT_TIMEOUT_MINUTES = 15;
export const MAX_TIMEOUT_MINUTES = 120;
/** Seconds between two DescribeTasks while waiting for the sync task. */
export const POLL_SECONDS = 5;
/** Parallel PutObject requests when mirroring an S3 bundle. */
export const S3_UPLOAD_CONCURRENCY = 8;
/** DeleteObjects accepts at most 1000 keys per request. */
export const DELETE_BATCH = 1000;
export const STARTED_BY = "deploy-dags";

/** What the sync task's exit codes mean (docker/config/airflow_ecs/dag_sync.py). */
export const SYNC_EXIT_CODES: Readonly<Record<number, string>> = {
  64: "configuration error: the task's bundle, version or environment is invalid",
  65: "bad archive, or the version already exists on EFS with different content (versions are immutable)",
  66: "the release is missing in S3",
};

export interface AwsClients {
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly ecs: ECSClient;
}

/** What one run does, decided from the arguments and the environment's configuration before any AWS call. */
export type DeployPlan =
  | { readonly kind: "git"; readonly config: EnvironmentConfig; readonly bundles: readonly GitDagBundleConfig[] }
  | {
      readonly kind: "efs";
      readonly config: EnvironmentConfig;
      readonly bundle: EfsDagBundleConfig;
      /** Absent: roll back to `version`, which must already be uploaded. */
      readonly from?: string;
      readonly version?: string;
      readonly wait: boolean;
      readonly timeoutMinutes: number;
    }
  | { readonly kind: "s3"; readonly config: EnvironmentConfig; readonly bundle: S3DagBundleConfig; readonly from: string };

export interface DeployDependencies {
  readonly clients: AwsClients;
  /** Waits `ms` milliseconds (tests advance a fake clock). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  readonly out: Output;
}

const usageError = (message: string) => new CliError(`${message}\n\n${USAGE}`, 2);
const describeBundles = (bundles: readonly DagBundleConfig[]) => bundles.map((b) => `${b.name} (${b.source})`).join(", ");

/** Parses the arguments and loads the environment: everything that can be refused without AWS. */
export function planDeployment(argv: readonly string[], environmentsDir = ENVIRONMENTS_DIR): DeployPlan {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      env: { type: "string" },
      bundle: { type: "string" },
      from: { type: "string" },
      version: { type: "string" },
      "timeout-minutes": { type: "string" },
      "no-wait": { type: "boolean", default: false },
      "environments-dir": { type: "string" },
    },
    USAGE,
  );
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  if (!values.env) throw usageError("--env <env> is required");
  const dir = values["environments-dir"] ?? environmentsDir;

  const available = environmentNames(dir);
  if (!available.includes(values.env)) throw usageError(`unknown environment "${values.env}"; available: ${available.join(", ") || "(none)"}`);
  let config: EnvironmentConfig;
  try {
    config = loadEnvironment(values.env, dir);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }

  const bundles = config.dags.bundles;
  let bundle: DagBundleConfig;
  if (values.bundle !== undefined) {
    const found = bundles.find((b) => b.name === values.bundle);
    if (!found) throw usageError(`environment "${config.name}" has no DAG bundle "${values.bundle}"; its bundles: ${describeBundles(bundles)}`);
    bundle = found;
  } else {
    const deliverable = bundles.filter((b) => b.source !== "git");
    if (deliverable.length > 1) throw usageError(`environment "${config.name}" has several DAG bundles; choose one with --bundle: ${describeBundles(bundles)}`);
    if (deliverable.length === 0) return { kind: "git", config, bundles: bundles.filter((b): b is GitDagBundleConfig => b.source === "git") };
    bundle = deliverable[0];
  }
  // Nothing of a git bundle is delivered from here, whatever else the arguments say.
  if (bundle.source === "git") return { kind: "git", config, bundles: [bundle] };

  const version = values.version;
  if (version !== undefined && !isValidReleaseVersion(version)) {
    throw usageError(
      `--version "${version}" is not a valid release version; expected ${DAG_RELEASE_VERSION_PATTERN} (letters, digits, ".", "_" and "-", at most 64 characters, starting with a letter or digit)`,
    );
  }
  let timeoutMinutes = DEFAULT_TIMEOUT_MINUTES;
  const rawTimeout = values["timeout-minutes"];
  if (rawTimeout !== undefined) {
    timeoutMinutes = Number(rawTimeout);
    if (!/^\d+$/.test(rawTimeout) || timeoutMinutes < 1 || timeoutMinutes > MAX_TIMEOUT_MINUTES) {
      throw usageError(`--timeout-minutes is "${rawTimeout}"; expected a whole number of minutes from 1 to ${MAX_TIMEOUT_MINUTES}`);
    }
  }

  switch (bundle.source) {
    case "s3":
      if (version !== undefined) {
        throw usageError(
          `--version does not apply to S3 bundle "${bundle.name}": Airflow's S3DagBundle is not versioned (it syncs whatever the prefix holds), so there is no release to select; deliver a folder with --from <dir>`,
        );
      }
      if (values.from === undefined) throw usageError(`S3 bundle "${bundle.name}" needs --from <dir>: the folder to mirror to its prefix`);
      return { kind: "s3", config, bundle, from: values.from };
    case "efs":
      if (values.from === undefined && version === undefined) {
        throw usageError(
          `EFS bundle "${bundle.name}" needs --from <dir> to deploy a folder, or --version <version> to switch back to a release uploaded before`,
        );
      }
      return { kind: "efs", config, bundle, from: values.from, version, wait: !values["no-wait"], timeoutMinutes };
  }
}

/** Carries out a plan against AWS through the injected clients. */
export async function deployDags(plan: DeployPlan, deps: DeployDependencies): Promise<void> {
  switch (plan.kind) {
    case "git":
      return printNothingToDeploy(plan, deps.out);
    case "efs":
      return deployEfs(plan, deps);
    case "s3":
      return deployS3(plan, deps);
  }
}

function printNothingToDeploy(plan: Extract<DeployPlan, { kind: "git" }>, out: Output): void {
  for (const bundle of plan.bundles) {
    const folder = bundle.subdir ? ` (folder ${bundle.subdir})` : "";
    out.stdout(
      `bundle "${bundle.name}" of ${plan.config.name} is a git bundle: nothing to deploy. Airflow follows ${bundle.ref} of ${bundle.repository}${folder}; pushing to it delivers.\n`,
    );
  }
}

async function deployEfs(plan: Extract<DeployPlan, { kind: "efs" }>, deps: DeployDependencies): Promise<void> {
  const { out } = deps;
  const { s3 } = deps.clients;
  const bundle = plan.bundle.name;
  const archive = plan.from === undefined ? undefined : await contentOf(() => buildReleaseArchive(plan.from!));
  const target = await readDeliveryTarget(plan.config, deps.clients.ssm);

  let version: string;
  if (archive) {
    version = plan.version ?? defaultReleaseVersion(deps.now(), archive.sha256);
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
    } catch (error) {
      if (httpStatus(error) === 409 || errorName(error) === "ConditionalRequestConflict") {
        throw new CliError(`another upload of version ${version} of bundle ${bundle} is in progress; wait for it, or choose another --version`);
      }
      if (httpStatus(error) !== 412 && errorName(error) !== "PreconditionFailed") throw awsFailure(`S3 PutObject s3://${target.bucket}/${key}`, error);
      const existing = await headObject(s3, target.bucket, key);
      const sha256 = existing?.Metadata?.[DAG_BUCKET_LAYOUT.sha256Metadata];
      if (sha256 !== archive.sha256) {
        throw new CliError(
          `version ${version} of bundle ${bundle} was already uploaded with different content; versions are immutable, choose another --version`,
        );
      }
      out.stdout(
        `version ${version} of bundle ${bundle} was already uploaded with the same content (sha256 ${archive.sha256}); reusing s3://${target.bucket}/${key}\n`,
      );
    }
  } else {
    // Rollback: switch back to a release uploaded before.
    version = plan.version!;
    const key = releaseKey(bundle, version);
    const existing = await headObject(s3, target.bucket, key);
    if (!existing) {
      throw new CliError(
        `version ${version} of bundle ${bundle} was never uploaded (s3://${target.bucket}/${key} does not exist); deploy a folder with --from <dir>, or give an uploaded --version`,
      );
    }
    const sha256 = existing.Metadata?.[DAG_BUCKET_LAYOUT.sha256Metadata];
    out.stdout(`switching bundle ${bundle} to the uploaded release s3://${target.bucket}/${key}${sha256 ? ` (sha256 ${sha256})` : ""}\n`);
  }

  const taskArn = await runSyncTask(target, bundle, version, deps.clients.ecs);
  const taskId = taskArn.slice(taskArn.lastIndexOf("/") + 1);
  const logs = `aws logs tail ${target.syncLogGroup} --log-stream-names ${target.syncLogStreamPrefix}/${target.syncContainer}/${taskId}`;
  if (!plan.wait) {
    out.stdout(`started sync task ${taskArn} for bundle ${bundle} version ${version}; not waiting (--no-wait). Its logs: ${logs}\n`);
    return;
  }
  out.stdout(`started sync task ${taskArn}; waiting up to ${plan.timeoutMinutes} minutes\n`);
  const task = await waitForTask(target, taskArn, plan.timeoutMinutes, deps, logs);
  const container = task.containers?.find((c) => c.name === target.syncContainer);
  const exitCode = container?.exitCode;
  if (exitCode === 0) {
    out.stdout(`deployed bundle ${bundle} version ${version} to ${plan.config.name} (sync task ${taskId})\n`);
    return;
  }
  if (exitCode === undefined || exitCode === null) {
    const reason = [container?.reason, task.stoppedReason].filter(Boolean).join("; ") || "no reason given";
    throw new CliError(`the sync task ${taskId} stopped without an exit code (${reason}); bundle ${bundle} was not switched to ${version}. Its logs: ${logs}`);
  }
  const meaning = SYNC_EXIT_CODES[exitCode] ?? "unexpected failure";
  throw new CliError(
    `the sync task ${taskId} failed with exit code ${exitCode} (${meaning}); bundle ${bundle} was not switched to ${version}. Its logs: ${logs}`,
  );
}

async function runSyncTask(target: DagDeliveryTarget, bundle: string, version: string, ecs: ECSClient): Promise<string> {
  const started = await aws("ECS RunTask", () =>
    ecs.send(
      new RunTaskCommand({
        cluster: target.cluster,
        taskDefinition: target.syncTaskDefinition,
        launchType: "FARGATE",
        count: 1,
        startedBy: STARTED_BY,
        networkConfiguration: { awsvpcConfiguration: { subnets: [...target.subnets], securityGroups: [...target.securityGroups], assignPublicIp: "DISABLED" } },
        overrides: {
          containerOverrides: [
            {
              name: target.syncContainer,
              environment: [
                { name: RUNTIME_ENV.dagSyncBundle, value: bundle },
                { name: RUNTIME_ENV.dagSyncVersion, value: version },
              ],
            },
          ],
        },
      }),
    ),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if ((started.failures?.length ?? 0) > 0 || !taskArn) {
    const reasons = (started.failures ?? []).map((f) => [f.reason, f.detail, f.arn].filter(Boolean).join(" ")).join("; ") || "no task returned";
    throw new CliError(`the sync task did not start: ${reasons}`);
  }
  return taskArn;
}

async function waitForTask(target: DagDeliveryTarget, taskArn: string, timeoutMinutes: number, deps: DeployDependencies, logs: string): Promise<Task> {
  const deadline = deps.now().getTime() + timeoutMinutes * 60_000;
  for (;;) {
    const described = await aws("ECS DescribeTasks", () => deps.clients.ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: [taskArn] })));
    const task = described.tasks?.find((t) => t.taskArn === taskArn);
    if (task?.lastStatus === "STOPPED") return task;
    if (deps.now().getTime() >= deadline) {
      throw new CliError(
        `the sync task ${taskArn} did not stop within ${timeoutMinutes} minutes (last status ${task?.lastStatus ?? "unknown"}); it keeps running. Its logs: ${logs}`,
      );
    }
    await deps.sleep(POLL_SECONDS * 1000);
  }
}

/**
 * S3DagBundle has no atomic switch: the components sync the prefix on their own schedule, so files appear as they
 * upload, and a refresh in the middle of a run may see some new files beside old ones. Uploading everything before
 * deleting anything at least never leaves a file missing that the folder still has.
 */
async function deployS3(plan: Extract<DeployPlan, { kind: "s3" }>, deps: DeployDependencies): Promise<void> {
  const { s3 } = deps.clients;
  const files = (await contentOf(() => collectFolder(plan.from))).filter((e) => e.type === "file");
  const target = await readDeliveryTarget(plan.config, deps.clients.ssm);
  const prefix = `${s3BundlePrefix(plan.bundle.prefix)}/`;
  const where = `s3://${target.bucket}/${prefix}`;

  const existing = await listKeys(s3, target.bucket, prefix);
  const uploaded = new Set<string>();
  await inParallel(files, S3_UPLOAD_CONCURRENCY, async (file) => {
    const key = `${prefix}${file.path}`;
    const body = await fs.promises.readFile(file.absolute);
    await aws(`S3 PutObject s3://${target.bucket}/${key}`, () => s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body })));
    uploaded.add(key);
  });

  // Only keys under the bundle's prefix (with its slash, so "dags/a/" never touches "dags/ab/").
  const stale = existing.filter((key) => key.startsWith(prefix) && !uploaded.has(key));
  for (let i = 0; i < stale.length; i += DELETE_BATCH) {
    const batch = stale.slice(i, i + DELETE_BATCH);
    const result = await aws(`S3 DeleteObjects in ${where}`, () =>
      s3.send(new DeleteObjectsCommand({ Bucket: target.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
    );
    const errors = result.Errors ?? [];
    if (errors.length > 0) {
      const listed = errors.map((e) => `${e.Key} (${e.Code}: ${e.Message})`).join("; ");
      throw new CliError(`uploaded ${uploaded.size} files to ${where}, but could not delete ${errors.length} stale objects: ${listed}`);
    }
  }
  deps.out.stdout(`uploaded ${uploaded.size} files to ${where}, deleted ${stale.length} stale objects (bundle ${plan.bundle.name} of ${plan.config.name})\n`);
}

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

/** The SSM parameter the services stack publishes, validated. */
async function readDeliveryTarget(config: EnvironmentConfig, ssm: SSMClient): Promise<DagDeliveryTarget> {
  const name = dagDeliveryParameterName(new Naming(config.namePrefix, config.name, config.account.id));
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (errorName(error) === "ParameterNotFound") {
      throw new CliError(`SSM parameter ${name} does not exist; apply the services stack of ${config.name} first (it publishes where DAGs are delivered)`);
    }
    throw awsFailure(`SSM GetParameter ${name}`, error);
  }
  const problem = (what: string) =>
    new CliError(`SSM parameter ${name} is not a valid DAG delivery target: ${what}; re-apply the services stack of ${config.name}`);
  let raw: unknown;
  try {
    raw = JSON.parse(value ?? "");
  } catch {
    throw problem("its value is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw problem("its value is not a JSON object");
  const record = raw as Record<string, unknown>;
  const strings = ["environment", "bucket", "cluster", "syncTaskDefinition", "syncContainer", "syncLogGroup", "syncLogStreamPrefix"] as const;
  for (const field of strings) {
    if (typeof record[field] !== "string" || record[field] === "")
      throw problem(`"${field}" is ${JSON.stringify(record[field]) ?? "missing"}; expected a non-empty string`);
  }
  for (const field of ["subnets", "securityGroups"] as const) {
    const list = record[field];
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === "string" && s !== "")) {
      throw problem(`"${field}" is ${JSON.stringify(list) ?? "missing"}; expected a non-empty list of ids`);
    }
  }
  if (record.environment !== config.name) throw problem(`it names environment "${String(record.environment)}", not "${config.name}"`);
  return record as unknown as DagDeliveryTarget;
}

async function headObject(s3: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (httpStatus(error) === 404 || errorName(error) === "NotFound" || errorName(error) === "NoSuchKey") return undefined;
    throw awsFailure(`S3 HeadObject s3://${bucket}/${key}`, error);
  }
}

/** Folder problems (links, empty folder) are the user's: one line, no stack. */
async function contentOf<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ReleaseContentError) throw new CliError(error.message);
    throw error;
  }
}

async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsFailure(what, error);
  }
}

/** An AWS failure (denied, throttled, no credentials, no network) as a one-line cause; programming errors keep their stack. */
function awsFailure(what: string, error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof TypeError || error instanceof ReferenceError || error instanceof CliError) return error;
  return new CliError(`${what} failed: ${error.name}: ${error.message}`);
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

export interface MainDependencies {
  /** Creates the AWS clients for the environment's region; called only when the plan needs AWS. */
  readonly clients: (region: string) => AwsClients;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly environmentsDir?: string;
}

export async function main(argv: readonly string[], out: Output, deps: MainDependencies): Promise<number> {
  const plan = planDeployment(argv, deps.environmentsDir);
  if (plan.kind === "git") {
    printNothingToDeploy(plan, out);
    return 0;
  }
  await deployDags(plan, {
    clients: deps.clients(plan.config.account.region),
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: deps.now ?? (() => new Date()),
    out,
  });
  return 0;
}

if (require.main === module) {
  runAsProcess((argv, out) =>
    main(argv, out, {
      clients: (region) => ({ s3: new S3Client({ region }), ssm: new SSMClient({ region }), ecs: new ECSClient({ region }) }),
    }),
  );
}
