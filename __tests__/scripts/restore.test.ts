import { DBSnapshotNotFoundFault, DescribeDBSnapshotsCommand, RDSClient, type DBSnapshot } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS_DIR, loadEnvironment } from "../../config/load";
import { restoredIdentifier } from "../../modules/storage/metadata-database";
import { CliError } from "../../scripts/lib/cli";
import { main, USAGE } from "../../scripts/restore";
import { temporaryDirectory } from "../support/temp";

const rds = mockClient(RDSClient);
afterEach(() => rds.reset());

const SNAPSHOT = "airflow-dev-metadata-pre-3-2-0-1-202601150930";
const CREATED = new Date("2026-01-15T09:31:00Z");

function snapshot(id: string, tags: Record<string, string>, extra: Partial<DBSnapshot> = {}): DBSnapshot {
  return {
    DBSnapshotIdentifier: id,
    DBInstanceIdentifier: "airflow-dev-metadata",
    Status: "available",
    SnapshotCreateTime: CREATED,
    SnapshotType: "manual",
    TagList: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...extra,
  };
}

const preMigration = (environment = "dev", from = "3.1.5-1") => ({
  "airflow-ecs:purpose": "pre-migration",
  "airflow-ecs:environment": environment,
  "airflow-ecs:from-airflow-version": "3.1.5",
  "airflow-ecs:to-airflow-version": "3.2.0",
  "airflow-ecs:from-image-tag": from,
  "airflow-ecs:to-image-tag": "3.2.0-1",
});

/** A copy of the repository's environment files to edit. */
function environments(): string {
  const dir = temporaryDirectory("restore-");
  for (const file of fs.readdirSync(ENVIRONMENTS_DIR)) fs.copyFileSync(path.join(ENVIRONMENTS_DIR, file), path.join(dir, file));
  return dir;
}

async function run(argv: readonly string[], dir = environments()) {
  let stdout = "";
  const regions: string[] = [];
  const code = await main(
    [...argv, "--environments-dir", dir],
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t) },
    {
      rds: (region) => {
        regions.push(region);
        return new RDSClient({ region });
      },
      now: () => new Date("2026-01-20T12:00:00Z"),
    },
  );
  return { code, stdout, regions, dir };
}

async function failure(argv: readonly string[], dir?: string): Promise<CliError> {
  const error = await run(argv, dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CliError)) throw new Error(`${argv.join(" ")} did not fail with a CliError: ${String(error)}`);
  return error;
}

describe("npm run restore --list", () => {
  it("lists the environment's pre-migration snapshots, newest first, across pages", async () => {
    // GIVEN manual snapshots over two pages: two of dev's pre-migration snapshots, one of prod, one taken by hand
    rds
      .on(DescribeDBSnapshotsCommand, { SnapshotType: "manual", Marker: undefined })
      .resolves({
        DBSnapshots: [
          snapshot(
            "airflow-dev-metadata-pre-3-1-5-1-202512010000",
            { ...preMigration("dev", "3.0.4-2") },
            { SnapshotCreateTime: new Date("2025-12-01T00:01:00Z") },
          ),
          snapshot("by-hand", {}),
        ],
        Marker: "page-2",
      })
      .on(DescribeDBSnapshotsCommand, { SnapshotType: "manual", Marker: "page-2" })
      .resolves({ DBSnapshots: [snapshot(SNAPSHOT, preMigration()), snapshot("airflow-prod-metadata-pre-x", preMigration("prod"))] });
    // WHEN listed
    const result = await run(["--env", "dev", "--list"]);
    // THEN only dev's pre-migration snapshots appear, newest first, with both versions and images
    expect(result.code).toBe(0);
    expect(result.regions).toEqual(["eu-west-1"]);
    expect(result.stdout).toBe(
      [
        "Pre-migration snapshots of dev, newest first:",
        `  ${SNAPSHOT}  2026-01-15T09:31:00.000Z  available  Airflow 3.1.5 -> 3.2.0, image 3.1.5-1 -> 3.2.0-1  (of airflow-dev-metadata)`,
        "  airflow-dev-metadata-pre-3-1-5-1-202512010000  2025-12-01T00:01:00.000Z  available  Airflow 3.1.5 -> 3.2.0, image 3.0.4-2 -> 3.2.0-1  (of airflow-dev-metadata)",
        "Restore one with: npm run restore -- --env dev --snapshot <id>",
        "",
      ].join("\n"),
    );
  });

  it("says when there is none", async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    expect((await run(["--env", "uat", "--list"])).stdout).toBe(
      "No pre-migration snapshots of uat; npm run migrate takes one before each change of the Airflow version.\n",
    );
  });
});

