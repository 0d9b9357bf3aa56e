import { defineRule } from "../../rule";
import { literalString } from "../../values";
import { missingPrerequisites } from "./dependencies";

/** An ECS scalable target is registered only after the service it scales. */
export const orderScalingTarget = defineRule({
  id: "AIRFLOW_ORDER_SCALING_TARGET",
  title: "Scalable target after its ECS service",
  rationale:
    "RegisterScalableTarget refuses an ECS service that does not exist yet, and resource_id names the service by a literal `service/<cluster>/<name>` Terraform cannot see as a dependency.",
  resourceTypes: ["aws_appautoscaling_target"],
  companions: ["aws_ecs_service"],
  check: (target, stack) => {
    if (literalString(target.get("service_namespace")) !== "ecs") return undefined;
    const resourceId = stack.resolve(target.get("resource_id"));
    if (typeof resourceId !== "string") return undefined;
    const name = resourceId.split("/").pop();
    const services = stack.resources("aws_ecs_service").filter((service) => literalString(service.get("name")) === name);
    return missingPrerequisites(
      stack,
      target,
      services.map((service) => ({ resource: service, role: "the scaled service" })),
    );
  },
});
