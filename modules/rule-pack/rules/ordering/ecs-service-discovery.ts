import { defineRule } from "../../rule";
import { block, blocks } from "../../values";
import { missingPrerequisites, namedResource, type Prerequisite } from "./dependencies";

const NAMESPACES = ["aws_service_discovery_private_dns_namespace", "aws_service_discovery_public_dns_namespace", "aws_service_discovery_http_namespace"];

/** ECS services and Cloud Map services are created only after the registry and namespace they name. */
export const orderEcsServiceDiscovery = defineRule({
  id: "AIRFLOW_ORDER_ECS_SERVICE_DISCOVERY",
  title: "Service discovery after its namespace and registry",
  rationale:
    "ECS and Cloud Map refuse a namespace or Cloud Map service that does not exist yet; naming one by a literal id or ARN hides the dependency from Terraform.",
  resourceTypes: ["aws_ecs_service", "aws_service_discovery_service"],
  companions: ["aws_service_discovery_service", ...NAMESPACES],
  check: (resource, stack) => {
    const found = (types: readonly string[], value: unknown, role: string): Prerequisite[] => {
      const view = namedResource(stack, types, value, ["name", "arn", "id"]);
      return view ? [{ resource: view, role }] : [];
    };
    if (resource.type === "aws_service_discovery_service") {
      return missingPrerequisites(stack, resource, [
        ...found(NAMESPACES, resource.get("namespace_id"), "its namespace"),
        ...found(NAMESPACES, block(resource.get("dns_config"))?.namespace_id, "its DNS namespace"),
      ]);
    }
    return missingPrerequisites(stack, resource, [
      ...blocks(resource.get("service_registries")).flatMap((r) => found(["aws_service_discovery_service"], r.registry_arn, "its Cloud Map service")),
      ...found(NAMESPACES, block(resource.get("service_connect_configuration"))?.namespace, "its Service Connect namespace"),
    ]);
  },
});
