/**
 * Performance budgets, measured (never asserted by timed tests):
 *   - synth of every stack of every environment through cdktf.json's `app` command: <= 0.5 s wall, <= 250 MiB peak RSS
 *   - the full `npm test` (build, lint, format check and every Jest tier, the Terraform apply tier included):
 *     <= 150 s wall on the 2-core machines
 *
 * Usage: npm run bench [-- --synth-only] [-- --runs N]
 * Prints both figures, writes .bench/latest.json and exits 1 when a budget is exceeded.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const BUDGET = { synthSeconds: 0.5, synthMiB: 250, testSeconds: 150 };

interface Sample {
  readonly seconds: number;
  readonly peakMiB?: number;
}

/** Runs a shell command, timing it; peak RSS comes from GNU time when it is installed. */
function measure(command: string, env: NodeJS.ProcessEnv, quiet: boolean): Sample {
  const gnuTime = fs.existsSync("/usr/bin/time");
  const report = path.join(os.tmpdir(), `bench-rss-${process.pid}`);
  const argv = gnuTime ? ["/usr/bin/time", "-f", "%M", "-o", report, "sh", "-c", command] : ["sh", "-c", command];
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: quiet ? ["ignore", "ignore", "pipe"] : "inherit", encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`"${command}" exited with ${result.status}${result.stderr ? `:\n${result.stderr}` : ""}`);
  }
  const peakMiB = gnuTime ? Number(fs.readFileSync(report, "utf8").trim().split("\n").pop()) / 1024 : undefined;
  return { seconds, peakMiB };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 7;
  const synthOnly = args.includes("--synth-only");
  const app = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app as string;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synth-"));
  const env = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };

  measure(app, env, true); // warm the file cache
  const samples = Array.from({ length: runs }, () => measure(app, env, true));
  const stacks = fs.readdirSync(path.join(outdir, "stacks")).length;
  const synth = {
    command: app,
    stacks,
    runs,
    medianSeconds: median(samples.map((s) => s.seconds)),
    maxSeconds: Math.max(...samples.map((s) => s.seconds)),
    peakMiB: samples[0].peakMiB === undefined ? undefined : Math.max(...samples.map((s) => s.peakMiB ?? 0)),
  };
  console.log(
    `synth (${app}, ${stacks} stacks, ${runs} runs): median ${synth.medianSeconds.toFixed(3)} s, max ${synth.maxSeconds.toFixed(3)} s, peak RSS ${synth.peakMiB?.toFixed(0) ?? "n/a (no /usr/bin/time)"} MiB`,
  );
  console.log(`  budget: <= ${BUDGET.synthSeconds} s and <= ${BUDGET.synthMiB} MiB`);

  let test: { seconds: number } | undefined;
  if (!synthOnly) {
    console.log("running npm test ...");
    test = { seconds: measure("npm test --silent", { ...process.env, CHECKPOINT_DISABLE: "1" }, false).seconds };
    console.log(`npm test: ${test.seconds.toFixed(1)} s wall on ${os.cpus().length} cores (budget <= ${BUDGET.testSeconds} s)`);
  }

  fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
  const result = { date: new Date().toISOString(), node: process.version, cores: os.cpus().length, synth, test, budget: BUDGET };
  fs.writeFileSync(path.join(ROOT, ".bench", "latest.json"), `${JSON.stringify(result, null, 2)}\n`);

  const over = [
    synth.medianSeconds > BUDGET.synthSeconds && `synth ${synth.medianSeconds.toFixed(3)} s > ${BUDGET.synthSeconds} s`,
    (synth.peakMiB ?? 0) > BUDGET.synthMiB && `synth peak ${synth.peakMiB?.toFixed(0)} MiB > ${BUDGET.synthMiB} MiB`,
    test && test.seconds > BUDGET.testSeconds && `npm test ${test.seconds.toFixed(1)} s > ${BUDGET.testSeconds} s`,
  ].filter(Boolean);
  if (over.length > 0) {
    console.error(`over budget: ${over.join("; ")}`);
    process.exit(1);
  }
  console.log("within budget");
}

main();
