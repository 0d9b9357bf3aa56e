import { statementName, statementsOf } from "../../iam-document";
import type { ResourceView } from "../../resource-view";
import { defineRule } from "../../rule";
import type { StackContext } from "../../stack-context";
import { block, literalString } from "../../values";
import { actionCovers, identityAllows, IDENTITY_POLICY_TYPES } from "./identity";

const SECRET_READS = ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"];
/** `${data.terraform_remote_state.storage_contract.outputs.fernet_key_secret_arn}` */
const REMOTE_SECRET_OUTPUT = /^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.[a-z0-9_]*secret_arn\}$/;
/** Same-stack resources whose ARNs are the environment's secrets. */
const SECRET_OWNERS = new Set(["aws_secretsmanager_secret", "aws_db_instance", "aws_rds_cluster"]);

/** The remote state is one of this environment's own state objects (`<env>/<stack>.tfstate`). */
function ownRemoteState(stack: StackContext, id: string): boolean {
  const remote = stack.resources("terraform_remote_state").find((r) => r.logicalId === id);
  const key = literalString(block(remote?.get("config"))?.key);
  return stack.environment !== undefined && key !== undefined && key.startsWith(`${stack.environment.name}/`);
}

function owned(resource: string, stack: StackContext): boolean {
  const prefix = stack.environment?.secretArnPrefix;
  if (prefix !== undefined && resource.startsWith(prefix)) return true;
  const resolved = stack.resolve(resource);
  if (typeof resolved !== "string" || resolved === resource) return false;
  const remote = REMOTE_SECRET_OUTPUT.exec(resolved);
  if (remote) return ownRemoteState(stack, remote[1]);
  const targets: ResourceView[] = stack.referencedResources(resolved);
  return /^\$\{[^}]+\}$/.test(resolved) && targets.length === 1 && SECRET_OWNERS.has(targets[0].type);
}

/** Project rule (the secret-read part of Checkov CKV_AWS_288, data exfiltration). */
export const ownSecretsOnly = defineRule({
  id: "AIRFLOW_IAM_OWN_SECRETS",
  aliases: ["CKV_AWS_288"],
  title: "Secret reads only of the environment's own secrets",
  rationale:
    "A role may read only secrets under its environment's prefix (<namePrefix>/<env>/), secrets of its own stack, or secret ARNs from its environment's state; never another environment's.",
  resourceTypes: IDENTITY_POLICY_TYPES,
  companions: ["terraform_remote_state", "aws_secretsmanager_secret", "aws_db_instance", "aws_rds_cluster"],
  check: (resource, stack) =>
    identityAllows(statementsOf(resource))
      .filter((f) => f.statement.actions.some((a) => SECRET_READS.some((read) => actionCovers(a, read))))
      .flatMap((f) =>
        f.statement.resources
          .filter((r) => !owned(r, stack))
          .map((r) => {
            const shown = stack.resolve(r);
            const scope = stack.environment?.secretArnPrefix
              ? `${stack.environment.secretArnPrefix}*`
              : "this stack's secrets (the stack belongs to no environment)";
            return `${statementName(f)} reads secret ${typeof shown === "string" ? shown : r} outside the environment's own secrets (${scope})`;
          }),
      ),
});
