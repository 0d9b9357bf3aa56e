import { DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, NotFound, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Parser, type ReadEntry } from "tar";
import { DAG_RELEASE_VERSION_PATTERN } from "../../runtime/dag-delivery";
import { main, USAGE } from "../../scripts/deploy-dags";
import { CliError } from "../../scripts/lib/cli";
import { buildReleaseArchive, defaultReleaseVersion, releaseKey } from "../../scripts/lib/dag-release";
import { temporaryDirectory } from "../support/temp";

const s3 = mockClient(S3Client);
const ssm = mockClient(SSMClient);
const ecs = mockClient(ECSClient);
afterEach(() => {
  s3.reset();
  ssm.reset();
  ecs.reset();
});

const NOW = new Date("2026-01-15T09:30:00.000Z");

/** What the services stack publishes for an environment (modules/dags/dag-delivery.ts). */
function target(env: string) {
  return {
    environment: env,
    bucket: `airflow-${env}-dags-111111111111`,
    cluster: `airflow-${env}-cluster`,
    syncTaskDefinition: `airflow-${env}-dag-sync`,
    syncContainer: "dag-sync",
    subnets: ["subnet-a", "subnet-b"],
    securityGroups: ["sg-sync"],
    syncLogGroup: `/airflow/${env}/dag-sync`,
    syncLogStreamPrefix: "dag-sync",
  };
}
const DEV = target("dev");
const TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/airflow-dev-cluster/0123456789abcdef";
const LOGS = "aws logs tail /airflow/dev/dag-sync --log-stream-names dag-sync/dag-sync/0123456789abcdef";

function publishTarget(value: object | string, env = "dev") {
  ssm
    .on(GetParameterCommand, { Name: `/airflow/${env}/dag-delivery` })
    .resolves({ Parameter: { Value: typeof value === "string" ? value : JSON.stringify(value) } });
}

/** Runs the tool in-process with the mocked clients and a fake clock that each sleep advances. */
async function run(argv: readonly string[]) {
  let stdout = "";
  const regions: string[] = [];
  const sleeps: number[] = [];
  let clock = NOW.getTime();
  const code = await main(
    argv,
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t) },
    {
      clients: (region) => {
        regions.push(region);
        return { s3: new S3Client({ region }), ssm: new SSMClient({ region }), ecs: new ECSClient({ region }) };
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => new Date(clock),
    },
  );
  return { code, stdout, regions, sleeps };
}

/** Runs the tool expecting a user error; returns it. */
async function failure(argv: readonly string[]): Promise<CliError> {
  const error = await run(argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CliError)) throw new Error(`${argv.join(" ")} did not fail with a CliError: ${String(error)}`);
  return error;
}

const awsCalls = () => s3.calls().length + ssm.calls().length + ecs.calls().length;
const inputs = <T>(mock: { commandCalls: (c: T) => { args: [{ input: unknown }] }[] }, command: T) =>
  mock.commandCalls(command).map((c) => c.args[0].input as any);

/** A temporary folder holding the given files: content, or content and mode. */
function folder(files: Record<string, string | { content: string; mode: number }>): string {
  const dir = temporaryDirectory("deploy-dags-");
  for (const [rel, value] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof value === "string") fs.writeFileSync(file, value);
    else {
      fs.writeFileSync(file, value.content);
      fs.chmodSync(file, value.mode);
    }
  }
  return dir;
}

const DAGS = {
  "hello.py": "from airflow.sdk import dag\n",
  "lib/util.py": "X = 1\n",
  "lib/__pycache__/util.cpython-312.pyc": "cache",
  "old.pyc": "cache",
  ".DS_Store": "finder",
  ".git/HEAD": "ref: refs/heads/main\n",
};

interface Entry {
  path: string;
  type: string;
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  mtime?: number;
  content: string;
}

/** Reads a .tar.gz back with the tar package (an independent reader). */
async function readArchive(bytes: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => chunks.push(chunk));
        entry.on("end", () =>
          entries.push({
            path: entry.path,
            type: entry.type,
            mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
            uname: entry.uname,
            gname: entry.gname,
            mtime: entry.mtime?.getTime(),
            content: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    });
    parser.on("end", () => resolve());
    parser.on("error", reject);
    parser.end(bytes);
  });
  return entries;
}

