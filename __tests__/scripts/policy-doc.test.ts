import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../config/project-root";
import { AIRFLOW_ECS_PACK } from "../../modules/rule-pack/packs";
import { SUPPRESSIONS } from "../../modules/rule-pack/accepted-findings";
import { sectionMarkers } from "../../scripts/lib/generated-file";
import { main, POLICY_DOC, README_SECTION, renderPolicySection } from "../../scripts/policy-doc";
import { runTool } from "../support/cli";
import { temporaryDirectory } from "../support/temp";

const run = (argv: string[], root: string) => runTool((a, out) => main(a, out, root), argv);
const { begin, end } = sectionMarkers(README_SECTION);

/** A checkout holding only a README with the section's markers around `inside`. */
function checkout(inside = ""): string {
  const root = temporaryDirectory("policy-doc-");
  fs.writeFileSync(path.join(root, POLICY_DOC), `# Title\n\n## Security\n\n${begin}\n${inside}${end}\n\n## After\n`);
  return root;
}

describe("the README's security-policy section", () => {
  it("is up to date with modules/rule-pack", () => {
    // GIVEN the committed README WHEN checked against the rules and suppressions THEN it is current
    const result = run(["--check"], projectRoot());
    expect([result.code, result.stderr]).toEqual([0, ""]);
  });

  it("lists every rule and every accepted finding with its reason", () => {
    // GIVEN the generated section
    const text = renderPolicySection();
    // THEN each rule id appears in a table row, and each suppression's reason is printed
    for (const rule of AIRFLOW_ECS_PACK.rules) expect(text).toContain(`| \`${rule.id}\` |`);
    for (const suppression of SUPPRESSIONS) expect(text).toContain(suppression.reason);
    expect(text).toContain(`### Synth-time policy rules (${AIRFLOW_ECS_PACK.rules.length})`);
    expect(text).toContain(`### Accepted findings (${SUPPRESSIONS.length})`);
  });
});

describe("npm run policy-doc", () => {
  it("fills the section between the markers and leaves the rest of the README alone, then --check passes", () => {
    // GIVEN a README with an empty section
    const root = checkout();
    // WHEN generated
    expect(run([], root)).toEqual({ code: 0, stdout: `wrote ${POLICY_DOC}\n`, stderr: "" });
    // THEN the section holds the rendering, the text around it is unchanged, and --check agrees
    expect(fs.readFileSync(path.join(root, POLICY_DOC), "utf8")).toBe(`# Title\n\n## Security\n\n${begin}\n${renderPolicySection()}${end}\n\n## After\n`);
    expect(run(["--check"], root).code).toBe(0);
  });

  it("--check fails on a stale section, naming the line and the command", () => {
    // GIVEN a section edited by hand
    const root = checkout("| edited by hand |\n");
    // THEN --check exits 1 with the first difference and how to fix it
    const stale = run(["--check"], root);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      [
        `${POLICY_DOC} is stale: it differs from what \`npm run policy-doc\` generates (first difference at line 6).`,
        `  generated: ${renderPolicySection().split("\n")[0]}`,
        "  committed: | edited by hand |",
        `Run \`npm run policy-doc\` and commit ${POLICY_DOC}.`,
        "",
      ].join("\n"),
    );
  });

  it("fails naming the markers when the README has no section", () => {
    // GIVEN a README without the markers THEN the error says which lines to add
    const root = temporaryDirectory("policy-doc-");
    fs.writeFileSync(path.join(root, POLICY_DOC), "# Title\n");
    expect(() => run([], root)).toThrow(new Error(`README.md has no generated section "security-policy": expected the lines ${begin} and ${end}`));
  });

  it("rejects unknown arguments with the usage", () => {
    expect(() => run(["--nope"], projectRoot())).toThrow(/Unknown option '--nope'[\s\S]*usage: npm run policy-doc -- \[--check\]/);
  });
});
