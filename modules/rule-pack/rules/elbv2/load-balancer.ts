import type { ResourceView } from "../../resource-view";
import { literalString } from "../../values";

/** Load balancer and listener types of AWS provider 5 (`aws_alb*` are the old aliases). */
export const LOAD_BALANCER_TYPES = ["aws_lb", "aws_alb"] as const;
export const LISTENER_TYPES = ["aws_lb_listener", "aws_alb_listener"] as const;

/** An application load balancer (the default type). */
export const isApplicationLoadBalancer = (lb: ResourceView) => (literalString(lb.get("load_balancer_type")) ?? "application") === "application";
