/**
 * Compares two synth outputs (`cdktf.out` of the PR's base and head) block by block: per stack the resources, data
 * sources, outputs, provider and backend blocks the change adds, removes and modifies (attribute by attribute, with
 * JSON-string attributes such as IAM policies and `container_definitions` decoded), plus stacks added or removed.
 * Needs no cloud credentials, so pull requests from forks see the impact too. Always exits 0 on readable input.
 * Reading: synth/blocks.ts; comparing: synth/diff.ts; rendering: synth/render.ts.
 *
 *   npm run synth-diff -- base/cdktf.out cdktf.out > synth-diff.md
 */
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { readSynthOutput } from "./synth/blocks";
import { diffSynthOutputs } from "./synth/diff";
import { renderSynthDiff } from "./synth/render";

export const USAGE = [
  "usage: npm run synth-diff -- [--title <text>] [--max-chars <n>] <base cdktf.out> <head cdktf.out>",
  "",
  "  Compares cdktf.out/stacks/<id>/cdk.tf.json of both outputs and prints Markdown. A base directory that does",
  "  not exist (e.g. the base branch failed to synthesize) is compared as empty, with a note.",
].join("\n");

export function main(argv: readonly string[], out: Output): number {
  const { values, positionals } = parseCommandLine(argv, { title: { type: "string" }, "max-chars": { type: "string" } }, USAGE);
  if (positionals.length !== 2) throw new CliError(`expected two directories (base and head), got ${positionals.length}\n\n${USAGE}`, 2);
  const [baseDir, headDir] = positionals;
  const maxChars = values["max-chars"] === undefined ? undefined : Number(values["max-chars"]);
  if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1000))
    throw new CliError(`--max-chars ${values["max-chars"]}: expected an integer >= 1000`, 2);
  const head = readSynthOutput(headDir);
  if (!head) throw new CliError(`${headDir}: does not exist; synthesize the head first ("npm run synth")`);
  out.stdout(renderSynthDiff(diffSynthOutputs(readSynthOutput(baseDir), head), { title: values.title, maxChars }));
  return 0;
}

if (require.main === module) runAsProcess(main);
