import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { AIRFLOW_GID, AIRFLOW_UID, RUNTIME_ENV, WRITABLE_PATHS } from "../../runtime/airflow-image";
import { DAG_BUCKET_LAYOUT, DAG_SYNC_COMMAND } from "../../runtime/dag-delivery";
import { stackJson, sharedApp } from "../support/synth";
import { DOCKER_DIR, PYTHON_PATH, parseDockerfile, read, removeTempDirs, runSync, tempDir } from "./helpers";

/**
 * Every writable path of every task definition is writable by the container user on EC2 and on Fargate: the
 * task-scoped volumes the task definitions mount are exactly the Dockerfile's VOLUMEs, and the owner and mode the
 * Dockerfile gives them let uid 50000 write where Fargate's default (root, 0755) does not. The image's Python runs
 * against directories with those permissions, as uid 50000 (privileges dropped with setpriv when the tests run as
 * root; otherwise the current user stands in for uid 50000).
 */

afterAll(removeTempDirs);

const instructions = parseDockerfile(read(path.join(DOCKER_DIR, "Dockerfile")));
const volumes: string[] = instructions.filter((i) => i.keyword === "VOLUME").flatMap((i) => JSON.parse(i.args) as string[]);
const shell = instructions
  .filter((i) => i.keyword === "RUN")
  .flatMap((i) => i.args.split(/;|&&/))
  .map((command) => command.trim());

/** Owner and mode the Dockerfile gives a path before declaring it a VOLUME (root:root when it sets no owner). */
function declaredPermissions(target: string): { uid: number; gid: number; mode: number } {
  const chown = shell.map((c) => /^chown (\d+):(\d+) (\S+)$/.exec(c)).find((m) => m?.[3] === target);
  const chmod = shell.map((c) => /^chmod ([0-7]{3,4}) (\S+)$/.exec(c)).find((m) => m?.[2] === target);
  if (!chmod) throw new Error(`docker/Dockerfile sets no mode for the VOLUME ${target}`);
  return { uid: chown ? Number(chown[1]) : 0, gid: chown ? Number(chown[2]) : 0, mode: parseInt(chmod[1], 8) };
}

/** Task-scoped (scratch) volume mounts of every task definition that runs the Airflow image as uid 50000. */
function scratchMounts(): { family: string; container: string; path: string }[] {
  const found: { family: string; container: string; path: string }[] = [];
  for (const stack of sharedApp().stacks.filter((s) => s.environment)) {
    const [environment, ...kind] = stack.id.split("-");
    const definitions = Object.values(stackJson(environment, kind.join("-")).resource?.aws_ecs_task_definition ?? {}) as Record<string, any>[];
    for (const td of definitions) {
      const scratch = new Set(((td.volume ?? []) as Record<string, unknown>[]).filter((v) => !v.efs_volume_configuration && !v.host_path).map((v) => v.name));
      for (const c of JSON.parse(td.container_definitions as string)) {
        if (c.user !== `${AIRFLOW_UID}:${AIRFLOW_GID}`) continue;
        for (const m of c.mountPoints) if (scratch.has(m.sourceVolume)) found.push({ family: td.family, container: c.name, path: m.containerPath });
      }
    }
  }
  return found;
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** A python3 the unprivileged user can run (a pyenv shim under /root is not one). */
function interpreterFor(uid: number, gid: number): string {
  const candidates = [...(process.env.PATH ?? "").split(":").map((dir) => path.join(dir, "python3")), "/usr/bin/python3", "/usr/local/bin/python3"];
  for (const candidate of candidates) {
    if (!fs.existsSync(candidate)) continue;
    const probe = isRoot
      ? runSync("setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", candidate, "-c", "import sys"], {})
      : runSync(candidate, ["-c", "import sys"], {});
    if (probe.status === 0) return candidate;
  }
  throw new Error(`no python3 on PATH that uid ${uid} can run`);
}

/** Runs Python code as the container user, with the image's package importable and `tempfile` pinned to `scratch`. */
function runAsContainerUser(code: string, scratch: string, env: Record<string, string> = {}) {
  const python = interpreterFor(AIRFLOW_UID, AIRFLOW_GID);
  // The only writable temporary directory in the container is the /tmp mount: no fallback to another one.
  const prelude = `import sys, tempfile\ntempfile.tempdir = ${JSON.stringify(scratch)}\n`;
  const args = [python, "-c", prelude + code];
  const fullEnv = { PATH: "/usr/bin:/bin", PYTHONPATH: PYTHON_PATH, PYTHONDONTWRITEBYTECODE: "1", HOME: scratch, ...env };
  return isRoot
    ? runSync("setpriv", [`--reuid=${AIRFLOW_UID}`, `--regid=${AIRFLOW_GID}`, "--clear-groups", ...args], fullEnv)
    : runSync(args[0], args.slice(1), fullEnv);
}

/** A directory as ECS would mount it: owned and moded as given (when the tests cannot chown, owned by the current user). */
function mountLike(parent: string, name: string, permissions: { uid: number; gid: number; mode: number }): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir);
  if (isRoot) fs.chownSync(dir, permissions.uid, permissions.gid);
  fs.chmodSync(dir, permissions.mode);
  return dir;
}

/** Fargate's bind mount without a matching VOLUME: root-owned 0755 (as the current user cannot create one, a root-owned 0755 directory that exists). */
function fargateDefault(parent: string, name: string): string {
  if (isRoot) return mountLike(parent, name, { uid: 0, gid: 0, mode: 0o755 });
  const existing = ["/usr", "/etc"].find((dir) => {
    const stat = fs.statSync(dir);
    return stat.uid === 0 && (stat.mode & 0o777) === 0o755;
  });
  if (!existing) throw new Error("no root-owned 0755 directory to stand in for Fargate's default bind mount");
  return existing;
}

