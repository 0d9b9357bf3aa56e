import { defineRule } from "../../rule";
import { isSecretLookingName, literalSecretIn } from "../../secret-patterns";
import { block } from "../../values";

/** Checkov CKV_AWS_45. */
export const lambdaNoSecretEnvironment = defineRule({
  id: "CKV_AWS_45",
  title: "No secrets in Lambda environment variables",
  rationale: "Function environment variables are readable with lambda:GetFunctionConfiguration and sit in the state; functions read secrets at runtime.",
  resourceTypes: ["aws_lambda_function"],
  check: (fn) => {
    const variables = block(fn.get("environment"))?.variables;
    if (typeof variables !== "object" || variables === null) return undefined;
    return Object.entries(variables as Record<string, unknown>).flatMap(([name, value]) => {
      const problems: string[] = [];
      if (isSecretLookingName(name)) problems.push(`environment variable ${name} looks secret; pass a secret ARN and read it at runtime`);
      const leaked = typeof value === "string" ? literalSecretIn(value) : undefined;
      if (leaked) problems.push(`environment variable ${name} contains ${leaked}`);
      return problems;
    });
  },
});
