import { defineRule } from "../../rule";
import { block } from "../../values";

/** Checkov CKV_AWS_116, also met by an on-failure destination of the function's event invoke config. */
export const lambdaDeadLetter = defineRule({
  id: "CKV_AWS_116",
  title: "Lambda dead-letter queue or on-failure destination",
  rationale: "A failed asynchronous invocation must land somewhere it can be seen and replayed instead of vanishing.",
  resourceTypes: ["aws_lambda_function"],
  companions: ["aws_lambda_function_event_invoke_config"],
  check: (fn, stack) => {
    if (block(fn.get("dead_letter_config"))?.target_arn !== undefined) return undefined;
    const configs = stack.referrers("aws_lambda_function_event_invoke_config", "function_name", fn, ["function_name"]);
    const onFailure = configs.some((c) => block(block(block(c.get("destination_config"))?.on_failure))?.destination !== undefined);
    return onFailure ? undefined : "neither dead_letter_config.target_arn nor an on-failure destination (aws_lambda_function_event_invoke_config) is set";
  },
});
