import {
  BACKLOG_HEADROOM_SECONDS,
  checkQueueTiming,
  QUEUED_CHECK_INTERVAL_SECONDS,
  queueTiming,
  REQUEUE_MARGIN_SECONDS,
  worstQueuedWait,
} from "../../../config/derived/queue-timing";
import { worstCaseScaleOutSeconds } from "../../../config/derived/queue-scaling";
import { repoEnvironments } from "../../support/synth";

/** The token rule (config/derived/queue-timing.ts): no queued task outlives its Execution-API token. */

describe("the worst queued-to-running wait", () => {
  it("adds the autoscaling's decision time, the slowest worker start and the backlog headroom", () => {
    // GIVEN an EC2 pool and a Fargate pool
    const wait = worstQueuedWait([
      { name: "small", capacity: "fargate" },
      { name: "big", capacity: "ec2" },
    ]);
    // THEN EC2 from zero is the slowest path: 45 s decision + 405 s (scale the ASG, boot, pull, start) + 300 s
    expect(wait).toEqual({ seconds: 750, pool: "big", capacity: "ec2", scaleOutDecision: 45, workerStart: 405, backlogHeadroom: BACKLOG_HEADROOM_SECONDS });
    expect(wait.scaleOutDecision).toBe(worstCaseScaleOutSeconds());
  });

  it("is shorter for Fargate-only environments", () => {
    expect(worstQueuedWait([{ name: "p", capacity: "fargate-spot" }])).toMatchObject({ seconds: 570, workerStart: 225 });
  });
});

describe("the queue timing", () => {
  it("sets the queued timeout to the next minute past the wait, and the token to timeout + check interval + margin, in minutes", () => {
    const wait = worstQueuedWait([{ name: "p", capacity: "ec2" }]);
    expect(queueTiming(wait)).toEqual({ taskQueuedTimeout: 780, checkInterval: 120, jwtExpiration: 960 });
    expect(queueTiming(worstQueuedWait([{ name: "p", capacity: "fargate" }]))).toEqual({ taskQueuedTimeout: 600, checkInterval: 120, jwtExpiration: 780 });
  });

  it("derives the token lifetime from an overridden timeout or check interval", () => {
    const wait = worstQueuedWait([{ name: "p", capacity: "fargate" }]);
    expect(queueTiming(wait, { taskQueuedTimeout: 1800, checkInterval: 60 })).toEqual({ taskQueuedTimeout: 1800, checkInterval: 60, jwtExpiration: 1920 });
  });

  it.each(repoEnvironments().map((env) => [env.name, env] as const))(
    "keeps the rule in %s: timeout > worst wait, token > timeout + check interval",
    (_name, env) => {
      const wait = worstQueuedWait(env.workerPools);
      const timing = queueTiming(wait);
      expect(timing.taskQueuedTimeout).toBeGreaterThan(wait.seconds);
      expect(timing.jwtExpiration).toBeGreaterThanOrEqual(timing.taskQueuedTimeout + QUEUED_CHECK_INTERVAL_SECONDS + REQUEUE_MARGIN_SECONDS);
      expect(timing.jwtExpiration).toBeGreaterThan(wait.seconds);
      expect(checkQueueTiming(wait, timing)).toEqual([]);
      // AND the token is no longer than the rule needs, rounded to the minute
      expect(timing.jwtExpiration - (timing.taskQueuedTimeout + timing.checkInterval + REQUEUE_MARGIN_SECONDS)).toBeLessThan(60);
    },
  );
});

describe("a broken token rule", () => {
  const wait = worstQueuedWait([{ name: "default", capacity: "ec2" }]);

  it("names a queued timeout the wait reaches, with the wait's parts", () => {
    expect(checkQueueTiming(wait, { taskQueuedTimeout: 600, checkInterval: 120, jwtExpiration: 3600 })).toEqual([
      {
        option: "scheduler.task_queued_timeout",
        value: 600,
        problem:
          "is not longer than the worst wait for a worker, 750 s (45 s scale-out decision + 405 s worker start on EC2 from zero (pool default) + 300 s backlog headroom): the scheduler would revoke tasks that are only waiting for a scale-out; expected more than 750",
      },
    ]);
  });

  it("names a token that expires before the scheduler requeues", () => {
    expect(checkQueueTiming(wait, { taskQueuedTimeout: 780, checkInterval: 120, jwtExpiration: 600 })).toEqual([
      {
        option: "execution_api.jwt_expiration_time",
        value: 600,
        problem:
          "lets a queued task's token expire before the scheduler requeues the task with a fresh one: task_queued_timeout 780 s + check interval 120 s + 60 s margin = 960 s; expected at least 960",
      },
    ]);
  });
});
