import { defineRule } from "../../rule";
import { invokePermissions, missingPrerequisites, namedResource, ROLE_PERMISSION_TYPES, rolePermissions, type Prerequisite } from "./dependencies";

/** An EventBridge target is added only after the target admits EventBridge. */
export const orderEventTarget = defineRule({
  id: "AIRFLOW_ORDER_EVENT_TARGET",
  title: "EventBridge target after the target's permission",
  rationale:
    "PutTargets does not check the target's resource policy or the target role: events matched before the Lambda permission, queue or topic policy or role policy exists fail (FailedInvocations), and a rate schedule fires as soon as the target is in place.",
  resourceTypes: ["aws_cloudwatch_event_target"],
  companions: [
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_sqs_queue",
    "aws_sqs_queue_policy",
    "aws_sns_topic",
    "aws_sns_topic_policy",
    "aws_iam_role",
    ...ROLE_PERMISSION_TYPES,
  ],
  check: (target, stack) => {
    const arn = target.get("arn");
    const prerequisites: Prerequisite[] = [...rolePermissions(stack, target.get("role_arn"), "the target role")];
    const { fn, permissions } = invokePermissions(stack, arn, "events");
    if (fn && permissions.length === 0) return `no aws_lambda_permission in this stack lets events.amazonaws.com invoke ${fn.address}`;
    prerequisites.push(...permissions.map((permission) => ({ resource: permission, role: "the function's invoke permission" })));
    const queue = namedResource(stack, ["aws_sqs_queue"], arn, ["arn"]);
    if (queue)
      prerequisites.push(...stack.referrers("aws_sqs_queue_policy", "queue_url", queue).map((policy) => ({ resource: policy, role: "the queue's policy" })));
    const topic = namedResource(stack, ["aws_sns_topic"], arn, ["arn"]);
    if (topic) prerequisites.push(...stack.referrers("aws_sns_topic_policy", "arn", topic).map((policy) => ({ resource: policy, role: "the topic's policy" })));
    return missingPrerequisites(stack, target, prerequisites);
  },
});
