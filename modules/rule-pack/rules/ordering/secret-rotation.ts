import { defineRule } from "../../rule";
import { invokePermissions, missingPrerequisites, namedResource, type Prerequisite } from "./dependencies";

/** Rotation is switched on only after the secret exists and Secrets Manager may invoke the rotation function. */
export const orderSecretRotation = defineRule({
  id: "AIRFLOW_ORDER_SECRET_ROTATION",
  title: "Secret rotation after the rotation function's permission",
  rationale:
    'RotateSecret invokes the rotation function at once and fails ("Secrets Manager cannot invoke the specified Lambda function") until its resource policy admits secretsmanager.amazonaws.com; RDS-managed rotation needs the database that owns the secret.',
  resourceTypes: ["aws_secretsmanager_secret_rotation"],
  companions: ["aws_secretsmanager_secret", "aws_lambda_function", "aws_lambda_permission"],
  check: (rotation, stack) => {
    const secret = namedResource(stack, ["aws_secretsmanager_secret"], rotation.get("secret_id"), ["name", "arn"]);
    const prerequisites: Prerequisite[] = secret ? [{ resource: secret, role: "the secret" }] : [];
    const { fn, permissions } = invokePermissions(stack, rotation.get("rotation_lambda_arn"), "secretsmanager");
    if (fn && permissions.length === 0) return `no aws_lambda_permission in this stack lets secretsmanager.amazonaws.com invoke ${fn.address}`;
    prerequisites.push(...permissions.map((permission) => ({ resource: permission, role: "the rotation function's invoke permission" })));
    return missingPrerequisites(stack, rotation, prerequisites);
  },
});
