import { renderCostReport } from "../../scripts/analysis/cost/render";
import { main } from "../../scripts/cost";
import { CliError } from "../../scripts/lib/cli";
import { sharedApp } from "../support/synth";
import { prodWithInstanceType, report } from "./analysis/cost/reports";

describe("npm run cost", () => {
  it("prints per-stack and total Markdown, or JSON with --json, and exits 0", () => {
    // GIVEN the shared synth WHEN the tool runs on dev, as Markdown and as JSON
    let markdown = "";
    let json = "";
    expect(main(["--env", "dev", "--from", sharedApp().outdir], { stdout: (t) => (markdown += t), stderr: () => undefined })).toBe(0);
    expect(main(["--env", "dev", "--json", "--from", sharedApp().outdir], { stdout: (t) => (json += t), stderr: () => undefined })).toBe(0);
    // THEN the Markdown has the totals table and every stack's items; the JSON is the report
    expect(markdown).toBe(renderCostReport(report("dev")));
    expect(markdown).toContain("| **dev total** | **$278.36** |");
    expect(markdown).toContain("## dev-network");
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report("dev"))));
  });

  it("reports an instance type missing from the price table as an error (exit code 1), not a silent zero", () => {
    // GIVEN a synth directory holding prod with an instance type the table does not know WHEN the cost tool reads it THEN a CliError with the message
    const { dir, templateName } = prodWithInstanceType("m9z.large");
    let error: unknown;
    try {
      main(["--env", "prod", "--from", dir], { stdout: () => undefined, stderr: () => undefined });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect((error as CliError).message).toBe(
      `unknown EC2 instance type "m9z.large" (aws_launch_template.${templateName} in prod-compute): no eu-west-1 price in scripts/analysis/prices-eu-west-1.ts; add its on-demand hourly list price to ec2Hourly there`,
    );
  });
});
