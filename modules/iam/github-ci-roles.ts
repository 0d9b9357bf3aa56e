import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import type { PolicyStatement } from "./policy-document";
import { policyJson } from "./policy-document";
import { ServiceRole } from "./service-role";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** GitHub's OIDC certificate thumbprints; AWS validates GitHub through its trusted CAs, the API still wants a value. */
const GITHUB_THUMBPRINTS = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"];

/** The account's GitHub OIDC provider, by its fixed ARN (for roles in stacks that do not create it). */
export function githubOidcProviderArn(arns: ArnBuilder): string {
  return `arn:${arns.partition}:iam::${arns.account}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/** Trust for GitHub Actions jobs whose OIDC subject is one of `subjects` (e.g. `repo:o/r:environment:prod`). */
export function githubOidcTrust(providerArn: string, subjects: readonly string[]): string {
  return policyJson([
    {
      sid: "GitHubActionsOidc",
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: [providerArn] }],
      conditions: [
        { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: ["sts.amazonaws.com"] },
        { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: [...subjects] },
      ],
    },
  ]);
}

export interface GitHubCiRolesProps {
  /** `owner/repo`. */
  readonly repository: string;
  /** The environment: state prefix, and the GitHub environment the apply role is assumable from. */
  readonly environment: string;
  /** Create the account's OIDC provider here (one per account). */
  readonly createProvider: boolean;
  /** Names of the environment: role names, secret prefix, and the own roles the apply role may manage. */
  readonly naming: Naming;
  /** ARNs of the environment's account and region. */
  readonly arns: ArnBuilder;
  /** The S3 bucket of the environment's Terraform state. */
  readonly stateBucket: string;
  /** The environment's data key (Terraform refresh reads secret metadata encrypted with it). */
  readonly dataKeyArn: string;
}

/**
 * The roles GitHub Actions assumes through OIDC, one pair per environment:
 * - plan: read-only (AWS ReadOnlyAccess) plus this environment's state objects and own secrets, assumable from
 *   pull requests of the repository;
 * - apply: deploy rights (AWS PowerUserAccess plus IAM limited to this environment's role names), assumable only by
 *   jobs running in the repository's GitHub environment of the same name (which carries the approval rules).
 */
export class GitHubCiRoles extends Construct {
  /** Read-only role of pull-request plans. */
  readonly plan: ServiceRole;
  /** Deploy role of the GitHub environment's jobs. */
  readonly apply: ServiceRole;
  /** The OIDC provider's ARN: the resource's when this stack creates it (so roles trusting it wait for it). */
  readonly providerArn: string;

  constructor(scope: Construct, id: string, props: GitHubCiRolesProps) {
    super(scope, id);
    const { arns, naming } = props;
    const providerArn = props.createProvider
      ? new IamOpenidConnectProvider(this, "github-oidc", {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIdList: ["sts.amazonaws.com"],
          thumbprintList: GITHUB_THUMBPRINTS,
        }).arn
      : githubOidcProviderArn(arns);
    this.providerArn = providerArn;
    const trust = (subjects: string[]) => githubOidcTrust(providerArn, subjects);
    const managed = (name: string) => `arn:${arns.partition}:iam::aws:policy/${name}`;
    const bucketArn = `arn:${arns.partition}:s3:::${props.stateBucket}`;
    const stateKey = {
      test: "ForAnyValue:StringEquals",
      variable: "kms:ResourceAliases",
      values: [`alias/${props.stateBucket.replace(/\./g, "-")}`],
    };
    const stateAccess = (write: boolean): PolicyStatement[] => [
      {
        sid: "ListState",
        actions: ["s3:ListBucket"],
        resources: [bucketArn],
        conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${props.environment}/*`] }],
      },
      {
        sid: "ReadWriteState",
        actions: write ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"],
        resources: [`${bucketArn}/${props.environment}/*`],
      },
      // S3-native locking: the lock file beside each state object.
      ...(write ? [{ sid: "StateLocks", actions: ["s3:DeleteObject"], resources: [`${bucketArn}/${props.environment}/*.tflock`] }] : []),
      {
        sid: "StateKey",
        actions: write ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
        resources: [arns.of("kms", "key/*")],
        conditions: [stateKey],
      },
      {
        sid: "ReadOwnSecrets",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [arns.of("secretsmanager", `secret:${naming.secretPrefix}/*`)],
      },
      {
        sid: "DecryptOwnSecrets",
        actions: ["kms:Decrypt"],
        resources: [props.dataKeyArn],
        conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${arns.region}.amazonaws.com`] }],
      },
    ];

    this.plan = new ServiceRole(this, "plan", {
      name: naming.ciRole("plan"),
      description: `GitHub Actions: plan ${props.environment} from pull requests of ${props.repository}`,
      assumeRolePolicy: trust([`repo:${props.repository}:pull_request`]),
      statements: stateAccess(false),
      managedPolicyArns: [managed("ReadOnlyAccess")],
    });

    const own = (type: string) => arns.of("iam", `${type}/${naming.base}-*`, "");
    this.apply = new ServiceRole(this, "apply", {
      name: naming.ciRole("apply"),
      description: `GitHub Actions: apply ${props.environment} from the ${props.environment} environment of ${props.repository}`,
      assumeRolePolicy: trust([`repo:${props.repository}:environment:${props.environment}`]),
      maxSessionSeconds: 7200,
      statements: [
        ...stateAccess(true),
        {
          sid: "ManageOwnRoles",
          actions: [
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:GetRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:ListInstanceProfilesForRole",
            "iam:PassRole",
          ],
          resources: [own("role")],
        },
        {
          sid: "ManageOwnInstanceProfiles",
          actions: [
            "iam:CreateInstanceProfile",
            "iam:DeleteInstanceProfile",
            "iam:GetInstanceProfile",
            "iam:AddRoleToInstanceProfile",
            "iam:RemoveRoleFromInstanceProfile",
            "iam:TagInstanceProfile",
          ],
          resources: [own("instance-profile")],
        },
        {
          sid: "ManageGitHubOidcProvider",
          actions: [
            "iam:GetOpenIDConnectProvider",
            "iam:CreateOpenIDConnectProvider",
            "iam:DeleteOpenIDConnectProvider",
            "iam:TagOpenIDConnectProvider",
            "iam:UpdateOpenIDConnectProviderThumbprint",
          ],
          resources: [githubOidcProviderArn(arns)],
        },
        {
          sid: "ServiceLinkedRoles",
          actions: ["iam:CreateServiceLinkedRole"],
          resources: [arns.of("iam", "role/aws-service-role/*", "")],
          conditions: [
            {
              test: "StringEquals",
              variable: "iam:AWSServiceName",
              values: [
                "ecs.amazonaws.com",
                "autoscaling.amazonaws.com",
                "elasticache.amazonaws.com",
                "rds.amazonaws.com",
                "elasticloadbalancing.amazonaws.com",
                "ecs.application-autoscaling.amazonaws.com",
              ],
            },
          ],
        },
      ],
      managedPolicyArns: [managed("PowerUserAccess")],
    });
  }
}
