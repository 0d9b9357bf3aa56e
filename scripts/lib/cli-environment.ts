import type { EnvironmentConfig } from "../../config/schema";
import { ConfigError, environmentNames, loadEnvironment } from "../../config/load";
import { CliError } from "./cli";

/** `unknown environment "qa"; available environments: dev, prod` (every tool words it so). */
export function unknownEnvironmentsMessage(names: readonly string[], available: readonly string[]): string {
  const list = names.map((n) => `"${n}"`).join(", ");
  return `unknown environment${names.length > 1 ? "s" : ""} ${list}; available environments: ${available.join(", ") || "(none)"}`;
}

/**
 * One environment's configuration for a command-line tool: an unknown name is a usage error (exit 2) that lists the
 * environments of `dir`, followed by the tool's `usage` when given; an invalid file is a CliError carrying the
 * loader's message (file, field, what is allowed) with `invalidExitCode`.
 */
export function cliEnvironment(name: string, dir: string, options: { readonly usage?: string; readonly invalidExitCode?: number } = {}): EnvironmentConfig {
  const available = environmentNames(dir);
  if (!available.includes(name)) {
    const message = unknownEnvironmentsMessage([name], available);
    throw new CliError(options.usage ? `${message}\n\n${options.usage}` : message, 2);
  }
  try {
    return loadEnvironment(name, dir);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, options.invalidExitCode ?? 1);
    throw error;
  }
}
