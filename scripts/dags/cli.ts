/**
 * The command line of `npm run deploy-dags`: arguments and the environment's configuration become a DeployPlan, and
 * everything that can be refused without AWS is refused here (usage errors exit 2).
 */
import { ENVIRONMENTS_DIR } from "../../config/load";
import { cliEnvironment } from "../lib/cli-environment";
import type { DagBundleConfig, EfsDagBundleConfig, EnvironmentConfig, GitDagBundleConfig, S3DagBundleConfig } from "../../config/schema";
import { DAG_RELEASE_VERSION_PATTERN } from "../../runtime/dag-delivery";
import { CliError, parseCommandLine } from "../lib/cli";
import { isValidReleaseVersion } from "../lib/dag-release";

export const USAGE = [
  "usage: npm run deploy-dags -- --env <env> [--bundle <name>] [--from <dir>] [--version <version>] [--timeout-minutes N] [--no-wait]",
  "",
  "  --env <name>          the environment (config/environments/<name>.json)",
  "  --bundle <name>       the DAG bundle to deliver; default: the environment's only EFS or S3 bundle",
  "  --from <dir>          the DAG folder to deliver (.git/, __pycache__/, *.pyc and .DS_Store are left out)",
  "  --version <version>   EFS bundles: the release version (default <UTC yyyymmddTHHMMSSZ>-<sha256 prefix>);",
  "                        without --from, switches back to that already uploaded release",
  "  --timeout-minutes N   EFS bundles: how long to wait for the sync task (1-120, default 15)",
  "  --no-wait             EFS bundles: start the sync task and return without waiting for it",
  "  --environments-dir <dir>  read environment files from <dir> (default config/environments)",
].join("\n");

export const DEFAULT_TIMEOUT_MINUTES = 15;
export const MAX_TIMEOUT_MINUTES = 120;

/** What one run does, decided from the arguments and the environment's configuration before any AWS call. */
export type DeployPlan =
  | { readonly kind: "git"; readonly config: EnvironmentConfig; readonly bundles: readonly GitDagBundleConfig[] }
  | {
      readonly kind: "efs";
      readonly config: EnvironmentConfig;
      readonly bundle: EfsDagBundleConfig;
      /** Absent: roll back to `version`, which must already be uploaded. */
      readonly from?: string;
      readonly version?: string;
      readonly wait: boolean;
      readonly timeoutMinutes: number;
    }
  | { readonly kind: "s3"; readonly config: EnvironmentConfig; readonly bundle: S3DagBundleConfig; readonly from: string };

const OPTIONS = {
  env: { type: "string" },
  bundle: { type: "string" },
  from: { type: "string" },
  version: { type: "string" },
  "timeout-minutes": { type: "string" },
  "no-wait": { type: "boolean", default: false },
  "environments-dir": { type: "string" },
} as const;

type Arguments = ReturnType<typeof parseCommandLine<typeof OPTIONS>>["values"];

const usageError = (message: string) => new CliError(`${message}\n\n${USAGE}`, 2);
const describeBundles = (bundles: readonly DagBundleConfig[]) => bundles.map((b) => `${b.name} (${b.source})`).join(", ");

/** Parses the arguments and loads the environment: everything that can be refused without AWS. */
export function planDeployment(argv: readonly string[], environmentsDir = ENVIRONMENTS_DIR): DeployPlan {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE);
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  if (!values.env) throw usageError("--env <env> is required");
  const config = cliEnvironment(values.env, values["environments-dir"] ?? environmentsDir, { usage: USAGE });
  const bundle = selectBundle(config, values.bundle);
  // Nothing of a git bundle is delivered from here, whatever else the arguments say.
  if (Array.isArray(bundle)) return { kind: "git", config, bundles: bundle };
  if (bundle.source === "git") return { kind: "git", config, bundles: [bundle] };

  const version = values.version;
  if (version !== undefined && !isValidReleaseVersion(version)) {
    throw usageError(
      `--version "${version}" is not a valid release version; expected ${DAG_RELEASE_VERSION_PATTERN} (letters, digits, ".", "_" and "-", at most 64 characters, starting with a letter or digit)`,
    );
  }
  const timeoutMinutes = timeoutOf(values["timeout-minutes"]);
  return bundle.source === "s3" ? s3Plan(config, bundle, values) : efsPlan(config, bundle, values, timeoutMinutes);
}

/** The bundle named by --bundle, else the environment's only EFS or S3 bundle, else (none of those) its git bundles. */
function selectBundle(config: EnvironmentConfig, name: string | undefined): DagBundleConfig | GitDagBundleConfig[] {
  const bundles = config.dags.bundles;
  if (name !== undefined) {
    const found = bundles.find((b) => b.name === name);
    if (!found) throw usageError(`environment "${config.name}" has no DAG bundle "${name}"; its bundles: ${describeBundles(bundles)}`);
    return found;
  }
  const deliverable = bundles.filter((b) => b.source !== "git");
  if (deliverable.length > 1) throw usageError(`environment "${config.name}" has several DAG bundles; choose one with --bundle: ${describeBundles(bundles)}`);
  if (deliverable.length === 0) return bundles.filter((b): b is GitDagBundleConfig => b.source === "git");
  return deliverable[0];
}

function timeoutOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MINUTES;
  const minutes = Number(raw);
  if (!/^\d+$/.test(raw) || minutes < 1 || minutes > MAX_TIMEOUT_MINUTES) {
    throw usageError(`--timeout-minutes is "${raw}"; expected a whole number of minutes from 1 to ${MAX_TIMEOUT_MINUTES}`);
  }
  return minutes;
}

function s3Plan(config: EnvironmentConfig, bundle: S3DagBundleConfig, values: Arguments): DeployPlan {
  if (values.version !== undefined) {
    throw usageError(
      `--version does not apply to S3 bundle "${bundle.name}": Airflow's S3DagBundle is not versioned (it syncs whatever the prefix holds), so there is no release to select; deliver a folder with --from <dir>`,
    );
  }
  if (values.from === undefined) throw usageError(`S3 bundle "${bundle.name}" needs --from <dir>: the folder to mirror to its prefix`);
  return { kind: "s3", config, bundle, from: values.from };
}

function efsPlan(config: EnvironmentConfig, bundle: EfsDagBundleConfig, values: Arguments, timeoutMinutes: number): DeployPlan {
  if (values.from === undefined && values.version === undefined) {
    throw usageError(`EFS bundle "${bundle.name}" needs --from <dir> to deploy a folder, or --version <version> to switch back to a release uploaded before`);
  }
  return { kind: "efs", config, bundle, from: values.from, version: values.version, wait: !values["no-wait"], timeoutMinutes };
}
