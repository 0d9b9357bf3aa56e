import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Parser, type ReadEntry } from "tar";
import { DAG_RELEASE_VERSION_PATTERN } from "../../../runtime/dag-delivery";
import { buildReleaseArchive, defaultReleaseVersion, releaseKey } from "../../../scripts/lib/dag-release";
import { temporaryDirectory } from "../../support/temp";
import { awsCalls, DAGS, failure, folder, NOW, resetMocks } from "../dags/harness";

afterEach(resetMocks);

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
