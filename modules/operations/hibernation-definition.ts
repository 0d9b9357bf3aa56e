/**
 * The hibernation state machine's definition (Amazon States Language, JSONPath), as data: the order of the steps,
 * the waits between checks, and where errors go. Each Task invokes the hibernation Lambda for one step
 * (lambda/hibernation); pausing and resuming the queue-depth publisher's EventBridge rule are direct AWS SDK
 * integrations.
 */
import { HIBERNATION_ERRORS, POLL_SECONDS, type HibernationPlan, type HibernationStep } from "../../runtime/hibernation";

/** An execution that outlasts this is stopped (and alarmed on): the longest path waits about 2.5 hours. */
export const EXECUTION_TIMEOUT_SECONDS = 4 * 3600;

/** Lambda's transient errors, retried with backoff before a step counts as failed. */
const LAMBDA_TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];

export interface HibernationDefinitionInputs {
  /** ARN of the hibernation Lambda. */
  readonly functionArn: string;
  /** EventBridge rule of the queue-depth publisher: paused while hibernating (it would fail every minute against a stopped database). */
  readonly publisherRule: string;
  /** What the steps act on. */
  readonly plan: HibernationPlan;
}

/** One link of a path: a Lambda step (waiting ones loop until done) or a direct SDK call. */
type Link =
  | { readonly label: string; readonly step: HibernationStep; readonly waits?: boolean }
  | { readonly label: string; readonly sdk: string; readonly parameters: Readonly<Record<string, unknown>> };

/** The steps of each action, in order. */
export function hibernationPaths(publisherRule: string): {
  readonly hibernate: readonly Link[];
  readonly wake: readonly Link[];
  readonly keepStopped: readonly Link[];
} {
  return {
    hibernate: [
      // The state parameter first (a later wake-up supersedes this execution), then the alarms are muted.
      { label: "Hibernate: begin", step: "begin" },
      { label: "Hibernate: pause the queue-depth publisher", sdk: "eventbridge:disableRule", parameters: { Name: publisherRule } },
      // The schedules' tasks (the nightly db clean) would fail against the stopped database and notify.
      { label: "Hibernate: pause the schedules", step: "pause-schedules" },
      // No new work: the scheduler, dag-processor and triggerer stop first.
      { label: "Hibernate: stop scheduling", step: "stop-scheduling" },
      { label: "Hibernate: stop the worker pools", step: "stop-pools" },
      // Busy workers finish their tasks (warm shutdown) while the api-server still serves their Execution API calls.
      { label: "Hibernate: wait for the pools to drain", step: "pools-stopped", waits: true },
      { label: "Hibernate: stop the other services", step: "stop-serving" },
      // Hosts without tasks lose their scale-in protection, so the groups can empty.
      { label: "Hibernate: wait for every service to stop", step: "services-stopped", waits: true },
      { label: "Hibernate: empty the container-instance groups", step: "stop-capacity" },
      { label: "Hibernate: stop the database", step: "stop-database", waits: true },
    ],
    wake: [
      { label: "Wake: begin", step: "begin" },
      { label: "Wake: start the database", step: "start-database", waits: true },
      { label: "Wake: check the broker", step: "broker-available", waits: true },
      { label: "Wake: restore the container-instance groups", step: "start-capacity" },
      { label: "Wake: start the scheduler, api-server and the other services", step: "start-services" },
      { label: "Wake: wait for the services to run", step: "services-running", waits: true },
      { label: "Wake: resume the queue-depth publisher", sdk: "eventbridge:enableRule", parameters: { Name: publisherRule } },
      // Only those Terraform configures ENABLED: a schedule configured DISABLED stays off.
      { label: "Wake: resume the schedules", step: "resume-schedules" },
      { label: "Wake: restore the worker pools", step: "start-pools" },
      // The alarms stay muted until the platform ran a heartbeat end to end (or the wait ran out).
      { label: "Wake: wait for a heartbeat", step: "heartbeat-ok", waits: true },
      { label: "Wake: re-arm the alarms", step: "rearm-alarms" },
    ],
    // RDS started a database that had been stopped for seven days: stop it again once it is available.
    keepStopped: [{ label: "Keep stopped: stop the database again", step: "stop-database", waits: true }],
  };
}

type States = Record<string, Record<string, unknown>>;

