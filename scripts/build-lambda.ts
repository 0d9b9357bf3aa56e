/**
 * Bundles each Lambda of runtime/lambda.ts (the queue-depth publisher, the service redeployer, the hibernation steps) with esbuild into
 * one CommonJS file and writes it as `index.js` into a deterministic zip: fixed entry order, timestamp and mode, no compression, so the same
 * sources give the same bytes and Terraform's `source_code_hash` only changes when the code does.
 *
 * Usage: node dist/scripts/build-lambda.js   (after `npx tsc -p tsconfig.json`; prints the zip path and its hashes)
 * Or import { buildLambda, PUBLISHER_LAMBDA } from "scripts/build-lambda".
 *
 * The AWS SDK v3 clients are bundled, not left to the runtime's copy: the function then runs exactly the SDK
 * version the tests ran against, a runtime SDK update cannot change it, and the only cost is a larger file.
 * Only `pg-native` (pg's optional libpq binding, never loaded here) stays external.
 */
import { createHash } from "crypto";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { ZipFile } from "yazl";
import { LAMBDA_ARTIFACTS, type LambdaArtifact } from "../runtime/lambda";

/** The repository root: the nearest directory above this file holding package.json (works from scripts/ and dist/scripts/). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

export const REPO_ROOT = findRoot(__dirname);

/** Name of the bundle inside every zip (the handlers are `index.handler`). */
export const BUNDLE_NAME = "index.js";

/** The queue-depth publisher's artifact (see runtime/lambda.ts for every bundle and its runtime). */
export const PUBLISHER_LAMBDA = { ...LAMBDA_ARTIFACTS.queueDepthPublisher, bundleName: BUNDLE_NAME } as const;

/**
 * Fixed zip metadata. The date is built from local-time parts because zip's DOS timestamp stores local time (and
 * the Info-ZIP UTC extra field, which would vary with the time zone, is left out). Entries are stored, not
 * deflated: zlib's output may change between Node.js releases and CPUs (SIMD paths), stored bytes cannot, and
 * Lambda takes ~1.5 MB uncompressed without noticing.
 */
const ZIP_MTIME = (): Date => new Date(1980, 0, 1, 0, 0, 0);
const ZIP_MODE = 0o100644;

/** esbuild options shared by the Lambda bundle and anything else bundled from lambda/ (the tests bundle the CLI). */
export function esbuildOptions(entry: string): esbuild.BuildOptions & { write: false } {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.resolve(REPO_ROOT, entry)],
    outfile: path.join(REPO_ROOT, "dist", "lambda", "bundle.js"),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // Readable stack traces in CloudWatch Logs beat a smaller file; the zip compresses the difference away.
    minify: false,
    sourcemap: false,
    legalComments: "eof",
    charset: "utf8",
    external: ["pg-native"],
    // Module paths (embedded as comments) stay relative to the checkout even when node_modules is a symlink (a git
    // worktree sharing another checkout's packages), so the same sources always give the same zip and hash.
    preserveSymlinks: true,
    logLevel: "silent",
    write: false,
  };
}

/** Bundles one entry (relative to the repository root) and returns the code. */
export async function bundle(entry: string): Promise<Buffer> {
  const result = await esbuild.build(esbuildOptions(entry));
  const warnings = result.warnings.map((w) => `${w.location?.file ?? "?"}:${w.location?.line ?? "?"} ${w.text}`);
  if (warnings.length > 0) throw new Error(`esbuild warned while bundling ${entry}:\n${warnings.join("\n")}`);
  return Buffer.from(result.outputFiles[0].contents);
}

/** A zip of the given files, in name order, every entry with the same timestamp and mode. */
export function deterministicZip(files: Readonly<Record<string, Buffer>>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const name of Object.keys(files).sort()) {
    zip.addBuffer(files[name], name, { mtime: ZIP_MTIME(), mode: ZIP_MODE, compress: false, forceDosTimestamp: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.end();
  });
}

export interface BuiltLambda {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  readonly handler: string;
  readonly bytes: number;
  readonly sha256Hex: string;
  /** What Terraform's `source_code_hash` / `filebase64sha256()` expects. */
  readonly sha256Base64: string;
}

/** Bundles one Lambda and writes its zip (default: the artifact's zipPath under the repository root). */
export async function buildLambda(options: { outFile?: string; artifact?: LambdaArtifact } = {}): Promise<BuiltLambda> {
  const artifact = options.artifact ?? PUBLISHER_LAMBDA;
  const code = await bundle(artifact.entry);
  const zip = await deterministicZip({ [BUNDLE_NAME]: code });
  const zipPath = path.resolve(REPO_ROOT, options.outFile ?? artifact.zipPath);
  fs.mkdirSync(path.dirname(zipPath), { recursive: true });
  // Write then rename, so a reader (terraform plan) never sees a half-written zip.
  const partial = `${zipPath}.${process.pid}.tmp`;
  fs.writeFileSync(partial, zip);
  fs.renameSync(partial, zipPath);
  const digest = createHash("sha256").update(zip).digest();
  return { zipPath, handler: artifact.handler, bytes: zip.length, sha256Hex: digest.toString("hex"), sha256Base64: digest.toString("base64") };
}

/** Builds every Lambda of runtime/lambda.ts. */
export async function buildAllLambdas(): Promise<BuiltLambda[]> {
  return Promise.all(Object.values(LAMBDA_ARTIFACTS).map((artifact) => buildLambda({ artifact })));
}

if (require.main === module) {
  buildAllLambdas().then(
    (all) =>
      all.forEach((built) =>
        console.log(
          `${path.relative(REPO_ROOT, built.zipPath)} ${built.bytes} bytes, handler ${built.handler}, sha256 ${built.sha256Hex} (base64 ${built.sha256Base64})`,
        ),
      ),
    (error: Error) => {
      console.error(`build-lambda: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
