import type { FieldIssue } from "../spec/check";
import type { DagSourceKind } from "../schema";

/**
 * The longest a refresh of one bundle may take, per source, when the bundle does not say: a local (EFS) bundle's
 * refresh does nothing (LocalDagBundle), a Git fetch or an S3 sync of a large bundle can take minutes.
 */
export const DEFAULT_MAX_REFRESH_SECONDS: Readonly<Record<DagSourceKind, number>> = { efs: 0, git: 120, s3: 120 };

/** The dag-processor's own work in a loop iteration besides refreshing (file queue, callbacks, stale-DAG scans). */
export const PARSING_LOOP_OVERHEAD_SECONDS = 30;

/** ECS container health-check limits (seconds, except retries). */
export const ECS_HEALTH_CHECK_LIMITS = { interval: [5, 300], timeout: [2, 60], retries: [1, 10], startPeriod: [0, 300] } as const;

/** The CLI probe (`airflow jobs check`) imports Airflow: seconds, not milliseconds. */
const PROBE = { preferredInterval: 60, timeout: 30, startPeriod: 180 } as const;

/** The longest stall of the dag-processor's heartbeat the health check must survive, and how it does. */
export interface DagProcessorHealthCheck {
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly startPeriod: number;
  /** Seconds the heartbeat may stall: every bundle's longest refresh plus the loop's own work. */
  readonly toleratedStallSeconds: number;
}

/** The longest stall any container health check can tolerate within the ECS limits (retries - 2 full intervals). */
export const MAX_TOLERABLE_STALL_SECONDS = (ECS_HEALTH_CHECK_LIMITS.retries[1] - 2) * ECS_HEALTH_CHECK_LIMITS.interval[1];

/**
 * The dag-processor's container health check. In Airflow 3.1.5 `airflow jobs check --job-type DagProcessorJob --local`
 * calls the job alive while its heartbeat is younger than `[scheduler] job_heartbeat_sec` x 2.1 (10.5 s); the
 * `[dag_processor] health_check_threshold` option arrives only in 3.2.0. The processor heartbeats once per loop
 * iteration and refreshes due bundles in the same thread right after, so a Git fetch or an S3 sync stalls the
 * heartbeat for as long as it takes; in the worst case every bundle is due in the same iteration.
 *
 * A stall of S seconds makes the probe fail for at most S seconds (less the 10.5 s threshold, ignored here for
 * margin), which spans at most floor(S / interval) + 1 probes. ECS replaces the task after `retries` consecutive
 * failures, so retries = floor(S / interval) + 2 survives the stall and still replaces a dead processor within
 * S + 2 intervals. The interval stays at 60 s (each probe imports Airflow, a few CPU-seconds on a small task) unless
 * the retries would exceed ECS's 10; then it grows so that 8 intervals cover the stall.
 */
export function dagProcessorHealthCheck(bundles: readonly { readonly source: DagSourceKind; readonly maxRefreshSeconds?: number }[]): DagProcessorHealthCheck {
  const refresh = bundles.reduce((total, b) => total + (b.maxRefreshSeconds ?? DEFAULT_MAX_REFRESH_SECONDS[b.source]), 0);
  const stall = refresh + PARSING_LOOP_OVERHEAD_SECONDS;
  if (stall > MAX_TOLERABLE_STALL_SECONDS) {
    throw new Error(
      `the DAG bundles' refreshes may stall the dag-processor for ${stall} s; an ECS health check tolerates at most ${MAX_TOLERABLE_STALL_SECONDS} s`,
    );
  }
  const maxRetries = ECS_HEALTH_CHECK_LIMITS.retries[1];
  const interval = Math.floor(stall / PROBE.preferredInterval) + 2 <= maxRetries ? PROBE.preferredInterval : Math.ceil(stall / (maxRetries - 2));
  return {
    interval,
    timeout: PROBE.timeout,
    retries: Math.floor(stall / interval) + 2,
    startPeriod: PROBE.startPeriod,
    toleratedStallSeconds: stall,
  };
}

/**
 * The environment-level check behind `dagProcessorHealthCheck`: the bundles' longest refreshes together must fit what
 * an ECS health check can tolerate. The issue sits on the bundle whose refresh pushes the sum over the bound.
 */
export function checkBundleRefreshes(bundles: readonly { readonly source: DagSourceKind; readonly maxRefreshSeconds?: number }[]): FieldIssue[] {
  let stall = PARSING_LOOP_OVERHEAD_SECONDS;
  for (const [i, bundle] of bundles.entries()) {
    const refresh = bundle.maxRefreshSeconds ?? DEFAULT_MAX_REFRESH_SECONDS[bundle.source];
    stall += refresh;
    if (stall > MAX_TOLERABLE_STALL_SECONDS) {
      return [
        {
          path: `dags.bundles[${i}].maxRefreshSeconds`,
          value: refresh,
          problem: `brings the bundles' refreshes to ${stall - PARSING_LOOP_OVERHEAD_SECONDS} s, which with the dag-processor's ${PARSING_LOOP_OVERHEAD_SECONDS} s loop stalls its heartbeat longer than any ECS health check tolerates (${MAX_TOLERABLE_STALL_SECONDS} s: 8 intervals of 300 s); expected the bundles' maxRefreshSeconds to add up to at most ${MAX_TOLERABLE_STALL_SECONDS - PARSING_LOOP_OVERHEAD_SECONDS}`,
        },
      ];
    }
  }
  return [];
}