describe("the Dockerfile's VOLUMEs", () => {
  it("are exactly the scratch paths the synthesized task definitions mount, and runtime/'s WRITABLE_PATHS", () => {
    const mounts = scratchMounts();
    expect(mounts.length).toBeGreaterThan(20);
    expect([...new Set(mounts.map((m) => m.path))].sort()).toEqual([...volumes].sort());
    expect([...volumes].sort()).toEqual(Object.values(WRITABLE_PATHS).sort());
    // AND the dag-sync task (Fargate) and the log groomers are among them
    expect(mounts.filter((m) => m.container === "dag-sync" || m.container === "log-groomer").map((m) => m.path)).toEqual(
      expect.arrayContaining([WRITABLE_PATHS.tmp, WRITABLE_PATHS.logs]),
    );
  });

  it("get an owner and mode that let uid 50000 write, after which no instruction changes them", () => {
    for (const volume of volumes) {
      const { uid, gid, mode } = declaredPermissions(volume);
      const writable = (uid === AIRFLOW_UID && mode & 0o200) || (gid === AIRFLOW_GID && mode & 0o020) || mode & 0o002;
      expect({ volume, writable: Boolean(writable) }).toEqual({ volume, writable: true });
    }
    const lastVolume = instructions.map((i) => i.keyword).lastIndexOf("VOLUME");
    expect(instructions.slice(lastVolume + 1).filter((i) => i.keyword === "RUN" || i.keyword === "COPY")).toEqual([]);
  });
});

describe("the image's Python on the scratch volumes, as uid 50000", () => {
  const work = tempDir("scratch");
  fs.chmodSync(work, 0o755);

  it("writes a task log under the logs volume with the Dockerfile's permissions, not under Fargate's default", () => {
    const code = `import os\nroot = sys.argv[1] if len(sys.argv) > 1 else os.environ["LOGS"]\npath = os.path.join(root, "dag_id=d", "run_id=r", "task_id=t", "attempt=1.log")\nos.makedirs(os.path.dirname(path))\nopen(path, "w").write("log line")\nprint("wrote", path)`;
    const declared = mountLike(work, "logs", declaredPermissions(WRITABLE_PATHS.logs));
    const ok = runAsContainerUser(code, declared, { LOGS: declared });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
    const denied = runAsContainerUser(code, declared, { LOGS: fargateDefault(work, "logs-fargate-default") });
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain("PermissionError");
  });

  it("runs the DAG sync (its download goes to /tmp) with the Dockerfile's /tmp, and fails with Fargate's default", () => {
    // GIVEN an uploaded release in the sync's fake S3 and an EFS root the airflow user owns (the access point's POSIX user)
    const s3 = path.join(work, "s3");
    const object = path.join(s3, "bucket", DAG_BUCKET_LAYOUT.releases, "team", "v1.tar.gz");
    fs.mkdirSync(path.dirname(object), { recursive: true });
    const source = path.join(work, "src");
    fs.mkdirSync(path.join(source, "dags"), { recursive: true });
    fs.writeFileSync(path.join(source, "dags", "etl.py"), "# etl\n");
    const tar = runSync(
      "python3",
      ["-c", "import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w:gz') as t: t.add(sys.argv[2], arcname='.')", object, source],
      {
        PATH: process.env.PATH ?? "",
      },
    );
    expect(tar.status).toBe(0);
    fs.writeFileSync(
      `${object}.metadata.json`,
      JSON.stringify({ [DAG_BUCKET_LAYOUT.sha256Metadata]: createHash("sha256").update(fs.readFileSync(object)).digest("hex") }),
    );
    for (const dir of [s3, path.dirname(object), path.dirname(path.dirname(object)), path.join(s3, "bucket")]) fs.chmodSync(dir, 0o755);
    const sync = (tmp: string, efs: string) =>
      runAsContainerUser(`import runpy\nsys.argv = ["dag_sync"]\nrunpy.run_module(${JSON.stringify(DAG_SYNC_COMMAND[2])}, run_name="__main__")`, tmp, {
        _AIRFLOW_ECS_DAG_SYNC_FAKE_S3_DIR: s3,
        [RUNTIME_ENV.dagBucket]: "bucket",
        [RUNTIME_ENV.dagReleasesPrefix]: DAG_BUCKET_LAYOUT.releases,
        [RUNTIME_ENV.dagSyncRoot]: efs,
        [RUNTIME_ENV.dagSyncBundles]: JSON.stringify(["team"]),
        [RUNTIME_ENV.dagSyncKeepReleases]: "2",
        [RUNTIME_ENV.dagSyncBundle]: "team",
        [RUNTIME_ENV.dagSyncVersion]: "v1",
      });
    const efsAs = (name: string) => mountLike(work, name, { uid: AIRFLOW_UID, gid: AIRFLOW_GID, mode: 0o755 });
    // WHEN it runs with /tmp as the Dockerfile declares it
    const ok = sync(mountLike(work, "tmp", declaredPermissions(WRITABLE_PATHS.tmp)), efsAs("efs-ok"));
    // THEN the release is installed
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: expect.stringContaining("SHA-256 verified") });
    expect(read(path.join(work, "efs-ok", "team", "current", "dags", "etl.py"))).toBe("# etl\n");
    // AND with Fargate's default bind mount it cannot even create its download folder
    const denied = sync(fargateDefault(work, "tmp-fargate-default"), efsAs("efs-denied"));
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain("Permission denied");
  });
});
