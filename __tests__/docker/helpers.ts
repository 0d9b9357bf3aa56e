import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The image's build context. */
export const DOCKER_DIR = path.resolve(__dirname, "..", "..", "docker");
export const SCRIPTS_DIR = path.join(DOCKER_DIR, "scripts");
export const ENTRYPOINT = path.join(SCRIPTS_DIR, "entrypoint.sh");
/** docker/config mirrors /opt/airflow/config of the image: the `airflow_ecs` package lives there. */
export const PYTHON_PATH = path.join(DOCKER_DIR, "config");
export const PYTHON_TESTS_DIR = path.join(__dirname, "python");

/** Every file under `dir` (recursively) whose path passes `keep`, sorted, skipping Python byte-code caches. */
export function filesUnder(dir: string, keep: (file: string) => boolean = () => true): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__pycache__") found.push(...filesUnder(full, keep));
    } else if (keep(full)) {
      found.push(full);
    }
  }
  return found.sort();
}

export function read(file: string): string {
  return fs.readFileSync(file, "utf8");
}

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Instructions with continuation lines joined and comment lines dropped (as the Dockerfile frontend does). */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const current = pending ?? { text: "", line: index + 1 };
    const continued = trimmed.endsWith("\\");
    current.text += `${continued ? trimmed.slice(0, -1) : trimmed} `;
    pending = continued ? current : undefined;
    if (!continued) {
      const [, keyword, args] = /^(\S+)\s*(.*)$/s.exec(current.text.trim())!;
      instructions.push({ keyword: keyword.toUpperCase(), args: args.trim(), line: current.line });
    }
  });
  return instructions;
}

