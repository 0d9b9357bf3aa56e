import { parseArgs, type ParseArgsConfig } from "util";

/** An error the user caused (bad arguments, unknown environment, unreadable input): printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    /** Process exit code: 2 for usage errors, 1 otherwise. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Where a tool writes; tests pass collectors instead of the process streams. */
export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `util.parseArgs` in strict mode; its errors become usage errors that end with the tool's usage text. */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${usage}`, 2);
  }
}

/**
 * Runs a tool's `main` as a process entry point: CliErrors print their message and exit with their code, anything
 * else is a bug and keeps its stack trace.
 */
export function runAsProcess(main: (argv: readonly string[], out: Output) => number | Promise<number>): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2), processOutput))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        if (error instanceof CliError) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = error.exitCode;
          return;
        }
        process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
        process.exitCode = 1;
      },
    );
}
