/** How DAG code reaches the components: Airflow DAG bundles from EFS, Git or S3 (README "Deploying DAGs"). */
import type { DagBundleConfig, S3DagBundleConfig } from "../schema";
import { DEFAULT_MAX_REFRESH_SECONDS, MAX_TOLERABLE_STALL_SECONDS, PARSING_LOOP_OVERHEAD_SECONDS } from "../derived/dag-processor-health";
import { SECRET_ARN } from "./common";
import { derived, int, list, obj, str, variant } from "./language";

/** A local folder is cheap to rescan; a fetch or an S3 listing is not. */
const DEFAULT_REFRESH_SECONDS = { efs: 60, git: 300, s3: 300 } as const;

function refreshSeconds(bundle: DagBundleConfig): number {
  return DEFAULT_REFRESH_SECONDS[bundle.source];
}

function maxRefreshSeconds(bundle: DagBundleConfig): number {
  return DEFAULT_MAX_REFRESH_SECONDS[bundle.source];
}

function bundleName(bundle: S3DagBundleConfig): string {
  return bundle.name;
}

const REPOSITORY_PATH = /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._\/-]{1,200}$/;

const common = {
  name: str("1-32 lowercase letters, digits or inner hyphens, starting with a letter (a folder, an S3 prefix and a connection id derive from it)", {
    pattern: /^[a-z](?!.*--)[a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/,
    doc: "Bundle name: Airflow's bundle name, the folder of an EFS bundle, the default S3 prefix; unique per environment.",
  }),
  refreshIntervalSeconds: int(10, 86400, {
    doc: "Seconds between refreshes: how often Airflow looks for new files (EFS), fetches the repository (Git) or syncs the prefix (S3).",
    derive: derived("60 for efs, 300 for git and s3", refreshSeconds),
  }),
  maxRefreshSeconds: int(0, MAX_TOLERABLE_STALL_SECONDS - PARSING_LOOP_OVERHEAD_SECONDS, {
    doc: "The longest one refresh of the bundle may take (a Git fetch, an S3 sync): the dag-processor refreshes in its heartbeat loop, so its health check tolerates the sum over the bundles (config/derived/dag-processor-health.ts).",
    derive: derived("0 for efs (a local bundle's refresh does nothing), 120 for git and s3", maxRefreshSeconds),
  }),
};

const bundle = variant(
  "source",
  "DAG bundle",
  {
    efs: { ...common },
    git: {
      ...common,
      repository: str("a clone URL: https://host/owner/repo.git (without credentials) or git@host:owner/repo.git", {
        pattern: /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~\/-]+|(ssh:\/\/)?git@[A-Za-z0-9.-]+[:\/][A-Za-z0-9._~\/-]+)$/,
        doc: "Clone URL: `https://host/owner/repo.git` (no credentials in it) or `git@host:owner/repo.git`.",
      }),
      ref: str("a branch or tag name, or a full 40-character commit SHA (letters, digits, . _ / -; no ..)", {
        pattern: REPOSITORY_PATH,
        doc: "Branch or tag to follow, or a full 40-character commit SHA to pin.",
      }),
      subdir: str("a relative folder of the repository such as dags (letters, digits, . _ / -; no ..)", {
        pattern: REPOSITORY_PATH,
        optional: true,
        doc: "Folder of the repository holding the DAGs (absent: the repository root).",
      }),
      credentialsSecretArn: str("a Secrets Manager secret ARN, e.g. arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/dev/dags-git-AbC123", {
        pattern: SECRET_ARN,
        optional: true,
        doc: 'Secrets Manager secret (in the environment\'s account and region) holding the Airflow git connection as JSON: a token (`{"conn_type": "git", "login": "x-access-token", "password": "<token>"}`) or a deploy key (`{"conn_type": "git", "extra": {"private_key": "<key>"}}`). Required for SSH URLs; leave out for public HTTPS repositories.',
      }),
    },
    s3: {
      ...common,
      prefix: str("a folder under dags/ in the DAG bucket: lowercase letters, digits, . _ - and inner slashes, no ..", {
        pattern: /^(?!.*\.\.)[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/,
        doc: "Folder of the bundle under `dags/` in the environment's DAG bucket (`s3://<dag bucket>/dags/<prefix>/`).",
        derive: derived("the bundle name", bundleName),
      }),
    },
  },
  {
    variantDocs: {
      efs: "DAG files on the environment's EFS file system, delivered by `npm run deploy-dags` (atomic release switch).",
      git: "Airflow's GitDagBundle: every component clones the repository and follows `ref`.",
      s3: "Airflow's S3DagBundle on the environment's DAG bucket: every component syncs the prefix.",
    },
  },
);

export const dags = obj(
  {
    bundles: list(bundle, 1, 10, {
      default: [{ name: "dags", source: "efs" }],
      doc: "The environment's DAG bundles, in the order Airflow lists them; the image's platform DAGs are always added.",
    }),
    keepReleases: int(2, 50, {
      default: 5,
      doc: "EFS releases kept per bundle (the current one included): what `deploy-dags --version` can switch back to without uploading again.",
    }),
    deployRepositories: list(str("owner/repo of a GitHub repository delivering DAGs", { pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/ }), 0, 20, {
      default: [],
      doc: "GitHub repositories (`owner/repo`) whose workflows may deliver this environment's EFS and S3 bundles, from the repository's GitHub environment of this environment's name (OIDC role `<prefix>-<env>-ci-dags`).",
    }),
  },
  { default: {}, doc: "How DAG code reaches the components: Airflow DAG bundles from EFS, Git or S3." },
);
