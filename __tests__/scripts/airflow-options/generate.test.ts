import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildCatalogue, serializeCatalogue, sortKeysDeep } from "../../../scripts/airflow-options/build";
import { main } from "../../../scripts/airflow-options/generate";
import { SourceError } from "../../../scripts/airflow-options/sources";
import { normalizeQuotedContinuations } from "../../../scripts/airflow-options/template";
import { compareVersions } from "../../../scripts/airflow-options/versions";
import { runTool, toolError, toolOutput } from "../../support/cli";
import { temporaryDirectory } from "../../support/temp";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const FIXTURE = path.join(__dirname, "..", "fixtures", "airflow-src");
const COMPILED_CLI = path.join(ROOT, "dist", "scripts", "airflow-options", "generate.js");
const FIXTURE_ARGS = ["--source", FIXTURE, "--providers", "alpha,beta.gamma", "--airflow-version", "3.1.5"];

/** Generates the fixture's catalogue into a fresh file; returns its path and parsed content. */
function generate(extra: readonly string[] = []): { file: string; text: string; catalogue: any } {
  const file = path.join(temporaryDirectory("airflow-options-"), "catalogue.json");
  toolOutput(main, [...FIXTURE_ARGS, "--out", file, ...extra]);
  const text = fs.readFileSync(file, "utf8");
  return { file, text, catalogue: JSON.parse(text) };
}

