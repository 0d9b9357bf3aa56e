/**
 * Where the template files came from: the commit of a git checkout, or, for a checkout assembled file by file (for
 * example from per-file snapshots), a provenance file naming each file's commit.
 *
 * Provenance file (JSON):
 *   {
 *     "repository": "apache/airflow",                       (optional)
 *     "files": { "<path in the checkout>": { "commit": "<sha>", "version": "<package version>" } },
 *     "note": "<how the files were obtained, added to the catalogue's source.note>"   (optional)
 *   }
 * `version` is used when the file itself does not tell it (config.yml without airflow-core's __init__.py).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SourceError } from "./sources";

export interface FileProvenance {
  readonly commit?: string;
  readonly version?: string;
}

export interface Provenance {
  readonly repository?: string;
  readonly files: Readonly<Record<string, FileProvenance>>;
  readonly note?: string;
}

export const NO_PROVENANCE: Provenance = { files: {} };

const optionalString = (value: unknown) => value === undefined || typeof value === "string";

function checkFiles(files: unknown, file: string): Record<string, FileProvenance> {
  if (typeof files !== "object" || files === null || Array.isArray(files)) throw new SourceError(`${file}: "files" must be an object`);
  for (const [name, entry] of Object.entries(files as Record<string, unknown>)) {
    const e = entry as Record<string, unknown>;
    if (typeof e !== "object" || e === null || !optionalString(e.commit) || !optionalString(e.version)) {
      throw new SourceError(`${file}: files["${name}"] must be an object with optional string "commit" and "version"`);
    }
  }
  return files as Record<string, FileProvenance>;
}

/** Reads and checks a provenance file. */
export function readProvenance(file: string): Provenance {
  if (!fs.existsSync(file)) throw new SourceError(`--provenance: no such file: ${file}`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new SourceError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!optionalString(raw.repository) || !optionalString(raw.note)) throw new SourceError(`${file}: "repository" and "note" must be strings`);
  return { repository: raw.repository as string | undefined, note: raw.note as string | undefined, files: checkFiles(raw.files ?? {}, file) };
}

/** HEAD of the checkout when it is a git work tree (has .git), else undefined. */
export function gitHead(dir: string): string | undefined {
  if (!fs.existsSync(path.join(dir, ".git"))) return undefined;
  const result = spawnSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
