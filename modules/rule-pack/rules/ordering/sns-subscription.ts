import { defineRule } from "../../rule";
import { literalString } from "../../values";
import { invokePermissions, missingPrerequisites, namedResource, type Prerequisite } from "./dependencies";

/** A subscription starts delivering only after its endpoint admits the topic. */
export const orderSnsSubscription = defineRule({
  id: "AIRFLOW_ORDER_SNS_SUBSCRIPTION",
  title: "SNS subscription after its endpoint's permission",
  rationale:
    "SNS accepts a queue or function subscription without checking the endpoint's resource policy and loses the messages it cannot deliver: the queue policy or Lambda permission must exist before the subscription.",
  resourceTypes: ["aws_sns_topic_subscription"],
  companions: ["aws_sqs_queue", "aws_sqs_queue_policy", "aws_lambda_function", "aws_lambda_permission"],
  check: (subscription, stack) => {
    const protocol = literalString(subscription.get("protocol"));
    const endpoint = subscription.get("endpoint");
    const prerequisites: Prerequisite[] = [];
    if (protocol === "sqs") {
      const queue = namedResource(stack, ["aws_sqs_queue"], endpoint, ["arn"]);
      if (queue) {
        const policies = stack.referrers("aws_sqs_queue_policy", "queue_url", queue);
        if (policies.length === 0) return `no aws_sqs_queue_policy in this stack lets the topic send to ${queue.address}`;
        prerequisites.push(...policies.map((policy) => ({ resource: policy, role: "the queue's policy" })));
      }
    }
    if (protocol === "lambda") {
      const { fn, permissions } = invokePermissions(stack, endpoint, "sns");
      if (fn && permissions.length === 0) return `no aws_lambda_permission in this stack lets sns.amazonaws.com invoke ${fn.address}`;
      prerequisites.push(...permissions.map((permission) => ({ resource: permission, role: "the function's invoke permission" })));
    }
    return missingPrerequisites(stack, subscription, prerequisites);
  },
});