function lambdaTask(functionArn: string, step: HibernationStep, waits: boolean, next: string, onError: string): Record<string, unknown> {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: {
      FunctionName: functionArn,
      Payload: { step, "action.$": "$.action", "plan.$": "$.plan", ...(waits ? { "since.$": "$.since.at" } : {}) },
    },
    ResultSelector: { "done.$": "$.Payload.done", "detail.$": "$.Payload.detail" },
    ResultPath: "$.result",
    Retry: [{ ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
    Catch: catches(onError),
    Next: next,
  };
}

function catches(onError: string): Record<string, unknown>[] {
  return [
    { ErrorEquals: [HIBERNATION_ERRORS.superseded], ResultPath: "$.error", Next: "Superseded" },
    { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: onError },
  ];
}

/** The states of one path: each link's states, chained to the next link, the last one to `end`. */
function pathStates(links: readonly Link[], functionArn: string, end: string, onError: string): States {
  const states: States = {};
  links.forEach((link, i) => {
    const next = i + 1 < links.length ? entryOf(links[i + 1]) : end;
    if ("sdk" in link) {
      states[link.label] = {
        Type: "Task",
        Resource: `arn:aws:states:::aws-sdk:${link.sdk}`,
        Parameters: link.parameters,
        ResultPath: null,
        Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 }],
        Catch: catches(onError),
        Next: next,
      };
      return;
    }
    if (!link.waits) {
      states[link.label] = lambdaTask(functionArn, link.step, false, next, onError);
      return;
    }
    // A waiting step: note when the wait began, check, and check again after POLL_SECONDS until the step is done.
    states[entryOf(link)] = { Type: "Pass", Parameters: { "at.$": "$$.State.EnteredTime" }, ResultPath: "$.since", Next: link.label };
    states[link.label] = lambdaTask(functionArn, link.step, true, `${link.label}?`, onError);
    states[`${link.label}?`] = {
      Type: "Choice",
      Choices: [{ Variable: "$.result.done", BooleanEquals: true, Next: next }],
      Default: `${link.label} (poll)`,
    };
    states[`${link.label} (poll)`] = { Type: "Wait", Seconds: POLL_SECONDS, Next: link.label };
  });
  return states;
}

/** The first state of a link: a waiting step starts with the Pass state that notes when its wait began. */
function entryOf(link: Link): string {
  return "step" in link && link.waits ? `${link.label} (start)` : link.label;
}

/**
 * The definition: the plan is set once (a Pass state), the action chooses the path. A failed wake-up re-arms the
 * alarms before failing, so a broken environment still alarms; a failed hibernation leaves them muted and fails (the
 * state machine's own alarms report both). A superseded execution ends quietly.
 */
export function hibernationDefinition(inputs: HibernationDefinitionInputs): Record<string, unknown> {
  const paths = hibernationPaths(inputs.publisherRule);
  const fn = inputs.functionArn;
  return {
    Comment: 'Hibernate or wake up an Airflow environment (input: {"action": "hibernate" | "wake" | "keep-stopped"})',
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    StartAt: "Plan",
    States: {
      Plan: { Type: "Pass", Result: inputs.plan, ResultPath: "$.plan", Next: "Action?" },
      "Action?": {
        Type: "Choice",
        Choices: [
          { Variable: "$.action", StringEquals: "hibernate", Next: entryOf(paths.hibernate[0]) },
          { Variable: "$.action", StringEquals: "wake", Next: entryOf(paths.wake[0]) },
          { Variable: "$.action", StringEquals: "keep-stopped", Next: entryOf(paths.keepStopped[0]) },
        ],
        Default: "Unknown action",
      },
      ...pathStates(paths.hibernate, fn, "Hibernating", "Hibernation failed"),
      ...pathStates(paths.wake, fn, "Awake", "Wake: re-arm the alarms after a failure"),
      ...pathStates(paths.keepStopped, fn, "Kept stopped", "Keeping the database stopped failed"),
      "Wake: re-arm the alarms after a failure": {
        ...lambdaTask(fn, "rearm-alarms", false, "Wake-up failed", "Wake-up failed"),
        ResultPath: "$.rearmed",
      },
      Hibernating: { Type: "Succeed" },
      Awake: { Type: "Succeed" },
      "Kept stopped": { Type: "Succeed" },
      Superseded: { Type: "Succeed", Comment: "A later action changed the state parameter; it carries on from here." },
      "Unknown action": { Type: "Fail", Error: "UnknownAction", Cause: 'Expected input {"action": "hibernate" | "wake" | "keep-stopped"}' },
      "Hibernation failed": { Type: "Fail", Error: "HibernationFailed", Cause: "A hibernation step failed; see the execution's history" },
      "Wake-up failed": { Type: "Fail", Error: "WakeUpFailed", Cause: "A wake-up step failed (the alarms were re-armed); see the execution's history" },
      "Keeping the database stopped failed": { Type: "Fail", Error: "KeepStoppedFailed", Cause: "Stopping the restarted database failed" },
    },
  };
}