function stoppedTask(exitCode: number | undefined, extra: Partial<Task> = {}): Task {
  return { taskArn: TASK_ARN, lastStatus: "STOPPED", containers: [{ name: "dag-sync", exitCode }], ...extra };
}

/** The sync task starts, runs once, then stops with `exitCode`. */
function syncTaskRuns(exitCode = 0) {
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
  ecs
    .on(DescribeTasksCommand)
    .resolvesOnce({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] })
    .resolves({ tasks: [stoppedTask(exitCode)] });
}

const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message: name });

describe("deploy-dags arguments", () => {
  it("requires --env", async () => {
    // GIVEN no arguments WHEN run THEN a usage error (exit 2) with the usage text, and no AWS call
    const error = await failure([]);
    expect([error.exitCode, error.message]).toEqual([2, `--env <env> is required\n\n${USAGE}`]);
    expect(awsCalls()).toBe(0);
  });

  it("lists the available environments for an unknown one", async () => {
    const error = await failure(["--env", "qa", "--from", "x"]);
    expect([error.exitCode, error.message]).toEqual([2, `unknown environment "qa"; available: dev, prod, test, uat\n\n${USAGE}`]);
  });

  it("refuses unknown options and positional arguments as usage errors", async () => {
    expect((await failure(["--env", "dev", "--frm", "x"])).exitCode).toBe(2);
    const error = await failure(["--env", "dev", "dags"]);
    expect([error.exitCode, error.message]).toEqual([2, `unexpected argument "dags"\n\n${USAGE}`]);
  });

  it("names the environment's bundles and their sources for an unknown bundle", async () => {
    const error = await failure(["--env", "prod", "--bundle", "nope", "--from", "x"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `environment "prod" has no DAG bundle "nope"; its bundles: platform (git), analytics (s3), team (efs)\n\n${USAGE}`,
    ]);
  });

  it("requires --bundle when the environment has several bundles", async () => {
    // GIVEN prod (git "platform", s3 "analytics", efs "team") WHEN no bundle is named THEN it asks for one
    const error = await failure(["--env", "prod", "--from", "x"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `environment "prod" has several DAG bundles; choose one with --bundle: platform (git), analytics (s3), team (efs)\n\n${USAGE}`,
    ]);
  });

  it("has nothing to deploy for a git bundle, and makes no AWS call", async () => {
    // GIVEN uat (one git bundle) and prod's git bundle named explicitly
    const uat = await run(["--env", "uat"]);
    const prod = await run(["--env", "prod", "--bundle", "platform", "--from", "/nowhere"]);
    // THEN both exit 0 saying what the bundle follows, without creating a client
    expect(uat).toEqual({
      code: 0,
      stdout:
        'bundle "dags" of uat is a git bundle: nothing to deploy. Airflow follows main of https://github.com/example-org/airflow-dags.git (folder dags); pushing to it delivers.\n',
      regions: [],
      sleeps: [],
    });
    expect(prod.stdout).toBe(
      'bundle "platform" of prod is a git bundle: nothing to deploy. Airflow follows v2.3.0 of git@github.com:example-org/airflow-platform-dags.git (folder dags); pushing to it delivers.\n',
    );
    expect([prod.code, prod.regions, awsCalls()]).toEqual([0, [], 0]);
  });

  it("refuses --version for an S3 bundle, which Airflow does not version", async () => {
    const error = await failure(["--env", "test", "--from", "x", "--version", "v1"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `--version does not apply to S3 bundle "dags": Airflow's S3DagBundle is not versioned (it syncs whatever the prefix holds), so there is no release to select; deliver a folder with --from <dir>\n\n${USAGE}`,
    ]);
  });

  it("requires --from for an S3 bundle", async () => {
    const error = await failure(["--env", "test"]);
    expect([error.exitCode, error.message]).toEqual([2, `S3 bundle "dags" needs --from <dir>: the folder to mirror to its prefix\n\n${USAGE}`]);
  });

  it("requires --from or --version for an EFS bundle", async () => {
    const error = await failure(["--env", "dev"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `EFS bundle "dags" needs --from <dir> to deploy a folder, or --version <version> to switch back to a release uploaded before\n\n${USAGE}`,
    ]);
  });

  it.each(["-starts-with-dash", "_underscore", "has/slash", "x".repeat(65), ""])("refuses the version %j, naming the pattern", async (version) => {
    const error = await failure(["--env", "dev", `--version=${version}`]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `--version "${version}" is not a valid release version; expected ${DAG_RELEASE_VERSION_PATTERN} (letters, digits, ".", "_" and "-", at most 64 characters, starting with a letter or digit)\n\n${USAGE}`,
    ]);
  });

  it.each(["0", "121", "1.5", "ten"])("refuses --timeout-minutes %s", async (minutes) => {
    const error = await failure(["--env", "dev", "--version", "v1", "--timeout-minutes", minutes]);
    expect([error.exitCode, error.message]).toEqual([2, `--timeout-minutes is "${minutes}"; expected a whole number of minutes from 1 to 120\n\n${USAGE}`]);
    expect(awsCalls()).toBe(0);
  });
});

