import type { ResourceView } from "../../resource-view";
import { defineRule } from "../../rule";
import type { StackContext } from "../../stack-context";
import { blocks, type Attributes } from "../../values";

const TARGET_GROUPS = ["aws_lb_target_group", "aws_alb_target_group"];
const LISTENERS = ["aws_lb_listener", "aws_alb_listener"];
const LISTENER_RULES = ["aws_lb_listener_rule", "aws_alb_listener_rule"];

/** Whether one of the actions forwards to the target group (`target_group_arn`, or a weighted `forward` block). */
function forwardsTo(stack: StackContext, actions: readonly Attributes[], targetGroup: ResourceView): boolean {
  return actions.some((action) => {
    const arns = [action.target_group_arn, ...blocks(action.forward).flatMap((forward) => blocks(forward.target_group).map((t) => t.arn))];
    return arns.some((arn) => stack.referenced(targetGroup.type, arn) === targetGroup);
  });
}

/** The listeners (default action) and listener rules of this stack that route to a target group. */
function routesTo(stack: StackContext, targetGroup: ResourceView): ResourceView[] {
  return [
    ...LISTENERS.flatMap((type) => stack.resources(type)).filter((l) => forwardsTo(stack, blocks(l.get("default_action")), targetGroup)),
    ...LISTENER_RULES.flatMap((type) => stack.resources(type)).filter((r) => forwardsTo(stack, blocks(r.get("action")), targetGroup)),
  ];
}

/** An ECS service behind a load balancer is created only after a listener or listener rule routes to its target group. */
export const orderEcsServiceListener = defineRule({
  id: "AIRFLOW_ORDER_ECS_SERVICE_LISTENER",
  title: "ECS service after the listener routing to its target group",
  rationale:
    'CreateService refuses a target group no load balancer uses yet ("The target group with targetGroupArn ... does not have an associated load balancer"); the service must wait for the listener or listener rule that forwards to it.',
  resourceTypes: ["aws_ecs_service"],
  companions: [...TARGET_GROUPS, ...LISTENERS, ...LISTENER_RULES],
  check: (service, stack) =>
    blocks(service.get("load_balancer")).flatMap((lb) => {
      const targetGroup = TARGET_GROUPS.map((type) => stack.referenced(type, lb.target_group_arn)).find((t) => t !== undefined);
      if (!targetGroup) return [];
      const routes = routesTo(stack, targetGroup);
      if (routes.length === 0) return [`target group ${targetGroup.address} is routed to by no listener or listener rule in this stack`];
      if (routes.some((route) => stack.dependsOn(service, route))) return [];
      return [`does not wait for the listener or rule routing to ${targetGroup.address} (${routes.map((r) => r.address).join(" or ")}): add it to depends_on`];
    }),
});
