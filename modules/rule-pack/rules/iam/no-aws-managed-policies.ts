import { defineRule } from "../../rule";
import { literalString, strings } from "../../values";

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

/** cdk-nag AwsSolutions-IAM4. */
export const noAwsManagedPolicies = defineRule({
  id: "AwsSolutions-IAM4",
  title: "No AWS managed policies",
  rationale: "AWS managed policies are broad and change without review; roles get scoped inline policies.",
  resourceTypes: [
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_role",
  ],
  check: (resource) => {
    const arns = resource.type === "aws_iam_role" ? strings(resource.get("managed_policy_arns")) : [literalString(resource.get("policy_arn")) ?? ""];
    return arns.flatMap((arn) => {
      const match = AWS_MANAGED.exec(arn);
      return match ? [`attaches the AWS managed policy ${match[1]}`] : [];
    });
  },
});
