import { defineRule } from "../../rule";
import { blocks, literalString } from "../../values";
import { missingPrerequisites, namedResource, type Prerequisite } from "./dependencies";

/** Attributes of a cache that name a group of the same stack, with the group's type. */
const GROUPS: readonly (readonly [attribute: string, type: string, role: string])[] = [
  ["subnet_group_name", "aws_elasticache_subnet_group", "its subnet group"],
  ["parameter_group_name", "aws_elasticache_parameter_group", "its parameter group"],
];

/** An ElastiCache cluster is created only after its subnet and parameter groups and its log groups. */
export const orderElastiCacheGroups = defineRule({
  id: "AIRFLOW_ORDER_ELASTICACHE_GROUPS",
  title: "ElastiCache after its subnet, parameter and log groups",
  rationale:
    "ElastiCache refuses a subnet or parameter group that does not exist yet (CacheSubnetGroupNotFoundFault, CacheParameterGroupNotFound) and cannot deliver logs to a log group that does not exist yet; a literal name hides the dependency from Terraform.",
  resourceTypes: ["aws_elasticache_replication_group", "aws_elasticache_cluster"],
  companions: [...GROUPS.map(([, type]) => type), "aws_cloudwatch_log_group"],
  check: (cache, stack) => {
    const groups = GROUPS.flatMap(([attribute, type, role]): Prerequisite[] => {
      const group = namedResource(stack, [type], cache.get(attribute), ["name"]);
      return group ? [{ resource: group, role }] : [];
    });
    const logGroups = blocks(cache.get("log_delivery_configuration"))
      .filter((delivery) => literalString(delivery.destination_type) !== "kinesis-firehose")
      .flatMap((delivery): Prerequisite[] => {
        const group = namedResource(stack, ["aws_cloudwatch_log_group"], delivery.destination, ["name"]);
        return group ? [{ resource: group, role: `the ${String(delivery.log_type ?? "log")} log group` }] : [];
      });
    return missingPrerequisites(stack, cache, [...groups, ...logGroups]);
  },
});
