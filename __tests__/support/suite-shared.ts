/**
 * The directory global setup shares with every Jest worker for one run (the offline Terraform configuration, the
 * toolchain it located, the PostgreSQL template cluster); global teardown removes it.
 */
export const SUITE_SHARED_DIR_VARIABLE = "AIRFLOW_SUITE_SHARED_DIR";

/** The run's shared directory, or undefined outside the suite (no global setup ran). */
export function suiteSharedDirectory(): string | undefined {
  return process.env[SUITE_SHARED_DIR_VARIABLE] || undefined;
}
