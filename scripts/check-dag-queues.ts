/**
 * Checks that every Celery queue a folder of DAG files sends tasks to is consumed by a worker pool of an environment
 * (`workerPools[].queues` of config/environments/<env>.json): a task on a queue no pool consumes sits queued until
 * Airflow's `[scheduler] task_queued_timeout` fails it. Queue usages are found with Python's own parser (see
 * scripts/lib/dag_queues.py; `python3` must be on PATH): `queue=` keyword arguments of any call and `"queue":` entries
 * of dict literals (`default_args`), whose value is a string constant or a module-level name bound to one. Other
 * values (f-strings, attributes, calls, ...) cannot be checked: they are warnings, errors with --strict.
 *
 *   npm run check-dag-queues -- --env dev --dags ../airflow-dags/dags
 *   npm run check-dag-queues -- --env prod --dags dags --strict --json
 *
 * Exit status: 0 when every queue is consumed (and, with --strict, every queue could be checked); 1 on problems
 * (an unconsumed queue, a file that does not parse, with --strict an unchecked queue); 2 when the check could not run
 * (usage, unknown environment, invalid configuration, no such folder, no python3).
 */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS_DIR } from "../config/load";
import { cliEnvironment } from "./lib/cli-environment";
import type { EnvironmentConfig } from "../config/schema";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { checkDagQueues, DagScanError, poolOf, scanDagQueues, type DagQueueScan } from "./lib/dag-queues";

export const USAGE = [
  "usage: npm run check-dag-queues -- --env <environment> --dags <dir> [--strict] [--json] [--config-dir <dir>]",
  "",
  "  --env <name>       the environment whose worker pools must consume the queues (config/environments/<name>.json)",
  "  --dags <dir>       the DAG folder: every .py file under it is scanned (__pycache__ and hidden folders skipped)",
  "  --strict           also fail on queue values that cannot be checked (not a string constant)",
  "  --json             machine-readable: { environment, dags, strict, pools, files, usages, unchecked, errors,",
  "                     problems, ok }",
  "  --config-dir <dir> read environment files from <dir> (default config/environments)",
].join("\n");

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Every finding as one line, in file and line order; `failing` says whether it fails the check. */
function findings(config: EnvironmentConfig, scan: DagQueueScan, strict: boolean): { line: string; file: string; at: number; failing: boolean }[] {
  const all = [
    ...checkDagQueues(config, scan.usages).map((p) => ({ file: p.file, at: p.line, line: p.message, failing: true })),
    ...scan.errors.map((e) => ({ file: e.file, at: e.line, line: `${e.file}:${e.line}: cannot parse: ${e.message}`, failing: true })),
    ...scan.unchecked.map((u) => ({
      file: u.file,
      at: u.line,
      line: `${u.file}:${u.line}: ${strict ? "error" : "warning"}: queue ${u.expression} cannot be checked: not a string constant or a module-level name bound to one`,
      failing: strict,
    })),
  ];
  return all.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.at - b.at));
}

export function main(argv: readonly string[], out: Output): number {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      env: { type: "string" },
      dags: { type: "string" },
      strict: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "config-dir": { type: "string" },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`, 2);
  if (!values.env) throw new CliError(`--env <environment> is required\n\n${USAGE}`, 2);
  if (!values.dags) throw new CliError(`--dags <dir> is required\n\n${USAGE}`, 2);
  const dags = path.resolve(values.dags);
  if (!fs.existsSync(dags) || !fs.statSync(dags).isDirectory()) throw new CliError(`--dags: no such folder: ${values.dags}`, 2);
  const config = cliEnvironment(values.env, values["config-dir"] ?? ENVIRONMENTS_DIR, { invalidExitCode: 2 });

  let scan: DagQueueScan;
  try {
    scan = scanDagQueues(dags);
  } catch (error) {
    if (error instanceof DagScanError) throw new CliError(error.message, 2);
    throw error;
  }
  const strict = values.strict;
  const found = findings(config, scan, strict);
  const failing = found.filter((f) => f.failing);
  const ok = failing.length === 0;

  if (values.json) {
    const report = {
      environment: config.name,
      dags,
      strict,
      pools: config.workerPools.map((pool) => ({ name: pool.name, queues: pool.queues })),
      files: scan.files,
      usages: scan.usages.map((u) => ({ ...u, pool: poolOf(config, u.queue) ?? null })),
      unchecked: scan.unchecked,
      errors: scan.errors,
      problems: failing.map((f) => f.line),
      ok,
    };
    out.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const warnings = found.length - failing.length;
    out.stdout(found.map((f) => `${f.line}\n`).join(""));
    out.stdout(
      `${config.name}: ${plural(scan.files.length, "DAG file")}, ${plural(scan.usages.length, "queue usage")}: ` +
        `${plural(failing.length, "problem")}${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""}\n`,
    );
  }
  return ok ? 0 : 1;
}

if (require.main === module) runAsProcess(main);
