/**
 * EFS DAG releases as `npm run deploy-dags` uploads them: a deterministic gzip tar of a DAG folder, its SHA-256, and
 * the release version. The sync task (docker/config/airflow_ecs/dag_sync.py) extracts the archive into
 * `<bundle>/releases/<version>/` and switches `<bundle>/current` to it.
 *
 * The same folder always gives the same bytes (so the same SHA-256, and the same default version suffix): entries
 * sorted by path, mtime fixed, uid/gid 0 without user or group names, modes normalized (0755 folders and executable
 * files, 0644 other files). Entry names are relative to the folder, with forward slashes and no `./`; folders end
 * with `/`. Version control and Python caches are left out; symbolic links and special files are refused, because
 * the sync task refuses them too.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import { DAG_BUCKET_LAYOUT, DAG_RELEASE_VERSION_PATTERN } from "../../runtime/dag-delivery";

/** Modification time of every archive entry (seconds since the epoch). */
export const RELEASE_ARCHIVE_MTIME = 0;

/** What never goes into a release or an S3 bundle, as the error and help texts describe it. */
export const EXCLUDED_DESCRIPTION = ".git/, __pycache__/, *.pyc and .DS_Store";

/** A folder content problem (symbolic link, special file, nothing to deploy, unreadable folder). */
export class ReleaseContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReleaseContentError";
  }
}

export interface ReleaseArchive {
  /** The .tar.gz bytes. */
  readonly bytes: Buffer;
  /** Hex SHA-256 of `bytes`. */
  readonly sha256: string;
  /** The regular files of the archive (relative, forward slashes), in archive order. */
  readonly files: string[];
}

/** One entry of a DAG folder, after exclusions. */
export interface FolderEntry {
  /** Relative path with forward slashes (no trailing slash for folders). */
  readonly path: string;
  readonly absolute: string;
  readonly type: "directory" | "file";
  /** Normalized mode: 0o755 for folders and executable files, 0o644 otherwise. */
  readonly mode: number;
  readonly size: number;
}

/** Whether a folder entry named `name` is left out of releases and S3 bundles. */
export function isExcluded(name: string, isDirectory: boolean): boolean {
  if (name === ".git") return true; // a folder, or the file of a worktree or submodule
  if (isDirectory) return name === "__pycache__";
  return name.endsWith(".pyc") || name === ".DS_Store";
}

/** Compares strings by their UTF-8 bytes, so the order does not depend on the locale. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * The folders and regular files under `dir`, sorted by path (a folder before its content), without the excluded
 * ones. Throws ReleaseContentError on a symbolic link or special file (naming it), or when no file remains.
 */
export async function collectFolder(dir: string): Promise<FolderEntry[]> {
  let root: fs.Stats;
  try {
    root = await fs.promises.stat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReleaseContentError(
      code === "ENOENT" ? `the DAG folder "${dir}" does not exist` : `cannot read the DAG folder "${dir}": ${code ?? (error as Error).message}`,
    );
  }
  if (!root.isDirectory()) throw new ReleaseContentError(`"${dir}" is not a folder`);

  const entries: FolderEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    const names = (await fs.promises.readdir(path.join(dir, relative))).sort(byteOrder);
    for (const name of names) {
      const rel = relative ? `${relative}/${name}` : name;
      const absolute = path.join(dir, rel);
      const stat = await fs.promises.lstat(absolute);
      if (isExcluded(name, stat.isDirectory())) continue;
      if (stat.isSymbolicLink()) {
        throw new ReleaseContentError(`"${absolute}" is a symbolic link; a DAG folder may hold only regular files and folders (the sync task refuses links)`);
      }
      if (stat.isDirectory()) {
        entries.push({ path: rel, absolute, type: "directory", mode: 0o755, size: 0 });
        await walk(rel);
      } else if (stat.isFile()) {
        entries.push({ path: rel, absolute, type: "file", mode: stat.mode & 0o111 ? 0o755 : 0o644, size: stat.size });
      } else {
        throw new ReleaseContentError(
          `"${absolute}" is not a regular file or folder (a device, socket or pipe); a DAG folder may hold only regular files and folders`,
        );
      }
    }
  };
  await walk("");
  // Depth-first with sorted names is not the same as sorting whole paths ("a/b" vs "a-c"); sort the whole paths.
  entries.sort((a, b) => byteOrder(a.path, b.path));
  if (!entries.some((e) => e.type === "file")) throw new ReleaseContentError(`"${dir}" holds no files to deploy (${EXCLUDED_DESCRIPTION} are left out)`);
  return entries;
}

