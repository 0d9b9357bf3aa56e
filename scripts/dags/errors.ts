/**
 * How deploy-dags reports failures: the user's problems (an unreadable DAG folder, a denied or throttled AWS call, no
 * credentials) as one-line CliErrors without a stack; programming errors keep theirs.
 */
import { CliError } from "../lib/cli";
import { ReleaseContentError } from "../lib/dag-release";

/** Folder problems (links, empty folder) are the user's: one line, no stack. */
export async function contentOf<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ReleaseContentError) throw new CliError(error.message);
    throw error;
  }
}

/** Runs one AWS call; its failure becomes `<what> failed: <name>: <message>`. */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsFailure(what, error);
  }
}

/** An AWS failure (denied, throttled, no credentials, no network) as a one-line cause; programming errors keep their stack. */
export function awsFailure(what: string, error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof TypeError || error instanceof ReferenceError || error instanceof CliError) return error;
  return new CliError(`${what} failed: ${error.name}: ${error.message}`);
}

export function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