describe("npm run restore --snapshot", () => {
  it("sets the restore and the previous image in the environment file, keeping its layout, and prints the steps", async () => {
    // GIVEN dev's pre-migration snapshot, taken before migrating from image 3.1.5-1
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: SNAPSHOT }).resolves({ DBSnapshots: [snapshot(SNAPSHOT, preMigration())] });
    const dir = environments();
    const before = fs.readFileSync(path.join(dir, "dev.json"), "utf8").replace('"imageTag": "3.1.5-1"', '"imageTag": "3.2.0-1"');
    fs.writeFileSync(path.join(dir, "dev.json"), before);
    // WHEN the restore is prepared
    const result = await run(["--env", "dev", "--snapshot", SNAPSHOT], dir);
    // THEN the file differs only by the two fields, and loads with them
    expect(result.code).toBe(0);
    const after = fs.readFileSync(path.join(dir, "dev.json"), "utf8");
    expect(after).toBe(
      before
        .replace('"imageTag": "3.2.0-1"', '"imageTag": "3.1.5-1"')
        .replace('"database": {\n', `"database": {\n      "restoreFromSnapshot": "${SNAPSHOT}",\n`),
    );
    const config = loadEnvironment("dev", dir);
    expect([config.storage.database.restoreFromSnapshot, config.airflow.imageTag]).toEqual([SNAPSHOT, "3.1.5-1"]);
    // AND the steps name the restored instance, the apply order and the old instance's removal
    const restored = restoredIdentifier("airflow-dev-metadata", SNAPSHOT);
    expect(result.stdout).toContain(`storage.database.restoreFromSnapshot = "${SNAPSHOT}", airflow.imageTag = "3.1.5-1" (was "3.2.0-1").`);
    expect(result.stdout).toContain(
      `  2. terraform -chdir=cdktf.out/stacks/dev-storage init && terraform -chdir=cdktf.out/stacks/dev-storage apply\n` +
        `     creates ${restored} from the snapshot (tens of minutes) and drops airflow-dev-metadata from the state: it is NOT deleted and keeps running\n`,
    );
    const steps = result.stdout.split("\n").filter((line) => /^ {2}\d\. /.test(line));
    expect(steps.map((line) => line.slice(5, 40))).toEqual([
      "AIRFLOW_ENVIRONMENTS=dev npm run sy",
      "terraform -chdir=cdktf.out/stacks/d",
      "terraform -chdir=cdktf.out/stacks/d",
      "terraform -chdir=cdktf.out/stacks/d",
      "npm run migrate -- --env dev",
      "terraform -chdir=cdktf.out/stacks/d",
    ]);
    expect(steps.map((line) => /dev-(\w+)/.exec(line)?.[1])).toEqual([undefined, "storage", "iam", "compute", undefined, "services"]);
    expect(result.stdout).toContain(
      "      aws rds delete-db-instance --db-instance-identifier airflow-dev-metadata --final-db-snapshot-identifier airflow-dev-metadata-retired-20260120\n",
    );
    expect(result.stdout).toContain("Everything written to the database after 2026-01-15T09:31:00.000Z is lost");
  });

  it("edits a one-line database object too, and writes nothing with --dry-run", async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot(SNAPSHOT, preMigration())] });
    const dir = environments();
    const file = path.join(dir, "dev.json");
    const raw = JSON.parse(fs.readFileSync(file, "utf8"));
    const oneLine = JSON.stringify(raw).replace('"database":{', '"database": {');
    fs.writeFileSync(file, oneLine);
    const dry = await run(["--env", "dev", "--snapshot", SNAPSHOT, "--dry-run"], dir);
    expect(dry.stdout.startsWith(`Would set in `)).toBe(true);
    expect(fs.readFileSync(file, "utf8")).toBe(oneLine);
    await run(["--env", "dev", "--snapshot", SNAPSHOT, "--image-tag", "3.1.4-7"], dir);
    const config = loadEnvironment("dev", dir);
    expect([config.storage.database.restoreFromSnapshot, config.airflow.imageTag]).toEqual([SNAPSHOT, "3.1.4-7"]);
  });

  it("refuses snapshots that are not this environment's available pre-migration snapshots", async () => {
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: "missing" }).rejects(new DBSnapshotNotFoundFault({ message: "not found", $metadata: {} }));
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: "by-hand" }).resolves({ DBSnapshots: [snapshot("by-hand", {})] });
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: "of-prod" }).resolves({ DBSnapshots: [snapshot("of-prod", preMigration("prod"))] });
    rds
      .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: "creating" })
      .resolves({ DBSnapshots: [snapshot("creating", preMigration(), { Status: "creating" })] });
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: "no-tag" }).resolves({ DBSnapshots: [snapshot("no-tag", preMigration("dev", "unknown"))] });
    const dir = environments();
    const list = "npm run restore -- --env dev --list";
    expect((await failure(["--env", "dev", "--snapshot", "missing"], dir)).message).toBe(
      `missing is not a pre-migration snapshot (no snapshot of that id carries airflow-ecs:purpose=pre-migration); ${list} shows them`,
    );
    expect((await failure(["--env", "dev", "--snapshot", "by-hand"], dir)).message).toMatch(/^by-hand is not a pre-migration snapshot/);
    expect((await failure(["--env", "dev", "--snapshot", "of-prod"], dir)).message).toBe(`snapshot of-prod belongs to environment "prod", not "dev"; ${list}`);
    expect((await failure(["--env", "dev", "--snapshot", "creating"], dir)).message).toBe(
      "snapshot creating is creating; only an available snapshot can be restored",
    );
    expect((await failure(["--env", "dev", "--snapshot", "no-tag"], dir)).message).toBe(
      "snapshot no-tag does not record the image that ran before the migration; name it with --image-tag <tag>",
    );
    // AND the environment file was never touched
    expect(fs.readFileSync(path.join(dir, "dev.json"), "utf8")).toBe(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));
  });

  it("refuses a second restore over a restored instance, explaining how to keep it", async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot(SNAPSHOT, preMigration())] });
    const dir = environments();
    await run(["--env", "dev", "--snapshot", SNAPSHOT], dir);
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot("airflow-dev-metadata-pre-other", preMigration())] });
    const error = await failure(["--env", "dev", "--snapshot", "airflow-dev-metadata-pre-other"], dir);
    expect(error.message).toMatch(
      new RegExp(
        `storage.database.restoreFromSnapshot is already "${SNAPSHOT}"; restoring again would replace the instance restored from it. First keep that instance outside Terraform: terraform -chdir=cdktf.out/stacks/dev-storage state rm`,
      ),
    );
  });

  it("checks its arguments before any AWS call", async () => {
    expect((await failure([])).message).toBe(`--env <env> is required\n\n${USAGE}`);
    expect((await failure(["--env", "dev"])).message).toBe(`give either --list or --snapshot <id>\n\n${USAGE}`);
    expect((await failure(["--env", "dev", "--list", "--snapshot", "x"])).exitCode).toBe(2);
    expect((await failure(["--env", "qa", "--list"])).message).toBe(`unknown environment "qa"; available environments: dev, prod, test, uat\n\n${USAGE}`);
    expect(rds.calls()).toHaveLength(0);
  });
});
