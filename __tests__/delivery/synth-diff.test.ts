import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../scripts/synth-diff";
import { BASE, CRAFTED_SUMMARY as markdown, FIXTURES, HEAD } from "./synth/crafted";
import { toolError, toolOutput } from "../support/cli";

const run = (argv: string[]) => toolOutput(main, argv);
const runError = (argv: string[]) => toolError(main, argv);

describe("npm run synth-diff", () => {
  it("is the same through the command line, and exits 0", () => {
    expect(run([BASE, HEAD])).toBe(markdown);
  });

  it("compares against an empty base when the base has no synth output, and says so", () => {
    const stdout = run([path.join(FIXTURES, "does-not-exist"), HEAD]);
    expect(stdout).toContain("> The base has no synth output (it failed to synthesize or predates the app): everything is shown as new.");
    expect(stdout).toContain("➕ new stacks `dev-compute`, `dev-iam`, `dev-network`, `dev-new`, `dev-services`");
  });

  it("reports identical outputs as unchanged", () => {
    expect(run([HEAD, HEAD])).toBe("### Synth diff (base → head)\n\nno change to the synthesized configuration ✅\n");
  });

  it("warns that removing a stack does not destroy it", () => {
    expect(run([BASE, HEAD])).toContain("> ⚠️ A removed stack is only dropped from CI: its resources stay deployed until the stack is destroyed by hand");
  });

  it("keeps to --max-chars with balanced <details>", () => {
    const stdout = run(["--max-chars", "1200", BASE, HEAD]);
    expect(stdout.length).toBeLessThanOrEqual(1200);
    expect(stdout.split("<details>").length).toBe(stdout.split("</details>").length);
    expect(stdout).toContain("_Synth diff truncated to stay under GitHub's comment size limit; run `npm run synth-diff` locally for all of it._");
  });

  it("rejects a missing head, a directory that is not a synth output, and wrong arguments", () => {
    expect(runError([BASE, path.join(FIXTURES, "nope")]).message).toBe(
      `${path.join(FIXTURES, "nope")}: does not exist; synthesize the head first ("npm run synth")`,
    );
    const notSynth = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-not-synth-"));
    try {
      expect(runError([notSynth, HEAD]).message).toBe(`${notSynth}: has no stacks/ directory; expected a cdktf.out directory written by "npm run synth"`);
    } finally {
      fs.rmSync(notSynth, { recursive: true, force: true });
    }
    expect(runError([HEAD]).message).toMatch(/^expected two directories \(base and head\), got 1\n\nusage: npm run synth-diff -- /);
    expect(runError([HEAD]).exitCode).toBe(2);
  });
});
