// `npm test`: the build, ESLint, the Prettier check and Jest, as one command that fails when any of them fails.
//
// The build (tsc, then the Lambda bundles) must finish before Jest starts: the synthesized stacks embed the bundles
// and some tests load the compiled dist/. ESLint and the Prettier check need neither, so they run alongside the
// build and Jest instead of before them, at a lower CPU priority: Jest's workers and the Terraform processes they
// start come first, the checks fill the moments those wait. Their output is held and printed at the end, then
// one closing line counts Jest's tests.
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function run(name, command, args, { quiet = false, niceness = 0, env = process.env } = {}) {
  const started = Date.now();
  const child = spawn(command, args, { cwd: ROOT, env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
  if (niceness && child.pid) {
    try {
      os.setPriority(child.pid, niceness);
    } catch {
      // Not allowed here: the check simply competes at the same priority.
    }
  }
  let output = "";
  if (quiet) {
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
  }
  return new Promise((resolve) => {
    child.on("error", (error) => resolve({ name, code: 1, output: `${output}${error.message}\n`, seconds: (Date.now() - started) / 1000 }));
    child.on("close", (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }));
  });
}

function report(result) {
  const status = result.code === 0 ? "ok" : `FAILED (exit ${result.code})`;
  process.stdout.write(`\n${result.name}: ${status} in ${result.seconds.toFixed(1)} s\n`);
  if (result.code !== 0 && result.output) process.stdout.write(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
}

async function main() {
  const checks = [
    run("npm run lint", NPM, ["run", "--silent", "lint"], { quiet: true, niceness: 10 }),
    run("npm run format:check", NPM, ["run", "--silent", "format:check"], { quiet: true, niceness: 10 }),
  ];
  const build = await run("npm run build", NPM, ["run", "--silent", "build"]);
  let jest = { name: "jest", code: 1, output: "not run: the build failed", seconds: 0 };
  let counts;
  let slowest = [];
  if (build.code === 0) {
    const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "airflow-jest-")), "results.json");
    // cdktf 0.21 calls util.isArray, deprecated in Node 24 (DEP0044): silenced exactly, as cdktf.json's app command does.
    // Semi-spaces of up to 64 MB (Jest's workers inherit the flag) give a synth's short-lived construct trees room to
    // die young: the files that synthesize took about 12% less CPU, V8's scavenger being the largest cost of its
    // helper threads (measured twice without the Terraform and process tiers; 32 MB gains as much, 128 MB less).
    const jestBin = require.resolve("jest/bin/jest", { paths: [ROOT] });
    const node = ["--disable-warning=DEP0044", "--max-semi-space-size=64"];
    jest = await run("jest", process.execPath, [...node, jestBin, "--ci", "--json", `--outputFile=${results}`], {
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    if (fs.existsSync(results)) {
      const parsed = JSON.parse(fs.readFileSync(results, "utf8"));
      counts = { passed: parsed.numPassedTests, failed: parsed.numFailedTests, skipped: parsed.numPendingTests + parsed.numTodoTests };
      slowest = parsed.testResults
        .map((r) => ({ file: path.relative(ROOT, r.name), seconds: (r.endTime - r.startTime) / 1000 }))
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 8);
      fs.rmSync(path.dirname(results), { recursive: true, force: true });
    }
  }
  const finished = [build, ...(await Promise.all(checks))];
  finished.forEach(report);
  if (build.code === 0) report(jest);
  // Where the time goes, for tuning (npm run bench measures the budget; nothing here is asserted).
  if (slowest.length) process.stdout.write(`\nslowest test files: ${slowest.map((s) => `${s.file} ${s.seconds.toFixed(1)} s`).join(", ")}\n`);
  if (counts) process.stdout.write(`\njest: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ""}\n`);
  process.exit([...finished, jest].find((r) => r.code !== 0)?.code ?? 0);
}

main();