/** Builds the release archive of `dir` (see the file comment). */
export async function buildReleaseArchive(dir: string): Promise<ReleaseArchive> {
  const entries = await collectFolder(dir);
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === "file" ? await fs.promises.readFile(entry.absolute) : Buffer.alloc(0);
    blocks.push(...tarEntry(entry.type === "directory" ? `${entry.path}/` : entry.path, entry.type, entry.mode, data));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  const bytes = gzipSync(Buffer.concat(blocks), { level: 9 });
  return {
    bytes,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    files: entries.filter((e) => e.type === "file").map((e) => e.path),
  };
}

const BLOCK = 512;

/** Header(s) and data blocks of one entry: ustar, with a PAX header first when the name or size does not fit. */
function tarEntry(name: string, type: "directory" | "file", mode: number, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const nameBytes = Buffer.from(name, "utf8");
  const split = splitUstarName(name);
  const pax: [string, string][] = [];
  if (!split) pax.push(["path", name]);
  if (data.length > MAX_USTAR_SIZE) pax.push(["size", String(data.length)]);
  if (pax.length > 0) {
    const records = Buffer.from(pax.map(([k, v]) => paxRecord(k, v)).join(""), "utf8");
    out.push(header({ name: "././@PaxHeader", prefix: "", mode: 0o644, size: records.length, type: "x" }), pad(records));
  }
  const fallback = split ?? {
    prefix: "",
    name: nameBytes
      .subarray(0, 100)
      .toString("latin1")
      .replace(/[^\x20-\x7e]/g, "_"),
  };
  out.push(header({ ...fallback, mode, size: data.length > MAX_USTAR_SIZE ? 0 : data.length, type: type === "directory" ? "5" : "0" }));
  if (data.length > 0) out.push(pad(data));
  return out;
}

const MAX_USTAR_SIZE = 0o77777777777;

/** The ustar name/prefix split of an ASCII name, or undefined when it needs a PAX path. */
function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined;
  if (name.length <= 100) return { name, prefix: "" };
  // The prefix ends at a slash that is not part of the name; a folder's trailing slash stays in the name.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== "/" || i === name.length - 1) continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { name: rest, prefix };
  }
  return undefined;
}

/** `<length> <key>=<value>\n`, where the length counts the whole record in bytes, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body, "utf8");
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return `${length}${body}`;
}

function header(h: { name: string; prefix: string; mode: number; size: number; type: string }): Buffer {
  const b = Buffer.alloc(BLOCK);
  const text = (value: string, offset: number, length: number) => b.write(value, offset, length, "latin1");
  const octal = (value: number, offset: number, length: number) => text(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  text(h.name, 0, 100);
  octal(h.mode, 100, 8);
  octal(0, 108, 8); // uid
  octal(0, 116, 8); // gid
  octal(h.size, 124, 12);
  octal(RELEASE_ARCHIVE_MTIME, 136, 12);
  text(" ".repeat(8), 148, 8); // checksum placeholder
  text(h.type, 156, 1);
  text("ustar\0", 257, 6);
  text("00", 263, 2);
  // uname and gname stay empty (no user names); devmajor/devminor are zero.
  octal(0, 329, 8);
  octal(0, 337, 8);
  text(h.prefix, 345, 155);
  let sum = 0;
  for (const byte of b) sum += byte;
  text(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return b;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

const VERSION_PATTERN = new RegExp(DAG_RELEASE_VERSION_PATTERN);

export function isValidReleaseVersion(version: string): boolean {
  return VERSION_PATTERN.test(version);
}

/** `<UTC yyyymmddTHHMMSSZ>-<first 12 hex digits of the archive's SHA-256>`, e.g. `20260115T093000Z-3f2a9c0d1b7e`. */
export function defaultReleaseVersion(now: Date, sha256: string): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  return `${stamp}-${sha256.slice(0, 12)}`;
}

/** The DAG bucket key of a release: `releases/<bundle>/<version>.tar.gz`. */
export function releaseKey(bundle: string, version: string): string {
  return `${DAG_BUCKET_LAYOUT.releases}/${bundle}/${version}.tar.gz`;
}
