/**
 * Writes the architecture picture (Markdown with a Mermaid diagram) of one environment, generated from its
 * synthesized stacks: the stacks with their main resources, the contract edges between them and the state
 * bootstrap. `--check` writes nothing and exits 1 when the committed file differs from what would be generated.
 *
 *   npm run diagram                       # rewrites docs/architecture.md (prod)
 *   npm run diagram -- --check            # exit 1 when docs/architecture.md is stale
 *   npm run diagram -- --env dev          # docs/architecture-dev.md
 */
import { ConfigError } from "../config/load";
import { projectRoot } from "../config/project-root";
import { renderArchitecture } from "./analysis/architecture";
import { EnvironmentModel } from "./analysis/model";
import { AnalysisInputError, loadEnvironmentStacks } from "./analysis/synthesized";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { replaceSection, staleMessage as staleOf, writeOrCheck, type GeneratedFile } from "./lib/generated-file";

export const DEFAULT_ENVIRONMENT = "prod";

export const USAGE = [
  "usage: npm run diagram -- [--env <environment>] [--check] [--out <file>] [--from <cdktf.out>] [--config-dir <dir>]",
  "",
  "  --env <name>        the environment to draw (default prod)",
  "  --out <file>        the Markdown file (default docs/architecture.md for prod, docs/architecture-<env>.md otherwise)",
  "  --check             write nothing; exit 1 when the file differs from what would be generated",
  "  --from <dir>        read the stacks of an existing synth (cdktf.out) instead of synthesizing the environment",
  "  --config-dir <dir>  read environment files from <dir> (default config/environments)",
].join("\n");

/** Where the diagram of `environment` lives, relative to the repository root. */
export function diagramPath(environment: string): string {
  return environment === DEFAULT_ENVIRONMENT ? "docs/architecture.md" : `docs/architecture-${environment}.md`;
}

/** The README section holding the diagram of the default environment. */
export const README_SECTION = "architecture-diagram";

/** The Mermaid block of a generated architecture document (what the README embeds). */
export function mermaidBlock(document: string): string {
  const block = /```mermaid\n[\s\S]*?\n```\n/.exec(document);
  if (!block) throw new Error("the architecture document has no mermaid block");
  return block[0];
}

/** The staleness message of a diagram file; undefined when it is current. */
export function staleMessage(relative: string, generated: string, committed: string | undefined): string | undefined {
  return staleOf(relative, generated, committed, "npm run diagram");
}

export function main(argv: readonly string[], out: Output, root = projectRoot()): number {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      env: { type: "string", default: DEFAULT_ENVIRONMENT },
      check: { type: "boolean", default: false },
      out: { type: "string" },
      from: { type: "string" },
      "config-dir": { type: "string" },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`, 2);
  const relative = values.out ?? diagramPath(values.env);
  let generated: string;
  try {
    generated = renderArchitecture(new EnvironmentModel(loadEnvironmentStacks(values.env, { from: values.from, configDir: values["config-dir"] })));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AnalysisInputError) throw new CliError(error.message);
    throw error;
  }
  const files: GeneratedFile[] = [{ relative, render: () => generated }];
  // The README embeds the default environment's diagram (when the README exists: not in a bare output root).
  if (values.env === DEFAULT_ENVIRONMENT && values.out === undefined) {
    files.push({
      relative: "README.md",
      onlyIfPresent: true,
      render: (readme) => replaceSection(readme!, README_SECTION, mermaidBlock(generated), "README.md"),
    });
  }
  return writeOrCheck({ root, files, check: values.check, command: "npm run diagram", out });
}

if (require.main === module) runAsProcess(main);
