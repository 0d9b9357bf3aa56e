import type { ResourceView } from "../../resource-view";
import { defineRule } from "../../rule";
import type { StackContext } from "../../stack-context";
import { blocks, literalString, strings } from "../../values";
import { missingPrerequisites, namedResource } from "./dependencies";

/** Whether two values name the same in-stack resource of `types`, or are the same literal. */
function sameThing(stack: StackContext, types: readonly string[], a: unknown, b: unknown, nameAttributes: readonly string[]): boolean {
  const left = namedResource(stack, types, a, nameAttributes);
  if (left) return left === namedResource(stack, types, b, nameAttributes);
  const literal = literalString(a);
  return literal !== undefined && literal === literalString(b);
}

/** The capacity-provider associations of this stack the service's placement needs. */
function associationsFor(service: ResourceView, stack: StackContext): ResourceView[] {
  const strategy = blocks(service.get("capacity_provider_strategy")).map((s) => s.capacity_provider);
  const usesClusterDefault = strategy.length === 0 && service.get("launch_type") === undefined;
  return stack.resources("aws_ecs_cluster_capacity_providers").filter((association) => {
    if (usesClusterDefault) return sameThing(stack, ["aws_ecs_cluster"], service.get("cluster"), association.get("cluster_name"), ["name", "arn"]);
    const associated = [
      ...strings(association.get("capacity_providers")),
      ...blocks(association.get("default_capacity_provider_strategy")).map((d) => d.capacity_provider),
    ];
    return strategy.some((provider) => associated.some((a) => sameThing(stack, ["aws_ecs_capacity_provider"], provider, a, ["name", "arn"])));
  });
}

/** An ECS service is created only after its capacity providers are associated with the cluster. */
export const orderEcsCapacityProvider = defineRule({
  id: "AIRFLOW_ORDER_ECS_CAPACITY_PROVIDER",
  title: "ECS service after the cluster's capacity-provider association",
  rationale:
    "CreateService refuses a capacity provider strategy naming a provider not yet associated with the cluster, and a service without a strategy uses the cluster's default, set by the same aws_ecs_cluster_capacity_providers.",
  resourceTypes: ["aws_ecs_service"],
  companions: ["aws_ecs_cluster_capacity_providers", "aws_ecs_capacity_provider", "aws_ecs_cluster"],
  check: (service, stack) =>
    missingPrerequisites(
      stack,
      service,
      associationsFor(service, stack).map((association) => ({ resource: association, role: "the cluster's capacity-provider association" })),
    ),
});
