import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { DAG_BUCKET_LAYOUT, DAG_RELEASE_VERSION_PATTERN, DAG_SYNC_COMMAND, EFS_BUNDLE_LAYOUT } from "../../runtime/dag-delivery";
import { RUNTIME_ENV } from "../../runtime/airflow-image";
import { buildReleaseArchive } from "../../scripts/lib/dag-release";
import { PYTHON_PATH, pythonEnv, read, removeTempDirs, runSync, tempDir } from "./helpers";

/**
 * The DAG sync task as ECS runs it (`python -m airflow_ecs.dag_sync`, DAG_SYNC_COMMAND), against a temporary folder
 * standing in for the DAG file system and the module's fake-S3 seam (`_AIRFLOW_ECS_DAG_SYNC_FAKE_S3_DIR`: objects
 * under `<dir>/<bucket>/<key>`, metadata in `<key>.metadata.json`), so neither boto3 nor AWS is needed.
 */

const MODULE = path.join(PYTHON_PATH, ...DAG_SYNC_COMMAND[2].split(".")) + ".py";
const BUCKET = "airflow-dev-dags";

afterAll(removeTempDirs);

/** Top-level `NAME = "value"` / `NAME = r"value"` assignments of a Python module. */
function pythonConstants(file: string): Record<string, string> {
  return Object.fromEntries([...read(file).matchAll(/^([A-Z][A-Z0-9_]*)\s*=\s*r?"([^"]*)"\s*$/gm)].map((match) => [match[1], match[2]]));
}

/** `AIRFLOW_ECS_*` names the module mentions (`_AIRFLOW_ECS_*` test seams excluded). */
function contractNamesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![A-Za-z0-9_])AIRFLOW_ECS_[A-Z0-9_]+/g)].map((match) => match[0]))].sort();
}

describe("the sync module and runtime/", () => {
  const constants = pythonConstants(MODULE);

  it("is the module DAG_SYNC_COMMAND runs", () => {
    expect(DAG_SYNC_COMMAND.slice(0, 2)).toEqual(["python", "-m"]);
    expect(fs.existsSync(MODULE)).toBe(true);
  });

  it("accepts the contract's version pattern and layout", () => {
    // GIVEN the module's constants THEN they equal the contract's (deploy-dags uploads by the same rules)
    expect({
      VERSION_PATTERN: constants.VERSION_PATTERN,
      CURRENT: constants.CURRENT,
      RELEASES: constants.RELEASES,
      SHA256_METADATA: constants.SHA256_METADATA,
    }).toEqual({
      VERSION_PATTERN: DAG_RELEASE_VERSION_PATTERN,
      CURRENT: EFS_BUNDLE_LAYOUT.current,
      RELEASES: EFS_BUNDLE_LAYOUT.releases,
      SHA256_METADATA: DAG_BUCKET_LAYOUT.sha256Metadata,
    });
    // AND the pattern the interpreter compiled is the same string (no escaping surprises in the source)
    const run = runSync("python3", ["-c", "from airflow_ecs import dag_sync; print(dag_sync.VERSION_PATTERN)"], pythonEnv());
    expect(run.stdout.trim()).toBe(DAG_RELEASE_VERSION_PATTERN);
  });

  it("reads exactly the contract's DAG bucket and sync variables", () => {
    // GIVEN the names the module mentions THEN they are the contract's dagBucket, dagReleasesPrefix and dagSync* names
    const expected = Object.entries(RUNTIME_ENV)
      .filter(([key]) => key === "dagBucket" || key === "dagReleasesPrefix" || key.startsWith("dagSync"))
      .map(([, name]) => name)
      .sort();
    expect(expected).toHaveLength(7);
    expect(contractNamesIn(read(MODULE))).toEqual(expected);
    expect(
      [
        constants.BUCKET_ENV,
        constants.RELEASES_PREFIX_ENV,
        constants.ROOT_ENV,
        constants.BUNDLES_ENV,
        constants.KEEP_RELEASES_ENV,
        constants.BUNDLE_ENV,
        constants.VERSION_ENV,
      ].sort(),
    ).toEqual(expected);
  });
});

