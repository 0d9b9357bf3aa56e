/**
 * Lambda functions: outside a VPC they are regional; inside one they run in the surviving AZs when the AWS APIs they
 * call (read from their role's policies) stay reachable from there.
 */
import { uniqueSorted, type Body, type EnvironmentModel, type SubnetRef } from "../model";
import { shortNameOf, type AzContext } from "./context";
import { combine, list, tier, uniform, type TierResult } from "./verdict";

export interface LambdaFacts {
  readonly name: string;
  readonly subnets?: readonly SubnetRef[];
  readonly needs: readonly string[];
}

/** IAM action prefix → the endpoint service name a call goes to. */
const API_ENDPOINT: Readonly<Record<string, string>> = { cloudwatch: "monitoring", ecr: "ecr.api" };

export function analyzeLambdas({ model, azs, startBlocked }: AzContext): TierResult[] {
  return lambdaFunctions(model).map((fn) =>
    tier(
      `lambda:${shortNameOf(fn.name, model.name)}`,
      `Lambda ${fn.name}`,
      true,
      fn.subnets === undefined
        ? uniform(azs, "serving", "Runs outside the VPC: a regional service, not tied to an AZ.")
        : combine(azs, (lost) => {
            const fnAzs = uniqueSorted(fn.subnets!.map((s) => s.az));
            if (fnAzs.filter((az) => az !== lost).length === 0) return { verdict: "outage", why: `VPC function with subnets only in ${list(fnAzs)}.` };
            const blocked = startBlocked(fn.subnets!, fn.needs, lost);
            return blocked
              ? {
                  verdict: "outage",
                  why: `VPC function in ${list(fnAzs)} calling ${list(fn.needs)} (from its role's policies): when ${lost} fails, ${blocked}.`,
                }
              : {
                  verdict: "serving",
                  why: `VPC function in ${list(fnAzs)}: invocations run in the surviving AZs, and the APIs it calls (${list(fn.needs)}, from its role's policies) stay reachable.`,
                };
          }),
    ),
  );
}

/**
 * Lambda functions with their VPC subnets and the AWS APIs their code calls, read from the inline policies of their
 * role. Calls the Lambda service makes on the function's behalf are left out: ENI management (`ec2:*NetworkInterface*`,
 * `ec2:Describe*`, private IP assignment), logs, X-Ray, the dead-letter queue, and KMS used through another service.
 */
export function lambdaFunctions(model: EnvironmentModel): LambdaFacts[] {
  return model.resources("aws_lambda_function").map((fn) => {
    const name = String(model.literal(fn.stack, fn.body.function_name) ?? fn.name);
    const vpc = fn.body.vpc_config as Body | undefined;
    const subnets = vpc ? model.subnets(fn.stack, vpc.subnet_ids ?? []).subnets : undefined;
    const needs = new Set<string>();
    for (const role of model.referencedResources(fn.stack, fn.body.role, "aws_iam_role")) {
      for (const policy of model.referencing("aws_iam_role_policy", "role", role)) {
        for (const action of calledActions(policy.body.policy)) {
          const [prefix, verb = ""] = action.name.split(":");
          if (prefix === "logs" || prefix === "xray" || (prefix === "kms" && action.viaService)) continue;
          if (prefix === "ec2" && /NetworkInterface|^Describe|PrivateIpAddresses/.test(verb)) continue;
          if (prefix === "sqs" && verb === "SendMessage" && fn.body.dead_letter_config !== undefined) continue;
          needs.add(API_ENDPOINT[prefix] ?? prefix);
        }
      }
    }
    return { name, subnets, needs: uniqueSorted(needs) };
  });
}

/** The actions a policy document allows, each with whether it is allowed only through another service (kms:ViaService). */
function calledActions(policy: unknown): { name: string; viaService: boolean }[] {
  return statementsOf(policy)
    .filter((statement) => statement.Effect === "Allow")
    .flatMap((statement) => {
      const viaService = JSON.stringify(statement.Condition ?? {}).includes("kms:ViaService");
      return [statement.Action ?? []].flat().map((action) => ({ name: String(action), viaService }));
    });
}

function statementsOf(policy: unknown): { Effect?: string; Action?: string | string[]; Condition?: unknown }[] {
  if (typeof policy !== "string") return [];
  try {
    const statements = (JSON.parse(policy) as { Statement?: unknown }).Statement;
    return Array.isArray(statements) ? statements : [];
  } catch {
    return [];
  }
}
