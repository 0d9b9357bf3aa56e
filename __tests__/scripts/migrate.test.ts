import { DescribeTasksCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { CreateDBSnapshotCommand, DeleteDBSnapshotCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS_DIR } from "../../config/load";
import { migrate, MigrateError, parseArgs, type MigrateOptions } from "../../scripts/migrate";
import { temporaryDirectory } from "../support/temp";

const ecs = mockClient(ECSClient);
const rds = mockClient(RDSClient);
const ssm = mockClient(SSMClient);

afterEach(() => {
  ecs.reset();
  rds.reset();
  ssm.reset();
});

/** Synthesized, initialized compute and storage stack directories for the script to read. */
function outdir(): string {
  const dir = temporaryDirectory("migrate-");
  for (const stack of ["dev-compute", "dev-storage"]) {
    fs.mkdirSync(path.join(dir, "stacks", stack, ".terraform"), { recursive: true });
    fs.writeFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "{}");
  }
  return dir;
}

const COMPUTE_OUTPUTS = {
  cluster_name: { value: "airflow-dev-cluster" },
  migrate_task_definition_arn: { value: "arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-migrate:7" },
  migrate_subnet_ids: { value: ["subnet-a", "subnet-b"] },
  migrate_security_group_id: { value: "sg-1" },
};
const STORAGE_OUTPUTS = { db_instance_identifier: { value: "airflow-dev-metadata" } };
const TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/airflow-dev-cluster/1";
const RECORD_PARAMETER = "/airflow/dev/airflow/migration-record";
/** dev.json's image tag. */
const IMAGE_TAG = "3.1.5-1";
const NOW = new Date("2026-01-15T09:30:00Z");
const SNAPSHOT_ID = "airflow-dev-metadata-pre-3-1-5-1-202601150930";

/** Fakes terraform: records each call and answers each stack's outputs. */
function fakeTerraform() {
  const calls: string[] = [];
  const exec = (command: string, args: readonly string[], cwd?: string) => {
    calls.push([path.basename(cwd ?? ""), command, ...args].join(" "));
    return JSON.stringify(cwd?.endsWith("-storage") ? STORAGE_OUTPUTS : COMPUTE_OUTPUTS);
  };
  return { exec, calls };
}

const record = (value: object) => ({ Parameter: { Value: JSON.stringify(value) } });
const RECORDED_315 = record({ airflowVersion: "3.1.5", imageTag: IMAGE_TAG, migratedAt: "2026-01-01T00:00:00Z" });
const RECORDED_304 = record({ airflowVersion: "3.0.4", imageTag: "3.0.4-2", migratedAt: "2025-09-01T00:00:00Z" });

/** The record before the migration, then the one the migrate task writes. */
function recordBeforeAndAfter(before: object) {
  ssm.on(GetParameterCommand, { Name: RECORD_PARAMETER }).resolvesOnce(before).resolves(RECORDED_315);
}

/** The migration task runs once, then stops with `exitCode`. */
function taskRuns(exitCode = 0, stoppedReason = "Essential container in task exited") {
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
  ecs
    .on(DescribeTasksCommand)
    .resolvesOnce({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING", containers: [] }] })
    .resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: "STOPPED", stoppedReason, containers: [{ name: "migrate", exitCode }] }] });
}

/** The snapshot is creating once, then available. */
function snapshotBecomesAvailable() {
  rds.on(CreateDBSnapshotCommand).resolves({});
  rds
    .on(DescribeDBSnapshotsCommand)
    .resolvesOnce({ DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_ID, Status: "creating" }] })
    .resolves({ DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_ID, Status: "available" }] });
}