describe("python -m airflow_ecs.dag_sync end to end", () => {
  const work = tempDir("dag-sync");
  const fakeS3 = path.join(work, "s3");
  const root = path.join(work, "efs");
  fs.mkdirSync(root);

  /** Builds `<releases>/team-a/<version>.tar.gz` from `files` with Python's tarfile, and its sha256 metadata. */
  function upload(version: string, files: Record<string, string>): void {
    const source = path.join(work, "src", version);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(source, name)), { recursive: true });
      fs.writeFileSync(path.join(source, name), text);
    }
    const object = path.join(fakeS3, BUCKET, DAG_BUCKET_LAYOUT.releases, "team-a", `${version}.tar.gz`);
    fs.mkdirSync(path.dirname(object), { recursive: true });
    const tar = runSync(
      "python3",
      ["-c", "import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w:gz') as t: t.add(sys.argv[2], arcname='.')", object, source],
      pythonEnv(),
    );
    expect(tar.stderr).toBe("");
    const sha256 = createHash("sha256").update(fs.readFileSync(object)).digest("hex");
    fs.writeFileSync(`${object}.metadata.json`, JSON.stringify({ [DAG_BUCKET_LAYOUT.sha256Metadata]: sha256 }));
  }

  function sync(version: string, bundle = "team-a") {
    return runSync(
      "python3",
      DAG_SYNC_COMMAND.slice(1),
      pythonEnv({
        _AIRFLOW_ECS_DAG_SYNC_FAKE_S3_DIR: fakeS3,
        [RUNTIME_ENV.dagBucket]: BUCKET,
        [RUNTIME_ENV.dagReleasesPrefix]: DAG_BUCKET_LAYOUT.releases,
        [RUNTIME_ENV.dagSyncRoot]: root,
        [RUNTIME_ENV.dagSyncBundles]: JSON.stringify(["team-a", "team-b"]),
        [RUNTIME_ENV.dagSyncKeepReleases]: "3",
        [RUNTIME_ENV.dagSyncBundle]: bundle,
        [RUNTIME_ENV.dagSyncVersion]: version,
      }),
    );
  }

  const current = path.join(root, "team-a", EFS_BUNDLE_LAYOUT.current);
  const dagFile = () => read(path.join(current, "dags", "etl.py"));

  // The steps below run in order on the same file system, as successive deploy-dags runs would.
  beforeAll(() => {
    // GIVEN two uploaded releases
    upload("2024.06.01-1", { "dags/etl.py": "# first\n" });
    upload("2024.06.02-1", { "dags/etl.py": "# second\n", "dags/lib/helpers.py": "VALUE = 2\n" });
  });

  it("deploys the first version: current is a relative symlink to it, one JSON summary line on stdout", () => {
    // WHEN the first version is synced
    const first = sync("2024.06.01-1");
    // THEN current -> releases/<version> (relative), the DAG files are readable through it, and the summary says so
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: expect.stringContaining("SHA-256 verified") });
    expect(fs.readlinkSync(current)).toBe(`${EFS_BUNDLE_LAYOUT.releases}/2024.06.01-1`);
    expect(dagFile()).toBe("# first\n");
    expect(JSON.parse(first.stdout)).toEqual({
      bundle: "team-a",
      version: "2024.06.01-1",
      release: path.join(root, "team-a", EFS_BUNDLE_LAYOUT.releases, "2024.06.01-1"),
      previous: null,
      pruned: [],
      files: 1,
    });
  });

  it("switches to the second version, the first being the previous release", () => {
    // WHEN the second version is synced THEN current points to it, and the summary names the first as previous
    const second = sync("2024.06.02-1");
    expect(second.status).toBe(0);
    expect(fs.readlinkSync(current)).toBe(`${EFS_BUNDLE_LAYOUT.releases}/2024.06.02-1`);
    expect(dagFile()).toBe("# second\n");
    expect(JSON.parse(second.stdout)).toMatchObject({ version: "2024.06.02-1", previous: "2024.06.01-1", files: 2 });
  });

  it("rolls back to the first version without downloading it", () => {
    // WHEN the first version is synced again THEN its existing release is switched to, nothing downloaded
    const rollback = sync("2024.06.01-1");
    expect(rollback.status).toBe(0);
    expect(rollback.stderr).toContain("switching without downloading");
    expect(fs.readlinkSync(current)).toBe(`${EFS_BUNDLE_LAYOUT.releases}/2024.06.01-1`);
    expect(dagFile()).toBe("# first\n");
    expect(JSON.parse(rollback.stdout)).toMatchObject({ version: "2024.06.01-1", previous: "2024.06.02-1", pruned: [] });
    // AND no temporary symlink or incoming folder is left
    expect(fs.readdirSync(path.join(root, "team-a")).filter((name) => name.startsWith("current.tmp-"))).toEqual([]);
    expect(fs.readdirSync(path.join(root, "team-a", EFS_BUNDLE_LAYOUT.releases)).sort()).toEqual(["2024.06.01-1", "2024.06.02-1"]);
  });

  it("unpacks a release exactly as deploy-dags builds it (the TypeScript archive, long and non-ASCII names included)", async () => {
    // GIVEN a DAG folder packed by deploy-dags' release builder and stored with its sha256, as deploy-dags uploads it
    const source = path.join(work, "src", "from-deploy-dags");
    const long = `dags/${"deeply-nested-folder/".repeat(6)}a_dag_file_with_a_rather_long_name.py`;
    const files: Record<string, string> = { "dags/etl.py": "# from deploy-dags\n", "dags/sql/café.sql": "select 1;\n", [long]: "# long\n" };
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(source, name)), { recursive: true });
      fs.writeFileSync(path.join(source, name), text);
    }
    const release = await buildReleaseArchive(source);
    const object = path.join(fakeS3, BUCKET, DAG_BUCKET_LAYOUT.releases, "team-a", "ts-built.tar.gz");
    fs.writeFileSync(object, release.bytes);
    fs.writeFileSync(`${object}.metadata.json`, JSON.stringify({ [DAG_BUCKET_LAYOUT.sha256Metadata]: release.sha256 }));
    // WHEN the sync task switches to it
    const run = sync("ts-built");
    // THEN every file arrives with its content under the new current release
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.stringContaining("SHA-256 verified") });
    for (const [name, text] of Object.entries(files)) expect(read(path.join(current, name))).toBe(text);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: "ts-built", files: 3 });
    // AND switching back to the first release leaves the rest of this sequence as it was
    expect(sync("2024.06.01-1").status).toBe(0);
  });

  it("exits 66 naming the object for a version that was never uploaded, and switches nothing", () => {
    // WHEN a version without an uploaded archive is synced THEN 66 names the s3:// URL; current is unchanged
    const missing = sync("2024.06.03-1");
    expect({ status: missing.status, stdout: missing.stdout }).toEqual({ status: 66, stdout: "" });
    expect(missing.stderr).toContain(
      `s3://${BUCKET}/${DAG_BUCKET_LAYOUT.releases}/team-a/2024.06.03-1.tar.gz does not exist: deploy-dags must upload the release archive`,
    );
    expect(fs.readlinkSync(current)).toBe(`${EFS_BUNDLE_LAYOUT.releases}/2024.06.01-1`);
  });

  it("exits 64 naming the allowed list for a bundle outside the environment's, and creates nothing", () => {
    // WHEN a bundle outside AIRFLOW_ECS_DAG_SYNC_BUNDLES is synced THEN 64 names the variable and what it allows
    const foreign = sync("2024.06.01-1", "team-z");
    expect({ status: foreign.status, stdout: foreign.stdout }).toEqual({ status: 64, stdout: "" });
    expect(foreign.stderr).toContain(
      `${RUNTIME_ENV.dagSyncBundle} = 'team-z' is not an EFS bundle of this environment; ${RUNTIME_ENV.dagSyncBundles} allows team-a, team-b`,
    );
    expect(fs.existsSync(path.join(root, "team-z"))).toBe(false);
  });
});
