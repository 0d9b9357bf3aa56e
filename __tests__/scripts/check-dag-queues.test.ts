import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../config/project-root";
import { main, USAGE } from "../../scripts/check-dag-queues";
import { checkDagQueues, DAG_QUEUES_SCANNER, DagScanError, scanDagQueues, type DagQueueScan } from "../../scripts/lib/dag-queues";
import { runTool, toolError } from "../support/cli";
import { repoEnvironment, repoEnvironments } from "../support/synth";
import { temporaryDirectory } from "../support/temp";

const FIXTURES = path.join(__dirname, "fixtures", "dag-queues");
const fixture = (name: string) => path.join(FIXTURES, name);
const run = (argv: string[]) => runTool(main, argv);
/** Each fixture folder is scanned once (every scan starts a python3). */
const scans = new Map<string, DagQueueScan>();
const scanFixture = (name: string): DagQueueScan => scans.get(name) ?? scans.set(name, scanDagQueues(fixture(name))).get(name)!;
const runError = (argv: string[]) => toolError(main, argv);

/** A DAG folder holding `files` (path → text). */
function dagFolder(files: Record<string, string>): string {
  const dir = temporaryDirectory("dag-queues-");
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const DEV_POOLS = "pools: default: default; heavy: heavy";
const PROD_POOLS = "pools: default: default; heavy: heavy, ml";

describe("scanDagQueues: the queues DAG files use, found with Python's parser", () => {
  it("runs the scanner kept next to the sources (also when the tool runs from dist/)", () => {
    expect(DAG_QUEUES_SCANNER).toBe(path.join(projectRoot(), "scripts", "lib", "dag_queues.py"));
    expect(fs.existsSync(DAG_QUEUES_SCANNER)).toBe(true);
  });

  it("finds queue= keyword arguments of any call: task decorators and operators", () => {
    // GIVEN etl.py with @task(queue="default") and BashOperator(..., queue="heavy")
    // WHEN scanned
    const scan = scanFixture("consumed");
    // THEN both are found with their lines
    expect(scan.usages.filter((u) => u.file === "etl.py")).toEqual([
      { file: "etl.py", line: 7, queue: "default" },
      { file: "etl.py", line: 11, queue: "heavy" },
    ]);
  });

  it('finds "queue" entries of dict literals (default_args)', () => {
    // GIVEN reports.py whose default_args put every task on the heavy queue
    const scan = scanFixture("consumed");
    // THEN the dict entry is a usage
    expect(scan.usages.filter((u) => u.file === "reports.py")).toEqual([{ file: "reports.py", line: 7, queue: "heavy" }]);
  });

  it("resolves names bound at module level to a string constant (plain and annotated assignments)", () => {
    // GIVEN constants.py: DEFAULT_QUEUE = "default", HEAVY_QUEUE: str = "heavy", used in dict(queue=...), default_args and @task
    const scan = scanFixture("consumed");
    // THEN each use is the constant's value, at the line of the use
    expect(scan.usages.filter((u) => u.file === "constants.py")).toEqual([
      { file: "constants.py", line: 6, queue: "default" },
      { file: "constants.py", line: 8, queue: "heavy" },
      { file: "constants.py", line: 14, queue: "heavy" },
    ]);
    expect(scan.unchecked).toEqual([]);
    expect(scan.errors).toEqual([]);
  });

  it("scans .py files in nested folders and ignores every other file", () => {
    // GIVEN a folder with a nested DAG and README.md, .sql, .yaml and .py.orig files mentioning queue="nowhere"
    const scan = scanFixture("consumed");
    // THEN only the .py files are scanned, sorted by path, and no "nowhere" usage is found
    expect(scan.files).toEqual(["constants.py", "etl.py", "reports.py", "teams/finance/ledger.py"]);
    expect(scan.usages.filter((u) => u.file === "teams/finance/ledger.py")).toEqual([{ file: "teams/finance/ledger.py", line: 6, queue: "default" }]);
    expect(scan.usages.map((u) => u.queue)).not.toContain("nowhere");
  });

  it("skips byte-code caches and hidden folders (a virtualenv or .git of a checkout)", () => {
    // GIVEN a DAG next to __pycache__/, .venv/ and a .pyc file
    const dir = dagFolder({
      "dag.py": 'task(queue="default")\n',
      "__pycache__/dag.cpython-312.py": 'task(queue="cached")\n',
      ".venv/lib/site.py": 'task(queue="venv")\n',
      "dag.pyc": "not python",
    });
    // THEN only dag.py is scanned
    const scan = scanDagQueues(dir);
    expect([scan.files, scan.usages]).toEqual([["dag.py"], [{ file: "dag.py", line: 1, queue: "default" }]]);
  });

  it("reports every other queue value as unchecked, with its line and source text", () => {
    // GIVEN dynamic.py: a parameter, an f-string, an attribute of an imported module, a call, a name bound to a call
    const scan = scanFixture("unchecked");
    // THEN those are unchecked and only the literal is a usage
    expect(scan.unchecked).toEqual([
      { file: "dynamic.py", line: 15, expression: "queue" },
      { file: "dynamic.py", line: 24, expression: 'f"team-{TEAM}"' },
      { file: "dynamic.py", line: 28, expression: "settings.HEAVY_QUEUE" },
      { file: "dynamic.py", line: 32, expression: "queue_for(TEAM)" },
      { file: "dynamic.py", line: 36, expression: "TEAM" },
    ]);
    expect(scan.usages).toEqual([{ file: "dynamic.py", line: 40, queue: "default" }]);
  });

  it("follows Python's scoping: a name is the module constant only where it refers to it", () => {
    // GIVEN module constants shadowed, rebound or declared in ways that change what a use refers to
    const dir = dagFolder({
      "scopes.py": [
        'HEAVY = "heavy"', // 1
        'TWICE = "a"', // 2
        'TWICE = "b"', // 3
        'SAME = "same"', // 4
        'SAME = "same"', // 5
        'REBOUND = "x"', // 6
        "def rebind():", // 7
        "    global REBOUND", // 8
        '    REBOUND = "y"', // 9
        "def local():", // 10
        '    HEAVY = "light"', // 11
        "    task(queue=HEAVY)", // 12
        "    def inner():", // 13
        "        task(queue=HEAVY)", // 14
        "def uses_global():", // 15
        "    task(queue=HEAVY)", // 16
        "class Config:", // 17
        '    HEAVY = "class"', // 18
        "    task(queue=HEAVY)", // 19
        "    def method(self):", // 20
        "        task(queue=HEAVY)", // 21
        "task(queue=TWICE)", // 22
        "task(queue=SAME)", // 23
        "task(queue=REBOUND)", // 24
        '[task(queue=HEAVY) for HEAVY in ["c"]]', // 25
        "task(queue=UNDEFINED)", // 26
        "",
      ].join("\n"),
    });
    // WHEN scanned
    const scan = scanDagQueues(dir);
    // THEN the module constant is used where no local binding hides it (a class body is no scope for its methods)
    expect(scan.usages).toEqual([
      { file: "scopes.py", line: 16, queue: "heavy" },
      { file: "scopes.py", line: 21, queue: "heavy" },
      { file: "scopes.py", line: 23, queue: "same" },
    ]);
    expect(scan.unchecked.map((u) => `${u.line} ${u.expression}`)).toEqual([
      "12 HEAVY",
      "14 HEAVY",
      "19 HEAVY",
      "22 TWICE",
      "24 REBOUND",
      "25 HEAVY",
      "26 UNDEFINED",
    ]);
  });

  it("reports a file that does not parse with the SyntaxError's line and message, and scans the others", () => {
    // GIVEN broken.py with an unexpected indent on line 8, next to fine.py
    const scan = scanFixture("syntax-error");
    // THEN the error names file, line and message; fine.py is still scanned
    expect(scan.errors).toEqual([{ file: "broken.py", line: 8, message: "IndentationError: unexpected indent" }]);
    expect(scan.usages).toEqual([{ file: "fine.py", line: 6, queue: "gpu" }]);
  });

  it("refuses what is not a folder", () => {
    expect(() => scanDagQueues(path.join(FIXTURES, "missing"))).toThrow(new DagScanError(`not a folder: ${path.join(FIXTURES, "missing")}`));
  });
});

describe("checkDagQueues: usages against an environment's worker pools", () => {
  it("returns the usages no pool consumes, each with its message naming the pools", () => {
    // GIVEN usages on default, ml and gpu
    const usages = [
      { file: "a.py", line: 1, queue: "default" },
      { file: "a.py", line: 2, queue: "ml" },
      { file: "b/c.py", line: 3, queue: "gpu" },
    ];
    // WHEN checked against dev (default, heavy) and prod (default, heavy + ml)
    // THEN dev misses ml and gpu, prod only gpu
    expect(checkDagQueues(repoEnvironment("dev"), usages)).toEqual([
      { file: "a.py", line: 2, queue: "ml", message: `a.py:2: queue "ml" is not consumed by any worker pool of dev; ${DEV_POOLS}` },
      { file: "b/c.py", line: 3, queue: "gpu", message: `b/c.py:3: queue "gpu" is not consumed by any worker pool of dev; ${DEV_POOLS}` },
    ]);
    expect(checkDagQueues(repoEnvironment("prod"), usages).map((p) => p.message)).toEqual([
      `b/c.py:3: queue "gpu" is not consumed by any worker pool of prod; ${PROD_POOLS}`,
    ]);
  });
});

describe("npm run check-dag-queues", () => {
  it.each(repoEnvironments().map((c) => c.name))("passes a folder whose queues %s consumes", (env) => {
    // GIVEN keyword, default_args and constant usages of default and heavy, in nested folders
    // WHEN checked THEN it exits 0 with the summary only
    expect(run(["--env", env, "--dags", fixture("consumed")])).toEqual({ code: 0, stdout: `${env}: 4 DAG files, 7 queue usages: 0 problems\n`, stderr: "" });
  });

  it("fails on queues the environment's pools do not consume, one line per usage in file and line order", () => {
    // GIVEN DAGs on ml (only prod consumes it) and gpu (nobody does), one of them nested
    // WHEN checked against dev
    const result = run(["--env", "dev", "--dags", fixture("unconsumed")]);
    // THEN each unconsumed usage is a problem and the exit code is 1
    expect(result).toEqual({
      code: 1,
      stdout: [
        `teams/research/evaluate.py:6: queue "ml" is not consumed by any worker pool of dev; ${DEV_POOLS}`,
        `training.py:6: queue "ml" is not consumed by any worker pool of dev; ${DEV_POOLS}`,
        `training.py:12: queue "gpu" is not consumed by any worker pool of dev; ${DEV_POOLS}`,
        "dev: 2 DAG files, 4 queue usages: 3 problems",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("checks against the named environment's pools only (prod consumes ml)", () => {
    const result = run(["--env", "prod", "--dags", fixture("unconsumed")]);
    expect([result.code, result.stdout]).toEqual([
      1,
      `training.py:12: queue "gpu" is not consumed by any worker pool of prod; ${PROD_POOLS}\nprod: 2 DAG files, 4 queue usages: 1 problem\n`,
    ]);
  });

  it("warns about queues it cannot check, and passes", () => {
    // GIVEN computed queue values WHEN checked without --strict THEN they are warnings and the exit code is 0
    const reason = "cannot be checked: not a string constant or a module-level name bound to one";
    expect(run(["--env", "dev", "--dags", fixture("unchecked")])).toEqual({
      code: 0,
      stdout: [
        `dynamic.py:15: warning: queue queue ${reason}`,
        `dynamic.py:24: warning: queue f"team-{TEAM}" ${reason}`,
        `dynamic.py:28: warning: queue settings.HEAVY_QUEUE ${reason}`,
        `dynamic.py:32: warning: queue queue_for(TEAM) ${reason}`,
        `dynamic.py:36: warning: queue TEAM ${reason}`,
        "dev: 2 DAG files, 1 queue usage: 0 problems, 5 warnings",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("--strict fails on queues it cannot check", () => {
    // GIVEN the same folder WHEN checked with --strict THEN every unchecked value is an error and the exit code is 1
    const result = run(["--env", "dev", "--dags", fixture("unchecked"), "--strict"]);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")).toEqual([
      "dynamic.py:15: error: queue queue cannot be checked: not a string constant or a module-level name bound to one",
      'dynamic.py:24: error: queue f"team-{TEAM}" cannot be checked: not a string constant or a module-level name bound to one',
      "dynamic.py:28: error: queue settings.HEAVY_QUEUE cannot be checked: not a string constant or a module-level name bound to one",
      "dynamic.py:32: error: queue queue_for(TEAM) cannot be checked: not a string constant or a module-level name bound to one",
      "dynamic.py:36: error: queue TEAM cannot be checked: not a string constant or a module-level name bound to one",
      "dev: 2 DAG files, 1 queue usage: 5 problems",
      "",
    ]);
    // AND a folder without unchecked values passes --strict
    expect(run(["--env", "dev", "--dags", fixture("consumed"), "--strict"]).code).toBe(0);
  });

  it("fails on a file that does not parse, and still checks the others", () => {
    // GIVEN broken.py (unexpected indent) and fine.py on the gpu queue
    const result = run(["--env", "dev", "--dags", fixture("syntax-error")]);
    // THEN both are problems
    expect(result).toEqual({
      code: 1,
      stdout: [
        "broken.py:8: cannot parse: IndentationError: unexpected indent",
        `fine.py:6: queue "gpu" is not consumed by any worker pool of dev; ${DEV_POOLS}`,
        "dev: 2 DAG files, 1 queue usage: 2 problems",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("--json prints the scan, each usage with the pool consuming it, and the problems", () => {
    // GIVEN the unconsumed fixture WHEN checked against prod with --json
    const result = run(["--env", "prod", "--dags", fixture("unconsumed"), "--json"]);
    // THEN the document carries everything, and the exit code still tells the outcome
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      environment: "prod",
      dags: fixture("unconsumed"),
      strict: false,
      pools: [
        { name: "default", queues: ["default"] },
        { name: "heavy", queues: ["heavy", "ml"] },
      ],
      files: ["teams/research/evaluate.py", "training.py"],
      usages: [
        { file: "teams/research/evaluate.py", line: 6, queue: "ml", pool: "heavy" },
        { file: "training.py", line: 6, queue: "ml", pool: "heavy" },
        { file: "training.py", line: 12, queue: "gpu", pool: null },
        { file: "training.py", line: 16, queue: "default", pool: "default" },
      ],
      unchecked: [],
      errors: [],
      problems: [`training.py:12: queue "gpu" is not consumed by any worker pool of prod; ${PROD_POOLS}`],
      ok: false,
    });
  });

  it("accepts a relative --dags folder", () => {
    const relative = path.relative(process.cwd(), fixture("consumed"));
    expect(run(["--env", "dev", "--dags", relative]).code).toBe(0);
  });

  describe("usage errors exit 2 with a message", () => {
    it.each([
      [[], `--env <environment> is required\n\n${USAGE}`],
      [["--env", "dev"], `--dags <dir> is required\n\n${USAGE}`],
      [["--dags", "dags"], `--env <environment> is required\n\n${USAGE}`],
      [["--env", "dev", "--dags", "dags", "extra"], `unexpected argument "extra"\n\n${USAGE}`],
      [
        ["--env", "dev", "--dags", "dags", "--nope"],
        `Unknown option '--nope'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "--nope"\n\n${USAGE}`,
      ],
    ])("%j", (argv, message) => {
      const error = runError(argv);
      expect([error.exitCode, error.message]).toEqual([2, message]);
    });

    it("an unknown environment names the available ones", () => {
      const error = runError(["--env", "staging", "--dags", fixture("consumed")]);
      expect([error.exitCode, error.message]).toEqual([2, 'unknown environment "staging"; available environments: dev, prod, test, uat']);
    });

    it("a missing DAG folder", () => {
      const error = runError(["--env", "dev", "--dags", path.join(FIXTURES, "missing")]);
      expect([error.exitCode, error.message]).toEqual([2, `--dags: no such folder: ${path.join(FIXTURES, "missing")}`]);
    });
  });
});