describe("the release archive", () => {
  it("is byte-for-byte the same for the same folder, wherever and whenever it was written", async () => {
    // GIVEN the same files in two folders, with different modification times and umask-dependent modes
    const a = folder(DAGS);
    const b = folder(DAGS);
    fs.utimesSync(path.join(b, "hello.py"), new Date("2020-01-01"), new Date("2020-01-01"));
    fs.chmodSync(path.join(b, "lib", "util.py"), 0o600);
    // WHEN both are packed (one twice)
    const [first, again, other] = await Promise.all([buildReleaseArchive(a), buildReleaseArchive(a), buildReleaseArchive(b)]);
    // THEN the bytes and the SHA-256 are identical
    expect(first.bytes.equals(again.bytes)).toBe(true);
    expect(first.bytes.equals(other.bytes)).toBe(true);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect([again.sha256, other.sha256]).toEqual([first.sha256, first.sha256]);
  });

  it("holds the folder's files under relative names, without version control or Python caches", async () => {
    // GIVEN a folder with a package, caches, a Finder file and a .git folder
    const archive = await buildReleaseArchive(folder(DAGS));
    // WHEN read back with an independent reader
    const entries = await readArchive(archive.bytes);
    // THEN only the folders and DAG files are there, sorted, with their content
    expect(entries.map((e) => [e.type, e.path, e.content])).toEqual([
      ["File", "hello.py", DAGS["hello.py"]],
      ["Directory", "lib/", ""],
      ["File", "lib/util.py", DAGS["lib/util.py"]],
    ]);
    expect(archive.files).toEqual(["hello.py", "lib/util.py"]);
  });

  it("normalizes owners, times and modes: 0755 folders and executables, 0644 other files", async () => {
    // GIVEN an executable script, a private file and a group-writable file
    const dir = folder({
      "run.sh": { content: "#!/bin/sh\n", mode: 0o700 },
      "secret.py": { content: "x", mode: 0o600 },
      "shared/w.py": { content: "y", mode: 0o666 },
    });
    fs.chmodSync(path.join(dir, "shared"), 0o775);
    // WHEN packed and read back
    const entries = await readArchive((await buildReleaseArchive(dir)).bytes);
    // THEN the modes are normalized and nothing names a user or a time
    expect(entries.map((e) => [e.path, e.mode!.toString(8)])).toEqual([
      ["run.sh", "755"],
      ["secret.py", "644"],
      ["shared/", "755"],
      ["shared/w.py", "644"],
    ]);
    for (const e of entries) expect([e.uid, e.gid, e.uname ?? "", e.gname ?? "", e.mtime]).toEqual([0, 0, "", "", 0]);
  });

  it("keeps paths longer than ustar's 100/155-byte fields and non-ASCII names (PAX headers)", async () => {
    // GIVEN a deeply nested file whose path no ustar header can hold, and a non-ASCII name
    const deep = `${"a".repeat(120)}/${"b".repeat(120)}/${"c".repeat(110)}.py`;
    const archive = await buildReleaseArchive(folder({ [deep]: "deep", "sub/médaille.py": "m", [`${"d".repeat(90)}/${"e".repeat(90)}.py`]: "split" }));
    // WHEN read back THEN every name survives exactly
    const files = (await readArchive(archive.bytes)).filter((e) => e.type === "File");
    expect(files.map((e) => [e.path, e.content])).toEqual([
      [deep, "deep"],
      [`${"d".repeat(90)}/${"e".repeat(90)}.py`, "split"],
      ["sub/médaille.py", "m"],
    ]);
  });

  it("refuses a symbolic link, naming it", async () => {
    // GIVEN a folder holding a link to a file outside it
    const dir = folder({ "hello.py": "x" });
    fs.mkdirSync(path.join(dir, "sub"));
    fs.symlinkSync("/etc/passwd", path.join(dir, "sub", "link.py"));
    // WHEN packed directly or deployed THEN both refuse, naming the link; the deployment calls nothing in AWS
    const message = `"${path.join(dir, "sub", "link.py")}" is a symbolic link; a DAG folder may hold only regular files and folders (the sync task refuses links)`;
    await expect(buildReleaseArchive(dir)).rejects.toThrow(message);
    const error = await failure(["--env", "dev", "--from", dir]);
    expect([error.exitCode, error.message, awsCalls()]).toEqual([1, message, 0]);
  });

  it("refuses a special file (a socket), naming it", async () => {
    const dir = folder({ "hello.py": "x" });
    const socket = path.join(dir, "s.sock");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      await expect(buildReleaseArchive(dir)).rejects.toThrow(
        `"${socket}" is not a regular file or folder (a device, socket or pipe); a DAG folder may hold only regular files and folders`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses an empty folder, and one holding only left-out files", async () => {
    const empty = temporaryDirectory("deploy-dags-empty-");
    const onlyCaches = folder({ "__pycache__/a.pyc": "c", ".git/HEAD": "h", "empty/.DS_Store": "d" });
    await expect(buildReleaseArchive(empty)).rejects.toThrow(`"${empty}" holds no files to deploy (.git/, __pycache__/, *.pyc and .DS_Store are left out)`);
    const error = await failure(["--env", "dev", "--from", onlyCaches]);
    expect([error.exitCode, error.message]).toEqual([1, `"${onlyCaches}" holds no files to deploy (.git/, __pycache__/, *.pyc and .DS_Store are left out)`]);
  });

  it("refuses a --from that is not a folder", async () => {
    const dir = folder({ "hello.py": "x" });
    const error = await failure(["--env", "dev", "--from", path.join(dir, "hello.py")]);
    expect([error.exitCode, error.message]).toEqual([1, `"${path.join(dir, "hello.py")}" is not a folder`]);
    expect((await failure(["--env", "dev", "--from", path.join(dir, "missing")])).message).toBe(`the DAG folder "${path.join(dir, "missing")}" does not exist`);
  });

  it("names the default version after the UTC time and the archive's SHA-256", () => {
    expect(defaultReleaseVersion(new Date("2026-01-05T07:08:09.123Z"), "3f2a9c0d1b7e55aa")).toBe("20260105T070809Z-3f2a9c0d1b7e");
    expect(new RegExp(DAG_RELEASE_VERSION_PATTERN).test(defaultReleaseVersion(NOW, "f".repeat(64)))).toBe(true);
    expect(releaseKey("dags", "v1")).toBe("releases/dags/v1.tar.gz");
  });
});

describe("deploying an EFS bundle", () => {
  it("uploads the release once under releases/<bundle>/<version>.tar.gz, runs the sync task and waits for it", async () => {
    // GIVEN dev (one EFS bundle "dags"), its delivery target, and a sync task that succeeds
    const dir = folder(DAGS);
    const archive = await buildReleaseArchive(dir);
    const version = `20260115T093000Z-${archive.sha256.slice(0, 12)}`;
    publishTarget(DEV);
    s3.on(PutObjectCommand).resolves({});
    syncTaskRuns(0);
    // WHEN deployed
    const result = await run(["--env", "dev", "--from", dir]);
    // THEN the archive went to the release key, with its SHA-256, never overwriting an uploaded version
    const puts = inputs(s3, PutObjectCommand);
    expect(puts).toEqual([
      {
        Bucket: "airflow-dev-dags-111111111111",
        Key: `releases/dags/${version}.tar.gz`,
        Body: expect.any(Buffer),
        ContentType: "application/gzip",
        Metadata: { sha256: archive.sha256 },
        IfNoneMatch: "*",
      },
    ]);
    expect((puts[0].Body as Buffer).equals(archive.bytes)).toBe(true);
    expect(inputs(ssm, GetParameterCommand)).toEqual([{ Name: "/airflow/dev/dag-delivery" }]);
    // AND the sync task ran in the target's cluster and network with the bundle and version
    expect(inputs(ecs, RunTaskCommand)).toEqual([
      {
        cluster: "airflow-dev-cluster",
        taskDefinition: "airflow-dev-dag-sync",
        launchType: "FARGATE",
        count: 1,
        startedBy: "deploy-dags",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-sync"], assignPublicIp: "DISABLED" } },
        overrides: {
          containerOverrides: [
            {
              name: "dag-sync",
              environment: [
                { name: "AIRFLOW_ECS_DAG_SYNC_BUNDLE", value: "dags" },
                { name: "AIRFLOW_ECS_DAG_SYNC_VERSION", value: version },
              ],
            },
          ],
        },
      },
    ]);
    // AND it polled every 5 seconds until the task stopped, then said what was deployed
    expect(inputs(ecs, DescribeTasksCommand)).toEqual([
      { cluster: "airflow-dev-cluster", tasks: [TASK_ARN] },
      { cluster: "airflow-dev-cluster", tasks: [TASK_ARN] },
    ]);
    expect([result.code, result.regions, result.sleeps]).toEqual([0, ["eu-west-1"], [5000]]);
    expect(result.stdout.split("\n")).toEqual([
      `packed 2 files of ${dir} (${archive.bytes.length} bytes, sha256 ${archive.sha256})`,
      `uploaded s3://airflow-dev-dags-111111111111/releases/dags/${version}.tar.gz`,
      `started sync task ${TASK_ARN}; waiting up to 15 minutes`,
      `deployed bundle dags version ${version} to dev (sync task 0123456789abcdef)`,
      "",
    ]);
  });

  it("uses an explicit --version, and the environment's EFS bundle of several when named", async () => {
    // GIVEN prod's EFS bundle "team"
    const dir = folder(DAGS);
    publishTarget(target("prod"), "prod");
    s3.on(PutObjectCommand).resolves({});
    syncTaskRuns(0);
    // WHEN deployed as version 2.0.1
    const result = await run(["--env", "prod", "--bundle", "team", "--from", dir, "--version", "2.0.1"]);
    // THEN the release key and the sync task's environment carry that bundle and version
    expect(inputs(s3, PutObjectCommand).map((i) => i.Key)).toEqual(["releases/team/2.0.1.tar.gz"]);
    expect(inputs(ecs, RunTaskCommand)[0].overrides.containerOverrides[0].environment).toEqual([
      { name: "AIRFLOW_ECS_DAG_SYNC_BUNDLE", value: "team" },
      { name: "AIRFLOW_ECS_DAG_SYNC_VERSION", value: "2.0.1" },
    ]);
    expect(result.stdout).toContain("deployed bundle team version 2.0.1 to prod (sync task 0123456789abcdef)\n");
  });

  it("reuses a version already uploaded with the same content", async () => {
    // GIVEN the version exists (412) with the same SHA-256
    const dir = folder(DAGS);
    const archive = await buildReleaseArchive(dir);
    publishTarget(DEV);
    s3.on(PutObjectCommand).rejects(s3Error("PreconditionFailed", 412));
    s3.on(HeadObjectCommand).resolves({ Metadata: { sha256: archive.sha256 } });
    syncTaskRuns(0);
    // WHEN deployed again as v7
    const result = await run(["--env", "dev", "--from", dir, "--version", "v7"]);
    // THEN it says so and switches to it
    expect(inputs(s3, HeadObjectCommand)).toEqual([{ Bucket: "airflow-dev-dags-111111111111", Key: "releases/dags/v7.tar.gz" }]);
    expect(result.stdout).toContain(
      `version v7 of bundle dags was already uploaded with the same content (sha256 ${archive.sha256}); reusing s3://airflow-dev-dags-111111111111/releases/dags/v7.tar.gz\n`,
    );
    expect([result.code, ecs.commandCalls(RunTaskCommand).length]).toEqual([0, 1]);
  });

  it("refuses to reuse a version uploaded with different content", async () => {
    const dir = folder(DAGS);
    publishTarget(DEV);
    s3.on(PutObjectCommand).rejects(s3Error("PreconditionFailed", 412));
    s3.on(HeadObjectCommand).resolves({ Metadata: { sha256: "0".repeat(64) } });
    const error = await failure(["--env", "dev", "--from", dir, "--version", "v7"]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      "version v7 of bundle dags was already uploaded with different content; versions are immutable, choose another --version",
    ]);
    expect(ecs.calls()).toHaveLength(0);
  });

  it("switches back to an uploaded release without uploading (rollback)", async () => {
    // GIVEN release v3 exists
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({ Metadata: { sha256: "ab".repeat(32) } });
    syncTaskRuns(0);
    // WHEN deployed with --version only
    const result = await run(["--env", "dev", "--version", "v3", "--timeout-minutes", "2"]);
    // THEN nothing is uploaded and the sync task switches to v3
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(inputs(s3, HeadObjectCommand)).toEqual([{ Bucket: "airflow-dev-dags-111111111111", Key: "releases/dags/v3.tar.gz" }]);
    expect(inputs(ecs, RunTaskCommand)[0].overrides.containerOverrides[0].environment[1]).toEqual({ name: "AIRFLOW_ECS_DAG_SYNC_VERSION", value: "v3" });
    expect(result.stdout.split("\n")).toEqual([
      `switching bundle dags to the uploaded release s3://airflow-dev-dags-111111111111/releases/dags/v3.tar.gz (sha256 ${"ab".repeat(32)})`,
      `started sync task ${TASK_ARN}; waiting up to 2 minutes`,
      "deployed bundle dags version v3 to dev (sync task 0123456789abcdef)",
      "",
    ]);
  });

  it("says so when the rollback version was never uploaded", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).rejects(new NotFound({ $metadata: { httpStatusCode: 404 }, message: "Not Found" }));
    const error = await failure(["--env", "dev", "--version", "v9"]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      "version v9 of bundle dags was never uploaded (s3://airflow-dev-dags-111111111111/releases/dags/v9.tar.gz does not exist); deploy a folder with --from <dir>, or give an uploaded --version",
    ]);
    expect(ecs.calls()).toHaveLength(0);
  });

  it("tells to apply the services stack when the delivery parameter is missing", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: "" }));
    const error = await failure(["--env", "dev", "--from", folder(DAGS)]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      "SSM parameter /airflow/dev/dag-delivery does not exist; apply the services stack of dev first (it publishes where DAGs are delivered)",
    ]);
    expect(s3.calls().length + ecs.calls().length).toBe(0);
  });

  it.each([
    ["not JSON", "{", "its value is not JSON"],
    ["a missing field", { ...DEV, cluster: undefined }, '"cluster" is missing; expected a non-empty string'],
    ["no subnets", { ...DEV, subnets: [] }, '"subnets" is []; expected a non-empty list of ids'],
    ["another environment", target("test"), 'it names environment "test", not "dev"'],
  ])("refuses a delivery parameter with %s", async (_what, value, problem) => {
    publishTarget(value);
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect(error.message).toBe(`SSM parameter /airflow/dev/dag-delivery is not a valid DAG delivery target: ${problem}; re-apply the services stack of dev`);
  });

  it("reports why the sync task did not start", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:ENI", arn: "arn:aws:ecs:eu-west-1:111111111111:container-instance/x" }] });
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect([error.exitCode, error.message]).toEqual([1, "the sync task did not start: RESOURCE:ENI arn:aws:ecs:eu-west-1:111111111111:container-instance/x"]);
  });

  it.each([
    [64, "configuration error: the task's bundle, version or environment is invalid"],
    [65, "bad archive, or the version already exists on EFS with different content (versions are immutable)"],
    [66, "the release is missing in S3"],
    [1, "unexpected failure"],
  ])("fails with the meaning of exit code %i and how to read the logs", async (exitCode, meaning) => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    syncTaskRuns(exitCode);
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      `the sync task 0123456789abcdef failed with exit code ${exitCode} (${meaning}); bundle dags was not switched to v1. Its logs: ${LOGS}`,
    ]);
  });

  it("reports a task that stopped before its container ran", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask(undefined, { stoppedReason: "CannotPullContainerError: pull access denied" })] });
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect(error.message).toBe(
      `the sync task 0123456789abcdef stopped without an exit code (CannotPullContainerError: pull access denied); bundle dags was not switched to v1. Its logs: ${LOGS}`,
    );
  });

  it("gives up after --timeout-minutes, saying the task keeps running", async () => {
    // GIVEN a sync task that never stops
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] });
    // WHEN waiting at most 1 minute
    const error = await failure(["--env", "dev", "--version", "v1", "--timeout-minutes", "1"]);
    // THEN it polled every 5 s for a minute and stopped waiting (not the task)
    expect(error.message).toBe(`the sync task ${TASK_ARN} did not stop within 1 minutes (last status RUNNING); it keeps running. Its logs: ${LOGS}`);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(13);
  });

  it("returns after starting the task with --no-wait", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const result = await run(["--env", "dev", "--version", "v1", "--no-wait"]);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(result.stdout).toContain(`started sync task ${TASK_ARN} for bundle dags version v1; not waiting (--no-wait). Its logs: ${LOGS}\n`);
  });

  it("turns an AWS failure into a one-line cause", async () => {
    publishTarget(DEV);
    s3.on(HeadObjectCommand).rejects(s3Error("Forbidden", 403));
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      "S3 HeadObject s3://airflow-dev-dags-111111111111/releases/dags/v1.tar.gz failed: Forbidden: Forbidden",
    ]);
  });
});

