/** Where the environment's alarms and task-failure notifications go, and the thresholds of the alarms on Airflow's own signals. */
import type { AlarmThresholds, EnvironmentConfig } from "../schema";
import { bool, derived, int, list, num, obj, oneOf, str } from "./language";

/**
 * A further subscription of the environment's topic. The endpoint's form depends on the protocol and is checked
 * with the environment (validate.ts): an https URL, an e-mail address, or the ARN of an SQS queue or Lambda function
 * of the environment's account and region.
 */
const subscription = obj(
  {
    protocol: oneOf(["email", "https", "sqs", "lambda"], {
      doc: "How SNS delivers: `email`, `https` (a webhook, e.g. a chat integration), `sqs` or `lambda` (the queue or function must admit the topic).",
    }),
    endpoint: str("an https URL, an e-mail address, or an SQS queue or Lambda function ARN, as the protocol requires", {
      pattern: /^\S{3,2048}$/,
      doc: "Where the messages go; its form depends on `protocol`.",
    }),
    messages: oneOf(["all", "alarms", "task-failures"], {
      default: "all",
      doc: "Which messages this endpoint receives (an SNS filter policy on the `airflow_ecs_kind` message attribute): everything, the platform alarms only, or Airflow task failures only.",
    }),
  },
  { doc: "One subscription of the environment's topic." },
);

/**
 * Queued-to-running p95 the scheduling-latency alarm allows: production keeps warm workers and expects a task to start
 * within two minutes (one scale-out plus an EC2 host's start); elsewhere pools scale from zero and a host may have to
 * boot first, so ten minutes.
 */
function schedulingLatencyP95Seconds(_thresholds: AlarmThresholds, config: EnvironmentConfig): number {
  return config.production ? 120 : 600;
}

const thresholds = obj(
  {
    schedulerHeartbeatMissingMinutes: int(2, 60, {
      default: 3,
      doc: "Minutes without a scheduler heartbeat (`airflow.scheduler_heartbeat`) before the alarm; it also fires when the metrics collector is down.",
    }),
    schedulerLoopSeconds: num(1, 3600, {
      default: 30,
      doc: "Longest scheduler loop (`airflow.scheduler.scheduler_loop_duration`, worst minute over 5 minutes) before the alarm.",
    }),
    dagImportErrors: int(0, 100000, {
      default: 0,
      doc: "DAG files that may fail to import (`airflow.dag_processing.import_errors`) before the alarm.",
    }),
    executorSlotsExhaustedMinutes: int(1, 1440, {
      default: 10,
      doc: "Minutes the executor may have no open slot (`airflow.executor.open_slots` at 0) before the alarm.",
    }),
    starvingTasks: int(0, 100000, {
      default: 0,
      doc: "Tasks that may wait for a full Airflow pool (`airflow.scheduler.tasks.starving`, 15-minute average) before the alarm.",
    }),
    tasksWithoutHeartbeatKilled: int(0, 100000, {
      default: 0,
      doc: "Zombie task instances failed in 5 minutes (`airflow.task_instances_without_heartbeats_killed`) before the alarm.",
    }),
    tasksKilledExternally: int(0, 100000, {
      default: 0,
      doc: "Task instances killed outside Airflow in 5 minutes (`airflow.scheduler.tasks.killed_externally`) before the alarm.",
    }),
    dagParseSeconds: num(1, 86400, {
      default: 120,
      doc: "Seconds to parse every DAG file once (`airflow.dag_processing.total_parse_time`, 15 minutes) before the alarm.",
    }),
    triggererCapacityLeft: int(0, 100000, {
      default: 50,
      doc: "Triggers a triggerer must still be able to take (`airflow.triggerer.capacity_left`); below it for 10 minutes, the alarm.",
    }),
    schedulingLatencyP95Seconds: num(1, 86400, {
      derive: derived("120 in production, 600 elsewhere", schedulingLatencyP95Seconds),
      doc: "p95 of queued-to-running seconds per worker pool (`QueuedToRunningSeconds`, 15 minutes) before the alarm.",
    }),
    failedTasksPer5Minutes: int(0, 100000, {
      default: 10,
      doc: "Task instances of one worker pool that may end `failed` in 5 minutes (`FailedTasks`) before the alarm.",
    }),
  },
  { default: {}, doc: "Thresholds of the alarms on Airflow's own metrics (README, Operations, Metrics)." },
);

export const alarms = obj(
  {
    email: str("an e-mail address", {
      pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
      optional: true,
      doc: "E-mail subscribed to the environment's alarm topic (required in production).",
    }),
    subscriptions: list(subscription, 0, 10, {
      default: [],
      doc: "Further subscriptions of the alarm topic: webhooks (chat), queues, functions, more e-mail addresses.",
    }),
    taskFailureNotifications: bool({
      default: true,
      doc: "Every task of every DAG notifies the alarm topic when it fails (the image's cluster policy attaches the notifier; a DAG opts out with the tag `airflow-ecs:no-failure-notification`).",
    }),
    thresholds,
  },
  { default: {}, doc: "The environment's alarm topic, what it notifies, and the thresholds of the alarms on Airflow's own metrics." },
);
