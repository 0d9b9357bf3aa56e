import { defineRule } from "../../rule";
import { blocks, literalString } from "../../values";

/** The parameter forcing TLS, and its accepted values, per engine. */
const TLS_PARAMETER: Readonly<Record<string, readonly [string, readonly string[]]>> = {
  postgres: ["rds.force_ssl", ["1"]],
  sqlserver: ["rds.force_ssl", ["1"]],
  mysql: ["require_secure_transport", ["1", "ON"]],
  mariadb: ["require_secure_transport", ["1", "ON"]],
};

/** Checkov CKV2_AWS_69, stricter: the instance must use a parameter group of the same stack that sets the parameter. */
export const rdsForceSsl = defineRule({
  id: "CKV2_AWS_69",
  title: "RDS forces TLS",
  rationale: "Without rds.force_ssl = 1 a misconfigured client sends the metadata database's password and data in plain text.",
  resourceTypes: ["aws_db_instance"],
  companions: ["aws_db_parameter_group"],
  check: (db, stack) => {
    const engine = literalString(db.get("engine")) ?? "";
    const tls = TLS_PARAMETER[engine];
    if (!tls) return undefined;
    const [parameter, accepted] = tls;
    const groupName = db.get("parameter_group_name");
    if (groupName === undefined) return `no parameter_group_name: the default parameter group does not guarantee ${parameter} = ${accepted[0]}`;
    const literal = literalString(groupName);
    const group =
      stack.referenced("aws_db_parameter_group", groupName) ??
      (literal === undefined ? undefined : stack.resources("aws_db_parameter_group").find((g) => literalString(g.get("name")) === literal));
    if (!group) return `parameter group ${literal ?? "(a reference)"} is not in this stack, so ${parameter} = ${accepted[0]} cannot be verified`;
    const setting = blocks(group.get("parameter")).find((p) => literalString(p.name) === parameter);
    const value = literalString(setting?.value);
    return value !== undefined && accepted.includes(value) ? undefined : `parameter group ${group.address} does not set ${parameter} = ${accepted[0]}`;
  },
});
