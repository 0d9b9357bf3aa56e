import { renderAzReport } from "../../scripts/analysis/az/render";
import { main, USAGE } from "../../scripts/az-report";
import { repoEnvironments, sharedApp } from "../support/synth";
import { runTool, toolError } from "../support/cli";
import { report, stacksDir } from "./analysis/az/reports";

const run = (argv: string[]) => runTool(main, argv);
const runError = (argv: string[]) => toolError(main, argv);

describe("npm run az-report", () => {
  it("prints the Markdown table and exits 0", () => {
    // GIVEN the shared synth WHEN the tool runs on prod
    const { code, stdout } = run(["--env", "prod", "--from", sharedApp().outdir]);
    // THEN it exits 0 with the rendered report
    expect(code).toBe(0);
    expect(stdout).toBe(renderAzReport(report("prod")));
    expect(stdout).toContain("| Tier | Verdict | Why |");
    expect(stdout).toContain("| RDS airflow-prod-metadata | serving |");
  });

  it("prints JSON with --json", () => {
    // GIVEN the shared synth WHEN the tool runs with --json THEN the output is the report as JSON
    const { code, stdout } = run(["--env", "dev", "--json", "--from", sharedApp().outdir]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(report("dev"))));
  });

  it("rejects a missing --env and an environment the synth does not hold", () => {
    // GIVEN no --env WHEN run THEN a usage error (exit code 2)
    const usage = runError([]);
    expect(usage.exitCode).toBe(2);
    expect(usage.message).toBe(`--env <environment> is required\n\n${USAGE}`);
    // GIVEN an unknown environment WHEN run against the shared synth THEN the error lists what the synth holds
    const unknown = runError(["--env", "nope", "--from", sharedApp().outdir]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.message).toBe(
      `${stacksDir()} holds no stacks of environment "nope"; it holds: ${repoEnvironments()
        .map((c) => c.name)
        .sort()
        .join(", ")}`,
    );
  });
});
