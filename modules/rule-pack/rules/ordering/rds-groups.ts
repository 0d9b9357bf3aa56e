import { defineRule } from "../../rule";
import { missingPrerequisites, namedResource, type Prerequisite } from "./dependencies";

/** Attributes of a DB instance that name a group of the same stack, with the group's type. */
const GROUPS: readonly (readonly [attribute: string, type: string, role: string])[] = [
  ["db_subnet_group_name", "aws_db_subnet_group", "its subnet group"],
  ["parameter_group_name", "aws_db_parameter_group", "its parameter group"],
  ["option_group_name", "aws_db_option_group", "its option group"],
];

/** An RDS instance is created only after the subnet, parameter and option groups it names. */
export const orderRdsGroups = defineRule({
  id: "AIRFLOW_ORDER_RDS_GROUPS",
  title: "RDS instance after its subnet, parameter and option groups",
  rationale:
    "CreateDBInstance refuses a subnet, parameter or option group that does not exist yet (DBSubnetGroupNotFoundFault, DBParameterGroupNotFound, OptionGroupNotFoundFault); naming a group by a literal hides that dependency from Terraform.",
  resourceTypes: ["aws_db_instance"],
  companions: GROUPS.map(([, type]) => type),
  check: (instance, stack) =>
    missingPrerequisites(
      stack,
      instance,
      GROUPS.flatMap(([attribute, type, role]): Prerequisite[] => {
        const group = namedResource(stack, [type], instance.get(attribute), ["name"]);
        return group ? [{ resource: group, role }] : [];
      }),
    ),
});
