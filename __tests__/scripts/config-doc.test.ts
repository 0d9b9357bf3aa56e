import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../config/project-root";
import { CONFIG_DOC, main, renderConfigDoc } from "../../scripts/config-doc";
import { runTool } from "../support/cli";
import { temporaryDirectory } from "../support/temp";

const run = (argv: string[], root: string) => runTool((a, out) => main(a, out, root), argv);

describe("docs/configuration.md", () => {
  it("is up to date with the spec in config/spec/", () => {
    // GIVEN the committed reference WHEN checked against the spec THEN it is current
    const result = run(["--check"], projectRoot());
    expect([result.code, result.stderr]).toEqual([0, ""]);
  });
});

describe("npm run config-doc", () => {
  it("writes the reference, then --check passes", () => {
    // GIVEN an empty checkout WHEN generated THEN the file holds the rendering and --check agrees
    const root = temporaryDirectory("config-doc-");
    expect(run([], root)).toEqual({ code: 0, stdout: `wrote ${CONFIG_DOC}\n`, stderr: "" });
    expect(fs.readFileSync(path.join(root, CONFIG_DOC), "utf8")).toBe(renderConfigDoc());
    expect(run(["--check"], root)).toEqual({ code: 0, stdout: `${CONFIG_DOC} is up to date\n`, stderr: "" });
  });

  it("--check fails on a stale reference, naming the line and the command", () => {
    // GIVEN a reference whose default for azCount was edited by hand
    const root = temporaryDirectory("config-doc-");
    const generated = renderConfigDoc();
    const edited = generated.replace("| `network.azCount` | integer | `2` |", "| `network.azCount` | integer | `3` |");
    fs.mkdirSync(path.join(root, "docs"));
    fs.writeFileSync(path.join(root, CONFIG_DOC), edited);
    // THEN --check exits 1 with the first difference and how to fix it
    const line = generated.split("\n").findIndex((l) => l.startsWith("| `network.azCount` |"));
    const stale = run(["--check"], root);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      [
        `${CONFIG_DOC} is stale: it differs from what \`npm run config-doc\` generates (first difference at line ${line + 1}).`,
        `  generated: ${generated.split("\n")[line]}`,
        `  committed: ${edited.split("\n")[line]}`,
        `Run \`npm run config-doc\` and commit ${CONFIG_DOC}.`,
        "",
      ].join("\n"),
    );
  });

  it("rejects unknown arguments with the usage", () => {
    expect(() => run(["--nope"], projectRoot())).toThrow(/Unknown option '--nope'[\s\S]*usage: npm run config-doc -- \[--check\]/);
    expect(() => run(["extra"], projectRoot())).toThrow(/unexpected argument "extra"/);
  });
});