/** `NAME=value` pairs of an ARG, ENV or LABEL instruction (values may be single- or double-quoted). */
export function pairs(args: string): [string, string | undefined][] {
  return [...args.matchAll(/([A-Za-z0-9_.-]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S+))?/g)].map((match) => [
    match[1],
    match[2] === undefined ? undefined : match[2].replace(/^(["'])(.*)\1$/s, "$2"),
  ]);
}

const tempDirs: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirs` (call it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `airflow-ecs-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Environment for python3 runs: the image's package importable, no __pycache__ written into the repository. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", PYTHONPATH: PYTHON_PATH, PYTHONDONTWRITEBYTECODE: "1", ...extra };
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion with exactly `env` (nothing inherited). Without `input`, stdin is /dev/null: on a
 * socket (Node's pipes are socket pairs) `bash -c` takes itself for an rshd session and sources ~/.bashrc.
 */
export function runSync(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Run {
  const stdin = input === undefined ? "ignore" : "pipe";
  const result = spawnSync(command, args, { env, input, stdio: [stdin, "pipe", "pipe"], encoding: "utf8", timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command without blocking the event loop (needed when the test itself serves HTTP to it). */
export function runAsync(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function writeExecutable(file: string, text: string): string {
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

/**
 * A stand-in for the official image's /entrypoint. By default it prints one line recording its PID, arguments and
 * environment (read back by `officialEntrypointRecord`), then, when FAKE_ENTRYPOINT_WAIT_FOR names a file, keeps
 * running (as a worker would) until that file exists. With FAKE_ENTRYPOINT_MODE=passthrough it behaves like the real
 * one for a first argument `bash` (exec bash with the rest), which is how the migrate component runs migrate.sh.
 * A bash script: the ~50 runs of the suite cost a Python start each otherwise (~0.1 s of CPU). The environment is
 * read from /proc/<pid>/environ, what the process was started with (bash's own `env` would add SHLVL, PWD and `_`).
 */
export function fakeOfficialEntrypoint(dir: string): string {
  return writeExecutable(
    path.join(dir, "official-entrypoint"),
    `#!/usr/bin/env bash
if [[ \${FAKE_ENTRYPOINT_MODE:-} == passthrough && \${1:-} == bash ]]; then
    exec "$@"
fi
# PID, argument count, arguments, then the environment: NUL-terminated fields, base64 on one line.
{ printf '%s\\0' "$$" "$#" "$@"; cat "/proc/$$/environ"; } | base64 -w0
echo
if [[ -n \${FAKE_ENTRYPOINT_WAIT_FOR:-} ]]; then
    deadline=$((SECONDS + 30))
    while [[ ! -e \${FAKE_ENTRYPOINT_WAIT_FOR} ]] && ((SECONDS < deadline)); do sleep 0.05; done
fi
`,
  );
}

/**
 * A fake `airflow` CLI for the entrypoint tests. Every call is appended to $FAKE_AIRFLOW_LOG (one line of
 * arguments). Behaviour, from the environment: FAKE_DB_CHECK_FAILURES (failures before `db check` succeeds; "always"
 * never succeeds), FAKE_MIGRATE_EXIT, FAKE_USERS_LIST_FILE (printed by `users list`), FAKE_USERS_LIST_EXIT,
 * FAKE_USERS_CREATE_EXIT, FAKE_POOLS_SET_EXIT, FAKE_DROP_ARCHIVED_EXIT, FAKE_DB_CLEAN_EXIT and FAKE_DB_CLEAN_HOLD (a file: `db clean` creates `<file>.started`, then
 * waits until the file exists, so a test can look at the database while the clean runs). `db clean` also records the
 * command line of its parent process in `<log>.db-clean-parent` (what wraps it).
 */
export function fakeAirflow(binDir: string): string {
  return writeExecutable(
    path.join(binDir, "airflow"),
    `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"\${FAKE_AIRFLOW_LOG:?}"
case "$1 $2" in
  "db check")
    count_file="\${FAKE_AIRFLOW_LOG}.db-check-count"
    count=$(( $(cat "$count_file" 2>/dev/null || echo 0) + 1 ))
    echo "$count" >"$count_file"
    if [[ \${FAKE_DB_CHECK_FAILURES:-0} == always ]] || (( count <= \${FAKE_DB_CHECK_FAILURES:-0} )); then
      echo "Traceback (most recent call last):" >&2
      echo 'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "db.internal" (10.0.1.5), port 5432 failed: Connection refused' >&2
      echo "(Background on this error at: https://sqlalche.me/e/20/e3q8)" >&2
      exit 1
    fi
    echo "Connection successful." ;;
  "db migrate")
    echo "Migrating the metadata database"
    exit "\${FAKE_MIGRATE_EXIT:-0}" ;;
  "users list")
    [[ -n \${FAKE_USERS_LIST_FILE:-} ]] && cat "$FAKE_USERS_LIST_FILE"
    exit "\${FAKE_USERS_LIST_EXIT:-0}" ;;
  "users create")
    exit "\${FAKE_USERS_CREATE_EXIT:-0}" ;;
  "pools set")
    exit "\${FAKE_POOLS_SET_EXIT:-0}" ;;
  "db clean")
    tr '\\0' ' ' </proc/$PPID/cmdline >"\${FAKE_AIRFLOW_LOG}.db-clean-parent"
    if [[ -n \${FAKE_DB_CLEAN_HOLD:-} ]]; then
      touch "\${FAKE_DB_CLEAN_HOLD}.started"
      while [[ ! -e \${FAKE_DB_CLEAN_HOLD} ]]; do sleep 0.05; done
    fi
    exit "\${FAKE_DB_CLEAN_EXIT:-0}" ;;
  "db drop-archived")
    exit "\${FAKE_DROP_ARCHIVED_EXIT:-0}" ;;
esac
`,
  );
}

/** The lines of the fake airflow's call log (empty when it was never called). */
export function airflowCalls(log: string): string[] {
  return fs.existsSync(log) ? read(log).trim().split("\n").filter(Boolean) : [];
}

/** Parses the record the fake official entrypoint prints (its last line of output). */
export function officialEntrypointRecord(stdout: string): { pid: number; args: string[]; env: Record<string, string> } {
  const line = stdout.trim().split("\n").pop() ?? "";
  const [pid, count, ...rest] = Buffer.from(line, "base64").toString("utf8").split("\0");
  const args = rest.slice(0, Number(count));
  const variables = rest.slice(Number(count), -1).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]);
  return { pid: Number(pid), args, env: Object.fromEntries(variables) };
}

/** A container stand-in: a work dir, a bin dir holding the fake `airflow`, the fake official entrypoint and its call log. */
export interface FakeContainer {
  readonly workDir: string;
  readonly binDir: string;
  readonly official: string;
  readonly airflowLog: string;
}

export function fakeContainer(prefix: string): FakeContainer {
  const workDir = tempDir(prefix);
  const binDir = path.join(workDir, "bin");
  fs.mkdirSync(binDir);
  fakeAirflow(binDir);
  return { workDir, binDir, official: fakeOfficialEntrypoint(workDir), airflowLog: path.join(workDir, "airflow-calls.log") };
}
