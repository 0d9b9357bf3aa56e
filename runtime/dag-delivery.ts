/** How DAG releases travel: the DAG bucket's layout, an EFS bundle's layout and the sync task's command. */
import { DAGS_FOLDER } from "./airflow-image";

/**
 * The environment's DAG bucket: S3 bundles under `dags/<prefix>/`, EFS releases uploaded by `deploy-dags` under
 * `releases/<bundle>/<version>.tar.gz` (object metadata `sha256`: hex SHA-256 of the archive).
 */
export const DAG_BUCKET_LAYOUT = { bundles: "dags", releases: "releases", sha256Metadata: "sha256" } as const;

/**
 * An EFS bundle on the DAG file system (mounted at DAGS_FOLDER): `<bundle>/releases/<version>/` holds complete
 * releases, `<bundle>/current` is a relative symlink to one of them, switched atomically by the sync task.
 */
export const EFS_BUNDLE_LAYOUT = { current: "current", releases: "releases" } as const;

/** A release version: what deploy-dags uploads and the sync task accepts (docker/config/airflow_ecs/dag_sync.py mirrors it). */
export const DAG_RELEASE_VERSION_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

/** The sync task's command: the image's Python module, run by the official entrypoint's `python` pass-through. */
export const DAG_SYNC_COMMAND = ["python", "-m", "airflow_ecs.dag_sync"] as const;

/** The folder Airflow reads an EFS bundle from. */
export function efsBundlePath(bundle: string): string {
  return `${DAGS_FOLDER}/${bundle}/${EFS_BUNDLE_LAYOUT.current}`;
}