/** A copy of the fixture checkout the test may break. */
function fixtureCopy(): string {
  const dir = temporaryDirectory("airflow-src-");
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("the option catalogue generator on a fixture checkout", () => {
  test("GIVEN the fixture templates WHEN generated THEN each option has the template's type, default (as written), sensitivity and provider", () => {
    const { options } = generate().catalogue;
    expect(options.core.parallelism).toEqual({ type: "integer", default: "32", sensitive: false, provider: "core" });
    expect(options.core.fernet_key).toEqual({ type: "string", default: "{FERNET_KEY}", sensitive: true, provider: "core" });
    expect(options.core.load_examples).toEqual({ type: "boolean", default: "True", sensitive: false, provider: "core", versionAdded: "1.0.0" });
    expect(options.core.wrapped_list.default).toBe("first,second,third");
    expect(options.alpha.token).toEqual({ type: "string", default: null, sensitive: true, provider: "apache-airflow-providers-alpha", versionAdded: "1.2" });
    expect(options["providers.alpha"].strict_mode).toMatchObject({ type: "boolean", default: "False", provider: "apache-airflow-providers-alpha" });
  });

  test("GIVEN an option with version_deprecated WHEN generated THEN it is flagged deprecated with the version", () => {
    expect(generate().catalogue.options.core.old_option).toEqual({
      type: "string",
      default: null,
      sensitive: false,
      provider: "core",
      deprecated: true,
      versionAdded: "2.0.0",
      versionDeprecated: "3.0.0",
    });
  });

  test("GIVEN templates with descriptions WHEN generated THEN no description text reaches the catalogue", () => {
    const { text, catalogue } = generate();
    expect(text).not.toContain("FIXTURE-DESCRIPTION");
    const fields = new Set(Object.values(catalogue.options).flatMap((s: any) => Object.values(s).flatMap((o: any) => Object.keys(o))));
    expect([...fields].sort()).toEqual(["default", "deprecated", "provider", "sensitive", "type", "versionAdded", "versionDeprecated"]);
  });

  test("GIVEN core options newer than the target Airflow WHEN generated THEN they are left out, listed, and the note says why", () => {
    const { source, options } = generate().catalogue;
    expect(options.core.future_option).toBeUndefined();
    expect(options.future_only).toBeUndefined();
    expect(source.excludedNewerThanAirflow).toEqual(["core.future_option", "future_only.later"]);
    expect(source.airflow).toBe("3.1.5");
    expect(source.note).toContain("apache-airflow-core 3.2.0, not 3.1.5");
    expect(source.note).toContain("2 core options whose version_added is newer than 3.1.5 are left out");
  });

  test("GIVEN the target equals the sources' version WHEN generated THEN nothing is left out and unquoted numbers keep their text", () => {
    const { source, options } = generate(["--airflow-version", "3.2.0"]).catalogue;
    expect(source.excludedNewerThanAirflow).toEqual([]);
    expect(options.core.future_option.default).toBe("1.0");
    expect(source.note).toContain("is from apache-airflow-core 3.2.0.");
  });

  test("GIVEN providers with and without config WHEN generated THEN the sources, free-form sections and providers without config are recorded", () => {
    const { source, freeFormSections } = generate().catalogue;
    expect(freeFormSections).toEqual(["sentry"]);
    expect(source.generatedFrom.map((f: any) => [f.package, f.version, f.path])).toEqual([
      ["apache-airflow-core", "3.2.0", "airflow-core/src/airflow/config_templates/config.yml"],
      ["apache-airflow-providers-alpha", "1.2.0", "providers/alpha/provider.yaml"],
    ]);
    expect(source.providersWithoutConfig).toEqual([
      {
        package: "apache-airflow-providers-beta-gamma",
        version: "0.1.0",
        repository: "apache/airflow",
        path: "providers/beta/gamma/provider.yaml",
        commit: null,
      },
    ]);
  });

  test("GIVEN a provenance file and --commit WHEN generated THEN per-file commits win over --commit, and its note is appended", () => {
    const provenance = path.join(temporaryDirectory("provenance-"), "provenance.json");
    const files = { "providers/alpha/provider.yaml": { commit: "a".repeat(40) } };
    fs.writeFileSync(provenance, JSON.stringify({ repository: "example/airflow-fork", files, note: "Fixture provenance note." }));
    const { source } = generate(["--provenance", provenance, "--commit", "b".repeat(40)]).catalogue;
    expect(source.generatedFrom.map((f: any) => [f.repository, f.commit])).toEqual([
      ["example/airflow-fork", "b".repeat(40)],
      ["example/airflow-fork", "a".repeat(40)],
    ]);
    expect(source.note.endsWith("Fixture provenance note.")).toBe(true);
  });
});

describe("the generated file", () => {
  test("GIVEN the same sources WHEN generated twice THEN the files are byte-identical", () => {
    expect(generate().text).toBe(generate().text);
  });

  test("GIVEN a generated file THEN its keys are sorted, it is indented by 2 spaces and ends with one newline", () => {
    const { text, catalogue } = generate();
    expect(text).toBe(`${JSON.stringify(sortKeysDeep(catalogue), null, 2)}\n`);
    expect(text.endsWith("}\n") && !text.endsWith("\n\n")).toBe(true);
    expect(Object.keys(catalogue)).toEqual(["freeFormSections", "options", "source"]);
    expect(Object.keys(catalogue.options)).toEqual([...Object.keys(catalogue.options)].sort());
  });

  test("GIVEN a catalogue built twice in memory THEN serialization does not depend on the order the sections were read", () => {
    const input = (providers: string[]) => ({
      airflowVersion: "3.1.5",
      repository: "apache/airflow",
      core: {
        file: { path: "config.yml", text: "b: {options: {y: {type: string, default: '1'}}}\na: {options: {x: {type: string}}}\n" },
        commit: null,
        version: "3.1.5",
      },
      providers: providers.map((p) => ({ file: { path: `${p}.yaml`, text: `package-name: pkg-${p}\nversions: ['1.0']\n` }, commit: null, version: null })),
    });
    expect(serializeCatalogue(buildCatalogue(input(["p", "q"])))).toBe(serializeCatalogue(buildCatalogue(input(["q", "p"]))));
  });
});

describe("--check", () => {
  test("GIVEN a current file WHEN checked THEN it exits 0 and says so", () => {
    const { file } = generate();
    const result = runTool(main, [...FIXTURE_ARGS, "--out", file, "--check"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/is up to date \(4 sections, 9 options\)/);
  });

  test("GIVEN a committed file that drifted WHEN checked THEN it exits 1, names each difference and the command, and writes nothing", () => {
    const { file, catalogue } = generate();
    catalogue.options.core.parallelism.type = "string";
    delete catalogue.options.alpha.endpoint;
    catalogue.options.core.removed_upstream = { type: "string", default: null, sensitive: false, provider: "core" };
    catalogue.source.note = "edited by hand";
    const drifted = `${JSON.stringify(catalogue, null, 2)}\n`;
    fs.writeFileSync(file, drifted);
    const result = runTool(main, [...FIXTURE_ARGS, "--out", file, "--check"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is stale: it differs from what the templates generate (1 option added, 1 removed, 1 changed; source.note changed)");
    expect(result.stderr).toContain("  + alpha.endpoint");
    expect(result.stderr).toContain("  - core.removed_upstream");
    expect(result.stderr).toContain('  ~ core.parallelism: type "string" -> "integer"');
    expect(result.stderr).toContain(`Run \`node dist/scripts/airflow-options/generate.js ${[...FIXTURE_ARGS, "--out", file].join(" ")}\``);
    expect(fs.readFileSync(file, "utf8")).toBe(drifted);
  });

  test("GIVEN no committed file WHEN checked THEN it exits 1 and says the file does not exist", () => {
    const file = path.join(temporaryDirectory("airflow-options-"), "missing.json");
    const result = runTool(main, [...FIXTURE_ARGS, "--out", file, "--check"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("does not exist");
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe("unusable sources", () => {
  const out = () => path.join(temporaryDirectory("airflow-options-"), "catalogue.json");

  test("GIVEN a source directory without config.yml WHEN generated THEN a usage error names the missing template", () => {
    const error = toolError(main, ["--source", temporaryDirectory("empty-src-"), "--airflow-version", "3.1.5", "--out", out()]);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^airflow-core\/src\/airflow\/config_templates\/config\.yml not found in .*: --source must be a checkout of apache\/airflow/);
  });

  test("GIVEN a provider that is not in the checkout WHEN generated THEN the error names it and --providers", () => {
    const error = toolError(main, ["--source", FIXTURE, "--providers", "alpha,delta", "--airflow-version", "3.1.5", "--out", out()]);
    expect(error.message).toContain("providers/delta/provider.yaml not found in");
    expect(error.message).toContain('provider "delta" is in the provider list; change it with --providers');
  });

  test("GIVEN invalid YAML WHEN generated THEN the error names the file", () => {
    const dir = fixtureCopy();
    fs.writeFileSync(path.join(dir, "providers", "alpha", "provider.yaml"), "package-name: [unclosed\n");
    const error = toolError(main, ["--source", dir, "--providers", "alpha", "--airflow-version", "3.1.5", "--out", out()]);
    expect(error.message).toMatch(/^providers\/alpha\/provider\.yaml: invalid YAML/);
  });

  test("GIVEN a provider declaring an option core already declares WHEN generated THEN the duplicate is an error", () => {
    const dir = fixtureCopy();
    const yaml =
      "package-name: apache-airflow-providers-alpha\nversions: ['1.0.0']\nconfig:\n  core:\n    options:\n      parallelism: {type: integer, default: '8'}\n";
    fs.writeFileSync(path.join(dir, "providers", "alpha", "provider.yaml"), yaml);
    const error = toolError(main, ["--source", dir, "--providers", "alpha", "--airflow-version", "3.1.5", "--out", out()]);
    expect(error.message).toBe("providers/alpha/provider.yaml: [core] parallelism is also declared by core");
  });

  test("GIVEN an option without type WHEN built THEN the error names section and key", () => {
    const core = { file: { path: "config.yml", text: "core:\n  options:\n    untyped: {default: '1'}\n" }, commit: null, version: null };
    expect(() => buildCatalogue({ airflowVersion: "3.1.5", repository: "apache/airflow", core, providers: [] })).toThrow(
      new SourceError("config.yml: [core] untyped: has no type (the template schema requires one)"),
    );
  });

  test("GIVEN --help WHEN run THEN it prints the usage and exits 0", () => {
    expect(toolOutput(main, ["--help"])).toMatch(/^usage: node dist\/scripts\/airflow-options\/generate\.js --source /);
  });

  test("GIVEN no --source WHEN run THEN it is a usage error", () => {
    const error = toolError(main, []);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^--source <dir> is required\n\nusage:/);
  });
});

describe("template helpers", () => {
  test("GIVEN a quoted value continued at its key's indentation WHEN normalized THEN only the continuation line is indented", () => {
    const text = '    default: "a,\\\n    b"\n    other: "x"\n';
    expect(normalizeQuotedContinuations(text)).toBe('    default: "a,\\\n      b"\n    other: "x"\n');
  });

  test("GIVEN an unclosed quote followed by YAML structure WHEN normalized THEN the text is left alone", () => {
    const text = '    default: "a,\n    version_added: ~\n    b"\n';
    expect(normalizeQuotedContinuations(text)).toBe(text);
  });

  test("GIVEN version strings of the templates WHEN compared THEN release parts decide", () => {
    expect(compareVersions("3.2.0", "3.1.5")).toBeGreaterThan(0);
    expect(compareVersions("8.11", "8.11.0")).toBe(0);
    expect(compareVersions("1.10.12", "1.9.0")).toBeGreaterThan(0);
    expect(compareVersions("3.1.0", "3.1.5")).toBeLessThan(0);
  });
});

(fs.existsSync(COMPILED_CLI) ? describe : describe.skip)("the compiled CLI (dist/, after npx tsc -p tsconfig.json)", () => {
  test("GIVEN the fixture checkout WHEN run with node THEN it writes the catalogue, and --check fails on drift with exit status 1", () => {
    const file = path.join(temporaryDirectory("airflow-options-cli-"), "catalogue.json");
    const run = (...extra: string[]) => spawnSync(process.execPath, [COMPILED_CLI, ...FIXTURE_ARGS, "--out", file, ...extra], { encoding: "utf8", cwd: ROOT });
    const written = run();
    expect(written.status).toBe(0);
    expect(written.stdout).toMatch(/^wrote .*catalogue\.json: 4 sections, 9 options, Airflow 3\.1\.5\n$/);
    expect(fs.readFileSync(file, "utf8")).toBe(generate().text);
    expect(run("--check").status).toBe(0);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"32"', '"64"'));
    const checked = run("--check");
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('~ core.parallelism: default "64" -> "32"');
  });

  test("GIVEN a source without config.yml WHEN run with node THEN it exits 2 with the message and no stack trace", () => {
    const result = spawnSync(process.execPath, [COMPILED_CLI, "--source", temporaryDirectory("empty-src-"), "--airflow-version", "3.1.5"], {
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("config.yml not found in");
    expect(result.stderr).not.toContain("    at ");
  });
});
