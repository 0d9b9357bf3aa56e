import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { EnvironmentConfig } from "../../config/schema";
import { projectRoot } from "../../config/project-root";

/**
 * The Celery queues DAG files send tasks to, found exactly with Python's own parser (scripts/lib/dag_queues.py, run
 * with `python3`), and checked against an environment's worker pools: a task on a queue no pool consumes sits queued
 * until Airflow's `[scheduler] task_queued_timeout` fails it.
 */

/** The scanner, next to this file in the sources (also when this module runs from dist/). */
export const DAG_QUEUES_SCANNER = path.join(projectRoot(__dirname), "scripts", "lib", "dag_queues.py");

/** A `queue=` keyword argument or `"queue":` dict entry whose value is a string: directly or through a module constant. */
export interface QueueUsage {
  /** Path relative to the scanned folder, with `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly queue: string;
}

/** A queue value that is not a string constant (f-string, attribute, call, parameter, imported name, ...). */
export interface UncheckedQueue {
  readonly file: string;
  readonly line: number;
  /** The expression's source text (whitespace collapsed). */
  readonly expression: string;
}

/** A file Python cannot parse: the SyntaxError's line and `<type>: <message>`. */
export interface DagFileError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface DagQueueScan {
  /** Every `.py` file scanned (sorted; `__pycache__` and hidden folders skipped). */
  readonly files: readonly string[];
  readonly usages: readonly QueueUsage[];
  readonly unchecked: readonly UncheckedQueue[];
  readonly errors: readonly DagFileError[];
}

/** Thrown when the scan cannot run at all (no python3, not a folder): not a finding about the DAGs. */
export class DagScanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DagScanError";
  }
}

/** Scans every `.py` file under `dir` (recursively) for the queues its tasks use, without importing anything. */
export function scanDagQueues(dir: string, python = "python3"): DagQueueScan {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DagScanError(`not a folder: ${dir}`);
  // -I: isolated (no PYTHON* variables, no user site-packages, nothing imported from the scanned folder).
  const result = spawnSync(python, ["-I", DAG_QUEUES_SCANNER, dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new DagScanError(`cannot run ${python} to scan DAG files: ${result.error.message}`);
  if (result.status !== 0) throw new DagScanError(`the DAG queue scanner failed (${python} exited ${result.status ?? result.signal}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as DagQueueScan;
}

/** A queue usage no worker pool of the environment consumes. */
export interface QueueProblem extends QueueUsage {
  readonly message: string;
}

/** `default: default; heavy: heavy, ml` */
export function describePools(config: Pick<EnvironmentConfig, "workerPools">): string {
  return config.workerPools.map((pool) => `${pool.name}: ${pool.queues.join(", ")}`).join("; ");
}

/** The pool consuming `queue` in the environment, if any (a queue belongs to at most one pool). */
export function poolOf(config: Pick<EnvironmentConfig, "workerPools">, queue: string): string | undefined {
  return config.workerPools.find((pool) => pool.queues.includes(queue))?.name;
}

/** The usages whose queue no worker pool of the environment consumes, each with its one-line message. */
export function checkDagQueues(config: Pick<EnvironmentConfig, "name" | "workerPools">, usages: readonly QueueUsage[]): QueueProblem[] {
  const pools = describePools(config);
  return usages
    .filter((usage) => poolOf(config, usage.queue) === undefined)
    .map((usage) => ({
      ...usage,
      message: `${usage.file}:${usage.line}: queue ${JSON.stringify(usage.queue)} is not consumed by any worker pool of ${config.name}; pools: ${pools}`,
    }));
}
