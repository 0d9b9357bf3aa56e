import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseYaml, type YamlValue } from "./yaml";

/** The repository's GitHub Actions workflows, as text and parsed. */
export const WORKFLOWS_DIR = path.join(__dirname, "..", "..", "..", ".github", "workflows");

export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, YamlValue>;
  readonly env?: Record<string, YamlValue>;
  readonly "working-directory"?: string;
}

export interface Job {
  readonly name?: string;
  readonly "runs-on"?: string;
  readonly uses?: string;
  readonly with?: Record<string, YamlValue>;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; "cancel-in-progress": boolean };
  readonly strategy?: { "fail-fast"?: boolean; matrix?: Record<string, YamlValue> };
  readonly env?: Record<string, YamlValue>;
  readonly steps?: Step[];
  readonly outputs?: Record<string, string>;
  readonly "timeout-minutes"?: number;
}

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly name: string;
  readonly on: Record<string, any>;
  readonly permissions?: Record<string, string>;
  readonly env?: Record<string, YamlValue>;
  readonly jobs: Record<string, Job>;
}

export function loadWorkflows(): Workflow[] {
  return fs
    .readdirSync(WORKFLOWS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
      return { file, text, ...(parseYaml(text) as object) } as Workflow;
    });
}

export function workflow(file: string): Workflow {
  const found = loadWorkflows().find((w) => w.file === file);
  if (!found) throw new Error(`no workflow ${file}`);
  return found;
}

/** Every step of every job, with where it is. */
export function allSteps(workflows: readonly Workflow[]): { workflow: string; job: string; step: Step }[] {
  return workflows.flatMap((w) => Object.entries(w.jobs).flatMap(([job, j]) => (j.steps ?? []).map((step) => ({ workflow: w.file, job, step }))));
}

export function stepNamed(job: Job, name: string): Step {
  const step = (job.steps ?? []).find((s) => s.name === name);
  if (!step) throw new Error(`no step "${name}"`);
  return step;
}

/** The machine's jq, if it has one (the stand-in below hands it the queries it accepts). */
const REAL_JQ = (process.env.PATH ?? "")
  .split(path.delimiter)
  .map((dir) => path.join(dir, "jq"))
  .find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return spawnSync(file, ["-n", "1"], { encoding: "utf8" }).stdout.trim() === "1";
    } catch {
      return false;
    }
  });

/** A sandbox that runs a workflow's `run:` script the way GitHub does (`bash --noprofile --norc -eo pipefail`). */
export class StepSandbox {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-workflow-step-"));
  readonly runnerTemp = path.join(this.dir, "runner-temp");
  readonly workspace = path.join(this.dir, "workspace");
  private readonly bin = path.join(this.dir, "bin");
  readonly terraformLog = path.join(this.dir, "terraform.log");

  constructor() {
    for (const d of [this.runnerTemp, this.workspace, this.bin]) fs.mkdirSync(d, { recursive: true });
    // A terraform stand-in: logs each call; `show -json` prints an empty plan; fails where FAIL_STACK/FAIL_COMMAND say.
    this.executable(
      "terraform",
      [
        "#!/usr/bin/env bash",
        'echo "$*" >> "$FAKE_TERRAFORM_LOG"',
        // The stack is the -chdir directory's last component (parameter expansion: no basename process per call).
        'stack="${1#-chdir=}"; stack="${stack%/}"; stack="${stack##*/}"',
        'if [ "$stack" = "${FAIL_STACK:-}" ] && [ "$2" = "${FAIL_COMMAND:-}" ]; then echo "Error: simulated failure" >&2; exit 1; fi',
        'if [ "$2" = "show" ]; then echo \'{"format_version":"1.2","resource_changes":[]}\'; fi',
      ].join("\n"),
    );
    // jq is on GitHub's runners but need not be here: this stand-in answers `-r <path>`, a path being `.key` steps,
    // each optionally iterated with `[]` (`.stacks[]`, `.image.pythonVersion`, `.dagDelivery.bundles[].name`); null
    // prints as `null`, iterating a non-array fails, as with jq. A query of that shape goes to the machine's real jq
    // when it has one (with -c: objects on one line, as the Node fallback prints them), which starts in a
    // millisecond where Node takes a tenth of a second.
    const jq = `const [q, f] = process.argv.slice(1); let vs = [JSON.parse(require("fs").readFileSync(f, "utf8"))]; for (const m of q.matchAll(/\\.(\\w+)(\\[\\])?/g)) { vs = vs.map((v) => (v === null || v === undefined ? null : v[m[1]])); if (m[2]) vs = vs.flatMap((v) => { if (!Array.isArray(v)) { console.error("jq stand-in: cannot iterate over " + JSON.stringify(v)); process.exit(5); } return v; }); } for (const x of vs) console.log(x === null || x === undefined ? "null" : typeof x === "object" ? JSON.stringify(x) : x)`;
    this.executable(
      "jq",
      [
        "#!/usr/bin/env bash",
        `if [ "$#" -eq 3 ] && [ "$1" = "-r" ] && [[ "$2" =~ ^(\\.[A-Za-z]+(\\[\\])?)+$ ]]; then`,
        ...(REAL_JQ ? [`  exec ${JSON.stringify(REAL_JQ)} -c -r "$2" "$3"`] : []),
        `  exec ${JSON.stringify(process.execPath)} -e '${jq}' "$2" "$3"`,
        "fi",
        'echo "jq stand-in: unsupported query: $*" >&2',
        "exit 2",
      ].join("\n"),
    );
    // An npm stand-in: logs `npm <args>` into the same log (so the order against Terraform calls shows); FAIL_NPM fails it.
    this.executable(
      "npm",
      [
        "#!/usr/bin/env bash",
        'echo "npm $*" >> "$FAKE_TERRAFORM_LOG"',
        'if [ -n "${FAIL_NPM:-}" ]; then echo "Error: simulated npm failure" >&2; exit 1; fi',
      ].join("\n"),
    );
  }

  private executable(name: string, text: string): void {
    fs.writeFileSync(path.join(this.bin, name), `${text}\n`, { mode: 0o755 });
  }

  /** Puts a stand-in for `name` first on the PATH: a bash script of `lines` (log calls to "$FAKE_TERRAFORM_LOG"). */
  fake(name: string, lines: readonly string[]): void {
    this.executable(name, ["#!/usr/bin/env bash", ...lines].join("\n"));
  }

  /** Runs `script` in the workspace, or in `cwd` (a step's `working-directory`, relative to the workspace). */
  run(script: string, env: Record<string, string> = {}, cwd = "."): { code: number; stdout: string; stderr: string } {
    const file = path.join(this.dir, "step.sh");
    fs.writeFileSync(file, script);
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
      cwd: path.resolve(this.workspace, cwd),
      encoding: "utf8",
      env: {
        PATH: `${this.bin}:${process.env.PATH}`,
        HOME: this.dir,
        RUNNER_TEMP: this.runnerTemp,
        GITHUB_OUTPUT: path.join(this.dir, "github-output"),
        GITHUB_ENV: path.join(this.dir, "github-env"),
        GITHUB_STEP_SUMMARY: path.join(this.dir, "step-summary"),
        FAKE_TERRAFORM_LOG: this.terraformLog,
        ...env,
      },
    });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Every Terraform and npm call, in order. */
  calls(): string[] {
    return fs.existsSync(this.terraformLog) ? fs.readFileSync(this.terraformLog, "utf8").trimEnd().split("\n") : [];
  }

  terraformCalls(): string[] {
    return this.calls().filter((c) => !c.startsWith("npm "));
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
