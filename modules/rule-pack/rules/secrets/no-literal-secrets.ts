import { PROVIDER_PREFIX } from "../../resource-view";
import { defineRule } from "../../rule";
import { literalSecretIn } from "../../secret-patterns";
import { blocks, isToken, literalString } from "../../values";

/** Attributes that hold a credential, per type (`*_wo` are write-only: kept out of the state, still in the configuration). */
export const CREDENTIAL_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: ["password", "password_wo"],
  aws_rds_cluster: ["master_password", "master_password_wo"],
  aws_docdb_cluster: ["master_password"],
  aws_redshift_cluster: ["master_password"],
  aws_elasticache_replication_group: ["auth_token"],
  aws_elasticache_user: ["passwords"],
  aws_mq_broker: ["user.password"],
  aws_secretsmanager_secret_version: ["secret_string", "secret_binary", "secret_string_wo"],
  aws_ssm_parameter: ["value", "value_wo"],
  aws_iam_user_login_profile: ["password"],
  [`${PROVIDER_PREFIX}aws`]: ["access_key", "secret_key", "token"],
};
/** Attributes holding scripts that must carry no secret material. */
const USER_DATA_TYPES = ["aws_launch_template", "aws_instance"];

/** A Terraform expression (`${ephemeral.…}`, `${data.…}`, `${var.…}`, `${aws_….…}`) rather than a literal. */
const EXPRESSION = /\$\{[^}]+\}/;
const literal = (value: unknown) => typeof value === "string" && !isToken(value) && !EXPRESSION.test(value);

function values(attributes: Readonly<Record<string, unknown>>, path: string): unknown[] {
  const [head, ...rest] = path.split(".");
  const value = attributes[head];
  if (rest.length === 0) return Array.isArray(value) ? value : [value];
  return blocks(value).flatMap((b) => values(b, rest.join(".")));
}

/** Project rule over Checkov CKV_AWS_41 (provider keys) and CKV_AWS_46 (EC2 user data), Trivy AVD-AWS-0029. */
export const noLiteralSecrets = defineRule({
  id: "AIRFLOW_NO_LITERAL_SECRETS",
  aliases: ["CKV_AWS_41", "CKV_AWS_46", "AVD-AWS-0029"],
  title: "No literal secrets in the configuration",
  rationale:
    "A literal credential lands in cdk.tf.json, git, the plan and the state; credentials are references, or write-only values fed by ephemeral generators.",
  resourceTypes: [...Object.keys(CREDENTIAL_ATTRIBUTES), ...USER_DATA_TYPES],
  check: (resource, stack) => {
    const problems: string[] = [];
    for (const attribute of CREDENTIAL_ATTRIBUTES[resource.type] ?? []) {
      if (resource.type === "aws_ssm_parameter" && literalString(resource.get("type")) !== "SecureString") continue;
      if (values(resource.attrs, attribute).some(literal))
        problems.push(`${attribute} is a literal value; use a reference, or a write-only attribute fed by an ephemeral resource`);
    }
    if (USER_DATA_TYPES.includes(resource.type) && resource.get("user_data") !== undefined) {
      const script = stack.resolve(resource.get("user_data"));
      const leaked = typeof script === "string" ? literalSecretIn(script) : undefined;
      if (leaked) problems.push(`user_data contains ${leaked}`);
    }
    return problems;
  },
});
