import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR } from "../config/load";
import { buildApp, synthMain, withLeanStackTraces } from "../main";
import { temporaryDirectory } from "./support/temp";

describe("buildApp", () => {
  it("validates configuration before creating the output directory", () => {
    // GIVEN an environment directory with an invalid file
    const envs = temporaryDirectory("airflow-bad-envs-");
    const raw = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));
    raw.network.azCount = 1;
    fs.writeFileSync(path.join(envs, "dev.json"), JSON.stringify(raw));
    const outdir = path.join(temporaryDirectory("airflow-out-"), "cdktf.out");
    // WHEN the app is built THEN it throws the validation error and nothing is written
    expect(() => buildApp({ environmentsDir: envs, outdir })).toThrow(ConfigError);
    expect(() => buildApp({ environmentsDir: envs, outdir })).toThrow("network.azCount = 1 is out of range; expected an integer from 2 to 6");
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it("as the app command, prints every problem of a malformed file and writes nothing", () => {
    // GIVEN a syntax error in one file and a wrong type in another
    const envs = temporaryDirectory("airflow-bad-envs-");
    fs.writeFileSync(path.join(envs, "dev.json"), '{ "name": "dev", ');
    const raw = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "prod.json"), "utf8"));
    raw.compute.maxInstances = "twelve";
    fs.writeFileSync(path.join(envs, "prod.json"), JSON.stringify(raw));
    const outdir = path.join(temporaryDirectory("airflow-out-"), "cdktf.out");
    const saved = { dir: process.env.AIRFLOW_ENVIRONMENTS_DIR, out: process.env.CDKTF_OUTDIR };
    process.env.AIRFLOW_ENVIRONMENTS_DIR = envs;
    process.env.CDKTF_OUTDIR = outdir;
    const logged: string[] = [];
    try {
      // WHEN the app command runs THEN it fails naming each file and field, and the output directory never appears
      expect(synthMain((m) => void logged.push(m))).toBe(1);
    } finally {
      process.env.AIRFLOW_ENVIRONMENTS_DIR = saved.dir;
      process.env.CDKTF_OUTDIR = saved.out;
      if (saved.dir === undefined) delete process.env.AIRFLOW_ENVIRONMENTS_DIR;
      if (saved.out === undefined) delete process.env.CDKTF_OUTDIR;
    }
    expect(logged[0]).toMatch(/^Invalid environment configuration \(nothing was synthesized\):/);
    expect(logged[0]).toMatch(/dev\.json: is not valid JSON: .* at line 1, column 18/);
    expect(logged[0]).toContain('prod.json: environment "prod": compute.maxInstances = "twelve" is a string; expected an integer from 1 to 100');
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it("builds every environment's stacks and one state bootstrap per state bucket", () => {
    const outdir = temporaryDirectory("airflow-out-");
    const built = buildApp({ outdir });
    expect([...built.environments.keys()].sort()).toEqual(["dev", "prod", "test", "uat"]);
    expect(built.bootstraps.map((b) => b.node.id).sort()).toEqual([
      "bootstrap-airflow-tfstate-111111111111",
      "bootstrap-airflow-tfstate-222222222222",
      "bootstrap-airflow-tfstate-333333333333",
    ]);
  });

  it("synthesizes a subset of environments when AIRFLOW_ENVIRONMENTS names them", () => {
    process.env.AIRFLOW_ENVIRONMENTS = "prod";
    try {
      const built = buildApp({ outdir: temporaryDirectory("airflow-out-") });
      expect([[...built.environments.keys()], built.bootstraps.map((b) => b.node.id)]).toEqual([["prod"], ["bootstrap-airflow-tfstate-333333333333"]]);
    } finally {
      delete process.env.AIRFLOW_ENVIRONMENTS;
    }
  });
});

describe("withLeanStackTraces", () => {
  it("skips bookkeeping captures into plain objects but keeps real errors' traces, and restores the hooks", () => {
    // GIVEN the hooks as Node has them
    const [prepare, capture] = [Error.prepareStackTrace, Error.captureStackTrace];
    // WHEN a plain-object capture (what cdktf does per token) and a real error happen inside
    const { bookkeeping, error, captured } = withLeanStackTraces(() => {
      const target = { stack: "" };
      Error.captureStackTrace(target);
      const err = new Error("boom");
      const into = new Error("into");
      Error.captureStackTrace(into);
      return { bookkeeping: target.stack, error: err.stack, captured: into.stack };
    });
    // THEN the plain object stays without a trace, errors keep theirs
    expect(bookkeeping).toBe("");
    expect(error).toMatch(/^Error: boom\n    at .*main\.test\.ts/);
    expect(captured).toMatch(/^Error: into\n    at /);
    // AND the hooks are back as they were, also when fn throws
    expect([Error.prepareStackTrace, Error.captureStackTrace]).toEqual([prepare, capture]);
    expect(() =>
      withLeanStackTraces(() => {
        throw new Error("inner");
      }),
    ).toThrow("inner");
    expect([Error.prepareStackTrace, Error.captureStackTrace]).toEqual([prepare, capture]);
  });
});
