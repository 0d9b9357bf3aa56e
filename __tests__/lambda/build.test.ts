import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { crc32 } from "zlib";
import { bundle, buildLambda, PUBLISHER_LAMBDA, REPO_ROOT } from "../../scripts/build-lambda";

/** The Lambda package: a deterministic zip holding one self-contained index.js that exports `handler`. */

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly madeBy: number;
  readonly mode: number;
  readonly data: Buffer;
  readonly crcOk: boolean;
}

/** Reads a zip's central directory and each entry's stored bytes (the build never deflates). */
function readZip(zip: Buffer): ZipEntry[] {
  const eocd = zip.length - 22;
  expect(zip.readUInt32LE(eocd)).toBe(0x06054b50);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + size);
    entries.push({
      name,
      method,
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
      madeBy: zip.readUInt16LE(at + 4) >> 8,
      mode: zip.readUInt32LE(at + 38) >>> 16,
      data,
      crcOk: crc32(data) === crc,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

let workDir: string;
/** One build into a scratch file, shared by the tests that only inspect a build (each esbuild bundle of the SDK costs ~0.5 s of CPU). */
let built: Awaited<ReturnType<typeof buildLambda>>;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "qdp-build-"));
  built = await buildLambda({ outFile: path.join(workDir, "a.zip") });
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe("buildLambda", () => {
  it("writes a zip holding only index.js, the esbuild bundle of the handler, and reports its hashes", async () => {
    // GIVEN the publisher's sources
    // WHEN the Lambda is built into a scratch file (beforeAll)
    // THEN the zip holds one stored entry, index.js, equal to the bundle, with a valid CRC
    const zip = fs.readFileSync(built.zipPath);
    const entries = readZip(zip);
    expect(entries.map((e) => [e.name, e.method, e.crcOk])).toEqual([["index.js", 0, true]]);
    expect(entries[0].data.equals(await bundle(PUBLISHER_LAMBDA.entry))).toBe(true);
    // AND the reported size and hashes are those of the file (base64 is what source_code_hash compares)
    const digest = createHash("sha256").update(zip).digest();
    expect(built).toEqual({
      zipPath: path.join(workDir, "a.zip"),
      handler: "index.handler",
      bytes: zip.length,
      sha256Hex: digest.toString("hex"),
      sha256Base64: digest.toString("base64"),
    });
  });

  it("gives the same bytes on every build", async () => {
    // GIVEN the first build of the sources
    // WHEN they are built again into another file
    const second = await buildLambda({ outFile: path.join(workDir, "second.zip") });

    // THEN the files and their hashes are identical
    expect(second.sha256Base64).toBe(built.sha256Base64);
    expect(fs.readFileSync(second.zipPath).equals(fs.readFileSync(built.zipPath))).toBe(true);
  });

  it("fixes each entry's timestamp (1980-01-01 00:00) and Unix mode (0644), whatever the clock or umask", () => {
    // GIVEN a build
    // WHEN its central directory is read
    const [entry] = readZip(fs.readFileSync(built.zipPath));

    // THEN the DOS date is 1980-01-01, the time 00:00:00, the entry made on Unix with mode -rw-r--r--
    expect({ dosDate: entry.dosDate, dosTime: entry.dosTime, madeBy: entry.madeBy, mode: entry.mode.toString(8) }).toEqual({
      dosDate: (0 << 9) | (1 << 5) | 1,
      dosTime: 0,
      madeBy: 3,
      mode: "100644",
    });
  });

  it("writes dist/lambda/queue-depth-publisher.zip under the repository root by default", async () => {
    // GIVEN no output path
    // WHEN the Lambda is built
    const byDefault = await buildLambda();

    // THEN the zip is at the path the services stack references
    expect(PUBLISHER_LAMBDA.zipPath).toBe("dist/lambda/queue-depth-publisher.zip");
    expect(byDefault.zipPath).toBe(path.join(REPO_ROOT, "dist", "lambda", "queue-depth-publisher.zip"));
    expect(REPO_ROOT).toBe(path.resolve(__dirname, "..", ".."));
    expect(createHash("sha256").update(fs.readFileSync(byDefault.zipPath)).digest("base64")).toBe(byDefault.sha256Base64);
  });
});

describe("the bundle", () => {
  it("loads outside the repository (no node_modules) and exports a handler that runs", () => {
    // GIVEN index.js of the build extracted into an empty directory
    const dir = fs.mkdtempSync(path.join(workDir, "extracted-"));
    fs.writeFileSync(path.join(dir, "index.js"), readZip(fs.readFileSync(built.zipPath))[0].data);

    // WHEN node requires it, as the Lambda runtime does, and invokes the handler with an empty environment
    const script =
      "const m = require('./index.js');" +
      "m.handler({}, { getRemainingTimeInMillis: () => 1000 }).then(() => console.log('resolved'), (e) => console.log(typeof m.handler, e.name));";
    const out = execFileSync(process.execPath, ["-e", script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });

    // THEN the module resolves every import from the bundle itself, and the handler rejects on the missing environment
    expect(out.trim().split("\n").pop()).toBe("function ConfigError");
  });
});