/** Runs the script with the mocked clients, a fake clock every sleep advances, and collected log lines. */
async function runMigrate(overrides: Partial<MigrateOptions> = {}) {
  const log: string[] = [];
  const sleeps: number[] = [];
  const regions: string[] = [];
  let clock = NOW.getTime();
  const terraform = fakeTerraform();
  const options: MigrateOptions = { env: "dev", timeoutMinutes: 5, snapshotTimeoutMinutes: 10, outdir: outdir(), ...overrides };
  const outcome = await migrate(options, {
    exec: terraform.exec,
    clients: (region) => {
      regions.push(region);
      return { ecs: new ECSClient({ region }), rds: new RDSClient({ region }), ssm: new SSMClient({ region }) };
    },
    log: (line) => void log.push(line),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => new Date(clock),
    environmentsDir: ENVIRONMENTS_DIR,
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
  return { error: outcome as Error | undefined, log, sleeps, regions, terraform: terraform.calls };
}

const inputs = <T>(mock: { commandCalls: (c: T) => { args: [{ input: unknown }] }[] }, command: T) =>
  mock.commandCalls(command).map((c) => c.args[0].input as any);

describe("npm run migrate", () => {
  it("runs the compute stack's migration task in its subnets and security group and succeeds when it exits 0", async () => {
    // GIVEN a database last migrated by the image's Airflow version, and a task that runs, then exits 0
    recordBeforeAndAfter(RECORDED_315);
    taskRuns(0);
    // WHEN the script runs
    const result = await runMigrate();
    // THEN it read both stacks' outputs, started exactly that task definition with private networking in the
    // environment's region, and waited for it
    expect(result.error).toBeUndefined();
    expect(result.terraform).toEqual(["dev-compute terraform output -json", "dev-storage terraform output -json"]);
    expect(result.regions).toEqual(["eu-west-1"]);
    expect(inputs(ecs, RunTaskCommand)).toEqual([
      {
        cluster: "airflow-dev-cluster",
        taskDefinition: "arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-migrate:7",
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" } },
        startedBy: "npm-run-migrate",
        count: 1,
      },
    ]);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(2);
    expect(result.sleeps).toEqual([10_000]);
    // AND it took no snapshot: the Airflow version does not change
    expect(rds.calls()).toHaveLength(0);
    expect(result.log).toEqual([
      "the database was last migrated by Airflow 3.1.5, the image's version; no snapshot",
      `started ${TASK_ARN}; waiting up to 5 minutes`,
      `migration succeeded (${TASK_ARN})`,
    ]);
  });

  it("snapshots the database, tagged with both versions, before migrating to another Airflow version", async () => {
    // GIVEN a database migrated by Airflow 3.0.4 and an image of 3.1.5
    recordBeforeAndAfter(RECORDED_304);
    snapshotBecomesAvailable();
    taskRuns(0);
    // WHEN the script runs
    const result = await runMigrate();
    // THEN it created a manual snapshot of the storage stack's instance, tagged from/to, environment and purpose
    expect(result.error).toBeUndefined();
    expect(inputs(rds, CreateDBSnapshotCommand)).toEqual([
      {
        DBInstanceIdentifier: "airflow-dev-metadata",
        DBSnapshotIdentifier: SNAPSHOT_ID,
        Tags: [
          { Key: "airflow-ecs:purpose", Value: "pre-migration" },
          { Key: "airflow-ecs:environment", Value: "dev" },
          { Key: "airflow-ecs:from-airflow-version", Value: "3.0.4" },
          { Key: "airflow-ecs:to-airflow-version", Value: "3.1.5" },
          { Key: "airflow-ecs:from-image-tag", Value: "3.0.4-2" },
          { Key: "airflow-ecs:to-image-tag", Value: IMAGE_TAG },
        ],
      },
    ]);
    // AND waited for it to be available (polling every 30 s) before starting the migration
    expect(inputs(rds, DescribeDBSnapshotsCommand)).toEqual([{ DBSnapshotIdentifier: SNAPSHOT_ID }, { DBSnapshotIdentifier: SNAPSHOT_ID }]);
    expect(result.sleeps).toEqual([30_000, 10_000]);
    expect(result.log.slice(0, 4)).toEqual([
      "upgrading the database from Airflow 3.0.4 to 3.1.5; snapshotting it first",
      `creating snapshot ${SNAPSHOT_ID} of airflow-dev-metadata; waiting up to 10 minutes for it`,
      `snapshot ${SNAPSHOT_ID} is available`,
      `started ${TASK_ARN}; waiting up to 5 minutes`,
    ]);
  });

  it("snapshots when no migration is recorded yet (a new record parameter, or an environment from before records)", async () => {
    recordBeforeAndAfter({ Parameter: { Value: "{}" } });
    snapshotBecomesAvailable();
    taskRuns(0);
    const result = await runMigrate();
    expect(result.error).toBeUndefined();
    const tags = inputs(rds, CreateDBSnapshotCommand)[0].Tags;
    expect(tags).toContainEqual({ Key: "airflow-ecs:from-airflow-version", Value: "unknown" });
    expect(tags).toContainEqual({ Key: "airflow-ecs:from-image-tag", Value: "unknown" });
    expect(result.log[0]).toBe("no migration is recorded for this database; snapshotting before migrating to Airflow 3.1.5");
  });

  it("fails with the exit code, the log group and the exact restore command when the migration fails after a snapshot", async () => {
    // GIVEN an upgrade whose migration fails
    recordBeforeAndAfter(RECORDED_304);
    snapshotBecomesAvailable();
    taskRuns(1);
    // WHEN the script runs
    const result = await runMigrate();
    // THEN it fails (so services are not rolled), keeps the snapshot and says how to go back to it
    expect(result.error).toBeInstanceOf(MigrateError);
    expect(result.error!.message).toBe(
      "the migration failed: container exit code 1, task stopped: Essential container in task exited; logs: aws logs tail /airflow/dev/migrate --since 1h\n" +
        `The database may be partly migrated. Snapshot ${SNAPSHOT_ID} holds it as it was before (Airflow 3.0.4, image 3.0.4-2). To go back to it:\n` +
        `  npm run restore -- --env dev --snapshot ${SNAPSHOT_ID}\n` +
        'then apply the stacks in the order it prints (README "Upgrades and restore").',
    );
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
  });

  it("points at the automated backups when a migration without a version change fails", async () => {
    recordBeforeAndAfter(RECORDED_315);
    taskRuns(2, "Essential container in task exited");
    const result = await runMigrate();
    expect(result.error!.message).toBe(
      "the migration failed: container exit code 2, task stopped: Essential container in task exited; logs: aws logs tail /airflow/dev/migrate --since 1h\n" +
        'No snapshot was taken (the Airflow version did not change). If the database must go back, restore an automated backup (point in time, last 1 days; README "Upgrades and restore").',
    );
  });

  it("does not migrate when the snapshot fails or is not available in time", async () => {
    // GIVEN a snapshot that fails
    recordBeforeAndAfter(RECORDED_304);
    rds.on(CreateDBSnapshotCommand).resolves({});
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_ID, Status: "failed" }] });
    const failed = await runMigrate();
    expect(failed.error!.message).toBe(`snapshot ${SNAPSHOT_ID} of airflow-dev-metadata ended failed; the database was not migrated`);
    // GIVEN a snapshot still creating after the snapshot timeout
    rds.reset();
    ssm.reset();
    recordBeforeAndAfter(RECORDED_304);
    rds.on(CreateDBSnapshotCommand).resolves({});
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_ID, Status: "creating" }] });
    const slow = await runMigrate({ snapshotTimeoutMinutes: 1 });
    expect(slow.error!.message).toBe(
      `snapshot ${SNAPSHOT_ID} of airflow-dev-metadata was not available within 1 minutes (status creating); the database was not migrated. Run again once it is available (aws rds wait db-snapshot-available --db-snapshot-identifier ${SNAPSHOT_ID})`,
    );
    // THEN no migration task was started either time
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it("warns when the migration task did not record the migration", async () => {
    // GIVEN a record the task leaves unchanged (e.g. its role may not write the parameter)
    ssm.on(GetParameterCommand).resolves(RECORDED_304);
    snapshotBecomesAvailable();
    taskRuns(0);
    const result = await runMigrate();
    expect(result.error).toBeUndefined();
    expect(result.log.at(-1)).toBe(
      `warning: the migration task did not record image ${IMAGE_TAG} in ${RECORD_PARAMETER} (see its logs); the next migration snapshots the database first`,
    );
  });

  it("asks for the storage stack when the record parameter does not exist", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "not found", $metadata: {} }));
    const result = await runMigrate();
    expect(result.error!.message).toBe(
      `SSM parameter ${RECORD_PARAMETER} does not exist; apply the storage stack of dev first (it creates the migration record)`,
    );
    expect(ecs.calls()).toHaveLength(0);
  });

  it("reports a task that did not start, and one that did not stop in time", async () => {
    ssm.on(GetParameterCommand).resolves(RECORDED_315);
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:ENI" }] });
    expect((await runMigrate()).error!.message).toMatch(/^the migration task did not start: RESOURCE:ENI\nNo snapshot was taken/);
    ecs.reset();
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: "RUNNING" }] });
    expect((await runMigrate({ timeoutMinutes: 1 })).error!.message).toMatch(
      new RegExp(
        `^the migration task ${TASK_ARN} did not finish within 1 minutes \\(last status RUNNING\\); it keeps running — check it before rolling the services\n`,
      ),
    );
  });

  it("tells the operator to synthesize when a stack is missing, and checks its arguments", async () => {
    const result = await runMigrate({ env: "qa", outdir: outdir() });
    expect(result.error!.message).toBe('unknown environment "qa"; available environments: dev, prod, test, uat');
    const missing = outdir();
    fs.rmSync(path.join(missing, "stacks", "dev-storage"), { recursive: true });
    expect((await runMigrate({ outdir: missing })).error!.message).toMatch(
      /dev-storage has no synthesized stack; run "AIRFLOW_ENVIRONMENTS=dev npm run synth" first$/,
    );
    expect(() => parseArgs([])).toThrow("--env is required; usage: npm run migrate -- --env <env> [--timeout-minutes N]");
    expect(() => parseArgs(["--env", "dev", "--timeout-minutes", "0"])).toThrow('--timeout-minutes is "0"; expected 1-240');
    expect(() => parseArgs(["--env", "dev", "--snapshot-timeout-minutes", "x"])).toThrow('--snapshot-timeout-minutes is "x"; expected 1-240');
    expect(parseArgs(["--env", "dev"])).toMatchObject({ env: "dev", timeoutMinutes: 30, snapshotTimeoutMinutes: 60 });
  });
});
