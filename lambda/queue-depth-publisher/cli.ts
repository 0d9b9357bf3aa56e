import * as fs from "fs";
import { defaultTls, type TlsSetting } from "./db";
import { createHandler, type HandlerDeps } from "./index";
import type { Logger } from "./log";

export const USAGE = `Usage: queue-depth-publisher [--dry-run] [--tls verify-full|require|disable] [--ca-file PATH] [--budget-seconds N]

Runs one invocation of the queue-depth publisher with the Lambda's environment (AIRFLOW_ECS_*): reads the database
secret, samples the queue depth and the worker services' desired counts (ECS DescribeServices) and publishes the
metrics. Exits 0 on success, 1 when the invocation fails, 2 on a usage error.

  --dry-run           print each PutMetricData request as JSON on stdout instead of sending it; the secret, the
                      database and ECS are still read (read-only: needs ecs:DescribeServices, not PutMetricData)
  --tls MODE          verify-full (default; needs the RDS CA: --ca-file or /var/runtime/ca-cert.pem),
                      require (encrypted, server not verified) or disable (plain TCP, local servers only)
  --ca-file PATH      PEM bundle to verify the server certificate against (implies --tls verify-full)
  --budget-seconds N  stop sampling early so the run ends within about N seconds (default 70)
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

class UsageError extends Error {}

interface CliOptions {
  readonly dryRun: boolean;
  readonly tls?: TlsSetting["mode"];
  readonly caFile?: string;
  readonly budgetSeconds: number;
  readonly help: boolean;
}

function parseArgs(argv: readonly string[]): CliOptions {
  let dryRun = false;
  let help = false;
  let tls: TlsSetting["mode"] | undefined;
  let caFile: string | undefined;
  let budgetSeconds = 70;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--dry-run") dryRun = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--tls") {
      const mode = value();
      if (mode !== "verify-full" && mode !== "require" && mode !== "disable")
        throw new UsageError(`--tls is "${mode}"; expected verify-full, require or disable`);
      tls = mode;
    } else if (arg === "--ca-file") caFile = value();
    else if (arg === "--budget-seconds") {
      const raw = value();
      budgetSeconds = Number(raw);
      if (!/^\d+$/.test(raw) || budgetSeconds < 1 || budgetSeconds > 900)
        throw new UsageError(`--budget-seconds is "${raw}"; expected an integer from 1 to 900`);
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  if (caFile !== undefined && tls !== undefined && tls !== "verify-full") throw new UsageError(`--ca-file needs --tls verify-full, not --tls ${tls}`);
  return { dryRun, tls, caFile, budgetSeconds, help };
}

function tlsSetting(options: CliOptions, log: Logger): TlsSetting {
  if (options.tls === "disable" || options.tls === "require") return { mode: options.tls };
  if (options.caFile !== undefined) {
    try {
      return { mode: "verify-full", ca: fs.readFileSync(options.caFile) };
    } catch (error) {
      throw new UsageError(`--ca-file ${options.caFile} is not readable: ${(error as Error).message}`);
    }
  }
  const chosen = defaultTls();
  if (chosen.warning !== undefined) log.warn(chosen.warning);
  return chosen.tls;
}

function streamLogger(write: (text: string) => void): Logger {
  const line = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => write(`${JSON.stringify({ level, message, ...fields })}\n`);
  return { info: line("INFO"), warn: line("WARN"), error: line("ERROR") };
}

/**
 * Runs one invocation from the command line and returns the exit code. Logs go to stderr, so stdout holds only the
 * dry run's requests.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo, overrides: Partial<HandlerDeps> = {}): Promise<number> {
  const log = overrides.log ?? streamLogger(io.stderr);
  let options: CliOptions;
  let tls: TlsSetting;
  try {
    options = parseArgs(argv);
    if (options.help) {
      io.stdout(USAGE);
      return 0;
    }
    tls = overrides.tls ?? tlsSetting(options, log);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`queue-depth-publisher: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const handler = createHandler({
    ...overrides,
    log,
    tls,
    budgetMs: overrides.budgetMs ?? options.budgetSeconds * 1000,
    ...(options.dryRun ? { putMetricData: async (input) => io.stdout(`${JSON.stringify(input)}\n`) } : {}),
  });
  try {
    await handler({}, { getRemainingTimeInMillis: () => Number.MAX_SAFE_INTEGER });
    return 0;
  } catch (error) {
    io.stderr(`queue-depth-publisher: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // Exit explicitly: the SDK's keep-alive sockets must not hold the process open (stdout/stderr are synchronous
  // for files and pipes on Linux, so nothing written is lost).
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
