import type { DagBundleConfig, GitDagBundleConfig } from "../../config/schema";
import { DAG_BUCKET_LAYOUT, efsBundlePath } from "../../runtime/dag-delivery";
import { IMAGE_DAG_BUNDLE_NAME, IMAGE_DAGS_FOLDER } from "../../runtime/airflow-image";

/**
 * The one place Airflow's `[dag_processor] dag_bundle_config_list` is rendered from the environment's `dags`
 * config, for every component that needs it, plus what Git bundles need beside it (their connections).
 */

export const BUNDLE_CLASSPATHS = {
  local: "airflow.dag_processing.bundles.local.LocalDagBundle",
  git: "airflow.providers.git.bundles.git.GitDagBundle",
  s3: "airflow.providers.amazon.aws.bundles.s3.S3DagBundle",
} as const;

/** One entry of `dag_bundle_config_list`. */
export interface DagBundleEntry {
  readonly name: string;
  readonly classpath: string;
  readonly kwargs: Readonly<Record<string, string | number>>;
}

/** The platform DAGs baked into the image: always listed, after the environment's bundles. */
export const IMAGE_DAG_BUNDLE: DagBundleEntry = { name: IMAGE_DAG_BUNDLE_NAME, classpath: BUNDLE_CLASSPATHS.local, kwargs: { path: IMAGE_DAGS_FOLDER } };

/** The Airflow connection id of a Git bundle (its credentials, or an anonymous connection for public repositories). */
export function gitConnectionId(bundle: Pick<GitDagBundleConfig, "name">): string {
  return `dag_bundle_${bundle.name.replace(/-/g, "_")}`;
}

/** The environment variable Airflow reads that connection from (`AIRFLOW_CONN_<ID>`). */
export function gitConnectionVariable(bundle: Pick<GitDagBundleConfig, "name">): string {
  return `AIRFLOW_CONN_${gitConnectionId(bundle).toUpperCase()}`;
}

/** The full S3 prefix of an S3 bundle in the DAG bucket (no trailing slash). */
export function s3BundlePrefix(prefix: string): string {
  return `${DAG_BUCKET_LAYOUT.bundles}/${prefix}`;
}

/** The bundle list entry of one configured bundle; `dagBucket` is the DAG bucket's name (a token in stacks). */
export function bundleEntry(bundle: DagBundleConfig, dagBucket: string): DagBundleEntry {
  const refresh = { refresh_interval: bundle.refreshIntervalSeconds };
  switch (bundle.source) {
    case "efs":
      return { name: bundle.name, classpath: BUNDLE_CLASSPATHS.local, kwargs: { path: efsBundlePath(bundle.name), ...refresh } };
    case "git":
      return {
        name: bundle.name,
        classpath: BUNDLE_CLASSPATHS.git,
        kwargs: {
          repo_url: bundle.repository,
          tracking_ref: bundle.ref,
          ...(bundle.subdir ? { subdir: bundle.subdir } : {}),
          git_conn_id: gitConnectionId(bundle),
          ...refresh,
        },
      };
    case "s3":
      return {
        name: bundle.name,
        classpath: BUNDLE_CLASSPATHS.s3,
        kwargs: { bucket_name: dagBucket, prefix: s3BundlePrefix(bundle.prefix), aws_conn_id: "aws_default", ...refresh },
      };
  }
}

/**
 * `AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST`: the configured bundles in config order, then the image's
 * platform DAGs. Never carries a credential (Airflow shows bundle kwargs through its config API).
 */
export function dagBundleConfigList(bundles: readonly DagBundleConfig[], dagBucket: string): string {
  return JSON.stringify([...bundles.map((b) => bundleEntry(b, dagBucket)), IMAGE_DAG_BUNDLE]);
}

/**
 * The Git connections of the bundles: a bundle with credentials reads its connection from its secret (ECS
 * `secrets`), a public repository gets an anonymous one (so Airflow does not warn about a missing connection).
 */
export function gitConnections(bundles: readonly DagBundleConfig[]): {
  readonly secrets: Record<string, string>;
  readonly environment: Record<string, string>;
} {
  const secrets: Record<string, string> = {};
  const environment: Record<string, string> = {};
  for (const bundle of bundles) {
    if (bundle.source !== "git") continue;
    if (bundle.credentialsSecretArn) secrets[gitConnectionVariable(bundle)] = bundle.credentialsSecretArn;
    else environment[gitConnectionVariable(bundle)] = JSON.stringify({ conn_type: "git" });
  }
  return { secrets, environment };
}

/** The bundles of one source. */
export function bundlesOf<S extends DagBundleConfig["source"]>(bundles: readonly DagBundleConfig[], source: S): Extract<DagBundleConfig, { source: S }>[] {
  return bundles.filter((b): b is Extract<DagBundleConfig, { source: S }> => b.source === source);
}