describe("deploying an S3 bundle", () => {
  const TEST = target("test");
  const BUCKET = TEST.bucket;

  it("uploads every file under dags/<prefix>/, then deletes only the stale keys under it", async () => {
    // GIVEN test (S3 bundle "dags", prefix dags/dags/) holding an old file, and a listing in two pages
    const dir = folder(DAGS);
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "page-2", Contents: [{ Key: "dags/dags/hello.py" }, { Key: "dags/dags/gone.py" }] })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: "dags/dags/lib/old/x.py" }, { Key: "dags/dags-other/keep.py" }] });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({ Deleted: [] });
    // WHEN deployed
    const result = await run(["--env", "test", "--from", dir]);
    // THEN the whole prefix was listed page by page
    expect(inputs(s3, ListObjectsV2Command)).toEqual([
      { Bucket: BUCKET, Prefix: "dags/dags/", ContinuationToken: undefined },
      { Bucket: BUCKET, Prefix: "dags/dags/", ContinuationToken: "page-2" },
    ]);
    // AND every file of the folder (not the left-out ones) was uploaded under the prefix
    const puts = inputs(s3, PutObjectCommand).map((i) => ({ ...i, Body: (i.Body as Buffer).toString("utf8") }));
    expect(puts.sort((a, b) => a.Key.localeCompare(b.Key))).toEqual([
      { Bucket: BUCKET, Key: "dags/dags/hello.py", Body: DAGS["hello.py"] },
      { Bucket: BUCKET, Key: "dags/dags/lib/util.py", Body: DAGS["lib/util.py"] },
    ]);
    // AND only then the keys under the prefix the folder no longer has were deleted; nothing outside it
    expect(inputs(s3, DeleteObjectsCommand)).toEqual([
      { Bucket: BUCKET, Delete: { Objects: [{ Key: "dags/dags/gone.py" }, { Key: "dags/dags/lib/old/x.py" }], Quiet: true } },
    ]);
    const order = s3.calls().map((c) => c.args[0].constructor.name);
    expect(order.lastIndexOf("PutObjectCommand")).toBeLessThan(order.indexOf("DeleteObjectsCommand"));
    expect(result).toMatchObject({ code: 0, stdout: `uploaded 2 files to s3://${BUCKET}/dags/dags/, deleted 2 stale objects (bundle dags of test)\n` });
    expect(ecs.calls()).toHaveLength(0);
  });

  it("uses the configured prefix of a bundle", async () => {
    // GIVEN prod's S3 bundle "analytics" (prefix analytics) and an empty prefix
    publishTarget(target("prod"), "prod");
    s3.on(ListObjectsV2Command).resolves({});
    s3.on(PutObjectCommand).resolves({});
    const result = await run(["--env", "prod", "--bundle", "analytics", "--from", folder({ "a.py": "a" })]);
    expect(inputs(s3, PutObjectCommand).map((i) => i.Key)).toEqual(["dags/analytics/a.py"]);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(result.stdout).toBe("uploaded 1 files to s3://airflow-prod-dags-111111111111/dags/analytics/, deleted 0 stale objects (bundle analytics of prod)\n");
  });

  it("uploads at most 8 files at a time", async () => {
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`dag_${String(i).padStart(2, "0")}.py`, `# ${i}\n`]));
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command).resolves({});
    let inFlight = 0;
    let most = 0;
    s3.on(PutObjectCommand).callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return {};
    });
    await run(["--env", "test", "--from", folder(files)]);
    expect([s3.commandCalls(PutObjectCommand).length, most]).toEqual([30, 8]);
  });

  it("deletes in batches of 1000 keys", async () => {
    publishTarget(TEST, "test");
    const stale = Array.from({ length: 2500 }, (_, i) => ({ Key: `dags/dags/old/${String(i).padStart(4, "0")}.py` }));
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "2", Contents: stale.slice(0, 1000) })
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "3", Contents: stale.slice(1000, 2000) })
      .resolvesOnce({ Contents: stale.slice(2000) });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    const result = await run(["--env", "test", "--from", folder({ "a.py": "a" })]);
    expect(inputs(s3, DeleteObjectsCommand).map((i) => i.Delete.Objects.length)).toEqual([1000, 1000, 500]);
    expect(inputs(s3, DeleteObjectsCommand).flatMap((i) => i.Delete.Objects)).toEqual(stale);
    expect(result.stdout).toContain("deleted 2500 stale objects");
  });

  it("reports the keys DeleteObjects could not delete", async () => {
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: "dags/dags/a.py" }, { Key: "dags/dags/b.py" }] });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: "dags/dags/b.py", Code: "AccessDenied", Message: "Access Denied" }] });
    const error = await failure(["--env", "test", "--from", folder({ "a.py": "a" })]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      `uploaded 1 files to s3://${BUCKET}/dags/dags/, but could not delete 1 stale objects: dags/dags/b.py (AccessDenied: Access Denied)`,
    ]);
  });

  it("deletes nothing when an upload fails", async () => {
    publishTarget(TEST, "test");
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: "dags/dags/stale.py" }] });
    s3.on(PutObjectCommand).rejects(s3Error("AccessDenied", 403));
    const error = await failure(["--env", "test", "--from", folder({ "a.py": "a" })]);
    expect([error.exitCode, error.message]).toEqual([1, `S3 PutObject s3://${BUCKET}/dags/dags/a.py failed: AccessDenied: AccessDenied`]);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it("refuses a symbolic link before touching the bucket", async () => {
    const dir = folder({ "a.py": "a" });
    fs.symlinkSync("a.py", path.join(dir, "b.py"));
    const error = await failure(["--env", "test", "--from", dir]);
    expect([error.exitCode, error.message, awsCalls()]).toEqual([
      1,
      `"${path.join(dir, "b.py")}" is a symbolic link; a DAG folder may hold only regular files and folders (the sync task refuses links)`,
      0,
    ]);
  });
});
