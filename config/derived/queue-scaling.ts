/**
 * The queue-depth autoscaling's timing: how the publisher samples and how the scaling alarms evaluate. The constructs
 * of modules/operations render these; the queue-timing rule (queue-timing.ts) builds on the worst-case decision time.
 */

/**
 * How the publisher samples: 5 samples 10 s apart per invocation (0-40 s, so each invocation ends well before the
 * next minute's), one invocation a minute (EventBridge's minimum): a backlog is seen at most 20 s after it appears.
 */
export const PUBLISHER_SAMPLING = { scheduleSeconds: 60, samplesPerInvocation: 5, sampleIntervalSeconds: 10 } as const;

/**
 * The scaling alarms. Scale out fast: a 10-second high-resolution period, one breaching datapoint. Scale in slowly:
 * five consecutive minutes of surplus, and a 5-minute cooldown, so short lulls between DAG runs keep their workers.
 */
export const SCALING = {
  scaleOut: { periodSeconds: 10, evaluationPeriods: 1, datapointsToAlarm: 1, cooldownSeconds: 30 },
  scaleIn: { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 5, cooldownSeconds: 300 },
  /** Application Auto Scaling step policies take at most 20 steps. */
  maxSteps: 20,
} as const;

/** Margins of the latency bound: invocation start with a cold start and DB connect, and PutMetricData. */
export const LATENCY_MARGINS = { startupSeconds: 3, publishSeconds: 2 } as const;

/**
 * Worst case from a backlog appearing to the scale-out alarm invoking its policy, from the configuration: the
 * longest gap between two samples (within an invocation, or from the last sample to the next invocation's first,
 * which also pays the invocation's start-up), plus publishing, plus the alarm's evaluation window, plus one period
 * for the alarm's evaluation cadence (a high-resolution alarm is evaluated every period).
 */
export function worstCaseScaleOutSeconds(
  sampling: { scheduleSeconds: number; samplesPerInvocation: number; sampleIntervalSeconds: number } = PUBLISHER_SAMPLING,
  alarm: { periodSeconds: number; datapointsToAlarm: number } = SCALING.scaleOut,
  margins: { startupSeconds: number; publishSeconds: number } = LATENCY_MARGINS,
): number {
  const span = (sampling.samplesPerInvocation - 1) * sampling.sampleIntervalSeconds;
  const maxGap = Math.max(sampling.sampleIntervalSeconds, sampling.scheduleSeconds - span + margins.startupSeconds);
  return maxGap + margins.publishSeconds + alarm.periodSeconds * alarm.datapointsToAlarm + alarm.periodSeconds;
}
