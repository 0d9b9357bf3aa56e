import { DescribeTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { HeadObjectCommand, NotFound, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { buildReleaseArchive } from "../../../scripts/lib/dag-release";
import { DAGS, DEV, ecs, failure, folder, inputs, publishTarget, resetMocks, run, s3, s3Error, ssm, syncTaskRuns, target, TASK_ARN } from "./harness";

afterEach(resetMocks);

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
