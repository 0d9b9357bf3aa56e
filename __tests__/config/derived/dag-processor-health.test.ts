import {
  checkBundleRefreshes,
  dagProcessorHealthCheck,
  ECS_HEALTH_CHECK_LIMITS,
  MAX_TOLERABLE_STALL_SECONDS,
} from "../../../config/derived/dag-processor-health";
import { repoEnvironments } from "../../support/synth";

/** The dag-processor's health check survives the longest bundle refresh the environment allows. */

/** Simulates ECS: a probe every `interval` s from `start`; the job looks dead while its heartbeat is older than 10.5 s. */
function replacedDuringStall(check: { interval: number; retries: number }, stallSeconds: number, offset: number): boolean {
  const heartbeatAt = 0;
  const nextHeartbeat = heartbeatAt + stallSeconds;
  let failures = 0;
  for (let t = offset; t < nextHeartbeat + 3 * check.interval; t += check.interval) {
    const dead = t > heartbeatAt + 10.5 && t < nextHeartbeat;
    failures = dead ? failures + 1 : 0;
    if (failures >= check.retries) return true;
  }
  return false;
}

describe("the dag-processor health check", () => {
  it("keeps a 60 s interval and adds retries for the bundles' refreshes", () => {
    // GIVEN a git and an s3 bundle (120 s each by default) and an EFS bundle (a local bundle refreshes instantly)
    const check = dagProcessorHealthCheck([{ source: "git" }, { source: "s3" }, { source: "efs" }]);
    // THEN 240 s of refresh + 30 s of loop work = 270 s stall, survived with floor(270 / 60) + 2 = 6 retries
    expect(check).toEqual({ interval: 60, timeout: 30, retries: 6, startPeriod: 180, toleratedStallSeconds: 270 });
  });

  it("grows the interval when the retries would pass ECS's 10", () => {
    const check = dagProcessorHealthCheck([{ source: "git", maxRefreshSeconds: 1200 }]);
    expect(check).toEqual({ interval: 154, timeout: 30, retries: 9, startPeriod: 180, toleratedStallSeconds: 1230 });
  });

  it("refuses a stall no ECS health check can survive", () => {
    expect(() => dagProcessorHealthCheck([{ source: "git", maxRefreshSeconds: MAX_TOLERABLE_STALL_SECONDS }])).toThrow(
      `the DAG bundles' refreshes may stall the dag-processor for ${MAX_TOLERABLE_STALL_SECONDS + 30} s; an ECS health check tolerates at most ${MAX_TOLERABLE_STALL_SECONDS} s`,
    );
  });

  it("reports the bundle whose refresh makes the stall intolerable, with the numbers", () => {
    expect(checkBundleRefreshes([{ source: "git", maxRefreshSeconds: 1800 }, { source: "s3" }, { source: "git", maxRefreshSeconds: 600 }])).toEqual([
      {
        path: "dags.bundles[2].maxRefreshSeconds",
        value: 600,
        problem:
          "brings the bundles' refreshes to 2520 s, which with the dag-processor's 30 s loop stalls its heartbeat longer than any ECS health check tolerates (2400 s: 8 intervals of 300 s); expected the bundles' maxRefreshSeconds to add up to at most 2370",
      },
    ]);
    expect(checkBundleRefreshes([{ source: "git", maxRefreshSeconds: 2370 }])).toEqual([]);
  });

  it.each(repoEnvironments().map((env) => [env.name, env] as const))(
    "in %s survives a stall of its longest refresh, at any phase, within ECS limits",
    (_name, env) => {
      const check = dagProcessorHealthCheck(env.dags.bundles);
      const [minInterval, maxInterval] = ECS_HEALTH_CHECK_LIMITS.interval;
      expect(check.interval).toBeGreaterThanOrEqual(minInterval);
      expect(check.interval).toBeLessThanOrEqual(maxInterval);
      expect(check.retries).toBeLessThanOrEqual(ECS_HEALTH_CHECK_LIMITS.retries[1]);
      for (let offset = 0; offset < check.interval; offset += 7) {
        expect(replacedDuringStall(check, check.toleratedStallSeconds, offset)).toBe(false);
      }
      // AND a processor that stopped heartbeating for good is still replaced
      expect(replacedDuringStall(check, 10_000, 0)).toBe(true);
    },
  );

  it("with Airflow 3.1.5's defaults, the old check (3 x 60 s) would replace a processor stalled by a 240 s refresh", () => {
    expect(replacedDuringStall({ interval: 60, retries: 3 }, 270, 0)).toBe(true);
  });
});
