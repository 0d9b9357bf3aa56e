import type { Output } from "../../scripts/lib/cli";
import { CliError } from "../../scripts/lib/cli";

/** A tool's entry point (`main` of scripts/*.ts), with any extra arguments already bound. */
export type ToolMain = (argv: readonly string[], out: Output) => number;

/** Runs a tool in-process, collecting what it prints. */
export function runTool(main: ToolMain, argv: readonly string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const code = main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs a tool that must succeed; returns its standard output. */
export function toolOutput(main: ToolMain, argv: readonly string[]): string {
  const { code, stdout, stderr } = runTool(main, argv);
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${stderr}`);
  return stdout;
}

/** Runs a tool that must fail with a CliError (a user error: usage, unknown environment, bad input); returns it. */
export function toolError(main: ToolMain, argv: readonly string[]): CliError {
  try {
    runTool(main, argv);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`${argv.join(" ") || "(no arguments)"} did not fail`);
}
