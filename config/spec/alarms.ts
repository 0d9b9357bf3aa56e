/** Where the environment's alarms and task-failure notifications go. */
import { bool, list, obj, oneOf, str } from "./language";

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
  },
  { default: {}, doc: "The environment's alarm topic and what it notifies." },
);
