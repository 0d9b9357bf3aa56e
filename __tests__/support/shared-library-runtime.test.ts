import { spawnSync } from "child_process";
import * as path from "path";

/**
 * The suite's Jest runtime (support/shared-library-runtime.js) evaluates cdktf, constructs and the provider classes
 * once per worker. GIVEN two probe files run one after the other in one worker (a bare Jest configuration: no
 * transform, no global setup) WHEN they run under the suite's runtime THEN the second gets the first one's module
 * objects, the shared cdktf reads the second file's environment, and a token records no creation stack (as the app's
 * synth) while an error's stack is still source-mapped; under Jest's own runtime, the control, the modules differ and
 * the token's creation stack is recorded.
 */
const FIXTURES = path.join(__dirname, "fixtures", "shared-library-runtime");
const JEST = require.resolve("jest/bin/jest");

function runProbes(runtime?: string): { status: number | null; output: string } {
  const config = {
    rootDir: FIXTURES,
    testMatch: ["**/*.probe.js"],
    testSequencer: path.join(FIXTURES, "sequencer.js"),
    transform: {},
    ...(runtime ? { runtime } : {}),
  };
  const result = spawnSync(process.execPath, [JEST, "--ci", "--runInBand", "--config", JSON.stringify(config)], {
    cwd: FIXTURES,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: "" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it("shares the libraries' modules between files, points them at the running file's environment and captures only errors' stacks", () => {
  const { status, output } = runProbes(path.join(__dirname, "shared-library-runtime.js"));
  expect({ status, failed: output.match(/● .*/g) ?? [] }).toEqual({ status: 0, failed: [] });
  expect(output).toMatch(/Tests:\s+4 passed, 4 total/);
});

it("is what makes the difference: under Jest's own runtime the second file gets modules of its own", () => {
  const { status, output } = runProbes();
  expect(status).toBe(1);
  expect(output.match(/● .*/g)).toEqual([
    "● gets the same constructs module as the file before it",
    "● records no creation stack for a token, as the app's synth does, and still source-maps an error's stack",
  ]);
});
