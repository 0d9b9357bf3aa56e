import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./project-root";
import { ENVIRONMENT_SPEC } from "./environment-spec";
import type { EnvironmentConfig } from "./schema";
import { checkShape, describeValue, type FieldIssue } from "./spec/check";
import { completeConfig, deepFreeze } from "./spec/defaults";
import { validateEnvironment, validateEnvironmentSet } from "./validate";

/** Thrown before anything is synthesized when an environment file is unreadable or invalid. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment configuration (nothing was synthesized):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export const ENVIRONMENTS_DIR = path.join(projectRoot(), "config", "environments");

/**
 * Parses, defaults and validates one environment file's text. `file` is used in messages (and its base name must
 * equal the environment's `name`). Throws ConfigError listing every problem found.
 */
export function parseEnvironment(file: string, text: string): EnvironmentConfig {
  const where = (issue: FieldIssue, env?: string) =>
    `${file}: ${env ? `environment "${env}": ` : ""}${issue.path || "(file)"} = ${describeValue(issue.value)} ${issue.problem}`;

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${file}: is not valid JSON: ${describeJsonError(text, error as Error)}`]);
  }
  const envName = typeof (raw as { name?: unknown })?.name === "string" ? (raw as { name: string }).name : undefined;

  const shapeIssues: FieldIssue[] = [];
  checkShape(ENVIRONMENT_SPEC, raw, "", shapeIssues);
  const expectedName = path.basename(file, ".json");
  if (envName !== undefined && envName !== expectedName) {
    shapeIssues.push({ path: "name", value: envName, problem: `differs from the file name; expected "${expectedName}"` });
  }
  if (shapeIssues.length > 0) throw new ConfigError(shapeIssues.map((issue) => where(issue, envName)));

  const config = completeConfig(ENVIRONMENT_SPEC, raw);
  const issues = validateEnvironment(config);
  if (issues.length > 0) throw new ConfigError(issues.map((issue) => where(issue, config.name)));
  return deepFreeze(config);
}

function describeJsonError(text: string, error: Error): string {
  const match = /position (\d+)/.exec(error.message);
  if (!match) return error.message;
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split("\n");
  return `${error.message.replace(/ in JSON at position \d+.*$/, "")} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Names of the environment files in `dir` (sorted; none when the folder is missing). */
export function environmentNames(dir = ENVIRONMENTS_DIR): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => path.basename(f, ".json"))
        .sort()
    : [];
}

/** Reads and validates one environment from `dir`. */
export function loadEnvironment(name: string, dir = ENVIRONMENTS_DIR): EnvironmentConfig {
  return loadEnvironments(dir, [name])[0];
}

/**
 * Reads and validates the named environments (all `*.json` files in `dir` when `names` is omitted), reporting the
 * problems of every file together.
 */
export function loadEnvironments(dir = ENVIRONMENTS_DIR, names?: readonly string[]): EnvironmentConfig[] {
  const available = environmentNames(dir);
  const wanted = names ?? available;
  const problems: string[] = [];
  const configs: EnvironmentConfig[] = [];
  for (const name of wanted) {
    const file = path.relative(process.cwd(), path.join(dir, `${name}.json`)) || `${name}.json`;
    if (!available.includes(name)) {
      problems.push(`${file}: no such environment file; available environments: ${available.join(", ") || "(none)"}`);
      continue;
    }
    try {
      configs.push(parseEnvironment(file, fs.readFileSync(path.join(dir, `${name}.json`), "utf8")));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (wanted.length === 0) problems.push(`${dir}: contains no environment files (*.json)`);
  if (problems.length === 0) problems.push(...validateEnvironmentSet(configs));
  if (problems.length > 0) throw new ConfigError(problems);
  return configs;
}
