/**
 * The configuration change of a restore: `storage.database.restoreFromSnapshot` and `airflow.imageTag` set in the
 * environment file by a minimal text edit (the file keeps its layout and every other byte), then checked by parsing
 * the result and validating it like any environment file.
 */
import { parseEnvironment } from "../../config/load";
import type { EnvironmentConfig } from "../../config/schema";
import { CliError } from "../lib/cli";

/** Replaces the value of the one `"key": "..."` in `text`; undefined when the key is absent; an error when repeated. */
function replaceString(text: string, key: string, value: string, file: string): string | undefined {
  const pattern = new RegExp(`("${key}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "g");
  const matches = text.match(pattern) ?? [];
  if (matches.length > 1) throw new CliError(`${file}: "${key}" appears ${matches.length} times; set it by hand`);
  return matches.length === 1 ? text.replace(pattern, (_match, prefix: string) => `${prefix}${JSON.stringify(value)}`) : undefined;
}

/** Inserts `"key": "value"` as the first field of the one `"database": {` object, indented like its next line. */
function insertIntoDatabase(text: string, key: string, value: string, file: string): string {
  const opening = /"database"\s*:\s*\{/g;
  const found = [...text.matchAll(opening)];
  if (found.length !== 1) throw new CliError(`${file}: cannot find the storage.database object to add "${key}" to; add it by hand`);
  const end = found[0].index! + found[0][0].length;
  const rest = text.slice(end);
  const field = `${JSON.stringify(key)}: ${JSON.stringify(value)},`;
  const multiLine = /^[ \t]*\r?\n([ \t]*)/.exec(rest);
  return multiLine ? `${text.slice(0, end)}\n${multiLine[1]}${field}${rest}` : `${text.slice(0, end)} ${field}${rest.replace(/^[ \t]*/, " ")}`;
}

/**
 * The environment file with the restore set: returns the new text and the config it parses to. Throws a CliError
 * naming the file when the edit cannot be made safely or the result does not validate.
 */
export function withRestore(file: string, text: string, snapshotId: string, imageTag: string): { text: string; config: EnvironmentConfig } {
  let edited = replaceString(text, "imageTag", imageTag, file);
  if (edited === undefined) throw new CliError(`${file}: has no "imageTag"; set airflow.imageTag to ${imageTag} by hand`);
  edited = replaceString(edited, "restoreFromSnapshot", snapshotId, file) ?? insertIntoDatabase(edited, "restoreFromSnapshot", snapshotId, file);
  const config = parseEnvironment(file, edited);
  if (config.storage.database.restoreFromSnapshot !== snapshotId || config.airflow.imageTag !== imageTag) {
    throw new CliError(`${file}: the edit did not set storage.database.restoreFromSnapshot and airflow.imageTag as intended; set them by hand`);
  }
  return { text: edited, config };
}
