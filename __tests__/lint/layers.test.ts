import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Lints each case's code as if it were the file at its path (relative to the repository root), with the repository's
 * ESLint config, in one child Node process (ESLint loads eslint.config.mjs through a dynamic import, which Jest's
 * module sandbox cannot run). Returns the layer-rule messages per case.
 */
function layerErrors(cases: readonly (readonly [file: string, code: string])[]): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const path = require("path");
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const out = [];
      for (const [file, code] of cases) {
        const [result] = await eslint.lintText(code, { filePath: path.join(process.cwd(), file) });
        out.push(result.messages.filter((m) => (m.ruleId || "").startsWith("boundaries/")).map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, input: JSON.stringify(cases), encoding: "utf8" }));
}

const importing = (from: string, symbol: string) => `import { ${symbol} } from "${from}";\nexport const x = ${symbol};\n`;

/** [file, code, expected message]: a layer importing one above it. */
const UPWARD = [
  ["runtime/zz.ts", importing("../config/load", "loadEnvironment"), "runtime must not import config"],
  ["config/zz.ts", importing("../modules/core/naming", "Naming"), "config must not import modules"],
  ["lambda/zz.ts", importing("../modules/core/naming", "Naming"), "lambda must not import modules"],
  ["modules/zz.ts", importing("../stacks/network-stack", "NetworkStack"), "modules must not import stacks"],
  ["modules/zz.ts", importing("../lambda/service-redeployer/index", "handler"), "modules must not import lambda"],
  ["stacks/zz.ts", importing("../scripts/stacks", "main"), "stacks must not import scripts"],
  ["stacks/zz.ts", importing("../main", "synthMain"), "must not import"],
] as const;

/** [file, code]: a layer importing one below it (or the app command, for commands). */
const DOWNWARD = [
  ["config/zz.ts", importing("../runtime/airflow-image", "AIRFLOW_VERSION")],
  ["lambda/zz.ts", importing("../runtime/metrics", "QUEUE_METRICS")],
  ["modules/zz.ts", importing("../config/load", "loadEnvironment")],
  ["stacks/zz.ts", importing("../modules/core/naming", "Naming")],
  ["scripts/zz.ts", importing("../main", "buildApp")],
] as const;

describe('the layer rule (eslint.config.mjs, README "Layers")', () => {
  const results = layerErrors([...UPWARD.map(([file, code]) => [file, code] as const), ...DOWNWARD]);

  it.each(UPWARD.map(([file, , message], i) => [file, message, i] as const))(
    "GIVEN %s importing an upper layer WHEN linted THEN the import is an error (%s)",
    (_file, message, i) => {
      expect(results[i].join("\n")).toContain(message);
    },
  );

  it.each(DOWNWARD.map(([file], i) => [file, UPWARD.length + i] as const))(
    "GIVEN %s importing a lower layer WHEN linted THEN there is no layer error",
    (_file, i) => {
      expect(results[i]).toEqual([]);
    },
  );
});
