import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { DataTerraformRemoteStateS3, type TerraformStack } from "cdktf";
import { ArnBuilder } from "../../../../modules/core/arn";
import * as grants from "../../../../modules/iam/grants";
import { policyJson, serviceTrustPolicy, type PolicyStatement } from "../../../../modules/iam/policy-document";
import { noAwsManagedPolicies } from "../../../../modules/rule-pack/rules/iam/no-aws-managed-policies";
import { noStarResource } from "../../../../modules/rule-pack/rules/iam/no-star-resource";
import { noWildcardActions } from "../../../../modules/rule-pack/rules/iam/no-wildcard-actions";
import { ownSecretsOnly } from "../../../../modules/rule-pack/rules/iam/own-secrets-only";
import { passRoleScoped } from "../../../../modules/rule-pack/rules/iam/passrole-scoped";
import { EncryptionKey } from "../../../../modules/security/encryption-key";
import { check, PROD } from "../support";

const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });
const trust = serviceTrustPolicy(["ecs-tasks.amazonaws.com"], "111111111111");
/** A role with one inline policy of these statements. */
function role(stack: TerraformStack, statements: PolicyStatement[]) {
  const r = new IamRole(stack, "role", { name: "airflow-dev-worker", assumeRolePolicy: trust });
  new IamRolePolicy(stack, "policy", { role: r.id, policy: policyJson(statements) });
}
const storageState = (stack: TerraformStack, env: string) =>
  new DataTerraformRemoteStateS3(stack, "storage_contract", { bucket: "airflow-tfstate", key: `${env}/storage.tfstate`, region: "eu-west-1" });

describe("CKV_AWS_63 no wildcard actions in Allow statements", () => {
  test("Noncompliance 1: service wildcards and NotAction in an identity policy", () => {
    // GIVEN a role allowing s3:* and s3:Get*, and a managed policy using NotAction
    const findings = check(noWildcardActions, (stack) => {
      role(stack, [{ sid: "Everything", actions: ["s3:*", "s3:Get*"], resources: ["arn:aws:s3:::b/*"] }]);
      new IamPolicy(stack, "managed", {
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }),
      });
    });
    // THEN every wildcard is reported with its statement
    expect(findings).toEqual([
      { rule: "CKV_AWS_63", address: "aws_iam_role_policy.policy", message: "policy statement Everything allows the wildcard action s3:*" },
      { rule: "CKV_AWS_63", address: "aws_iam_role_policy.policy", message: "policy statement Everything allows the wildcard action s3:Get*" },
      { rule: "CKV_AWS_63", address: "aws_iam_policy.managed", message: "policy statement #1 allows NotAction (everything but iam:*)" },
    ]);
  });

  test("Noncompliance 2: kms:* in a key policy for a principal other than the account root", () => {
    // GIVEN a key policy granting kms:* to a role
    const findings = check(
      noWildcardActions,
      (stack) =>
        new KmsKey(stack, "key", {
          enableKeyRotation: true,
          policy: policyJson([
            { sid: "RoleOwnsKey", actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:role/ops"] }] },
          ]),
        }),
    );
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_63", address: "aws_kms_key.key", message: "policy statement RoleOwnsKey allows the wildcard action kms:*" }]);
  });

  test("Compliance 1: the key-administration root statement, Deny wildcards and named actions", () => {
    // GIVEN EncryptionKey (root administers), a bucket-style Deny s3:* and a scoped role
    const findings = check(noWildcardActions, (stack) => {
      new EncryptionKey(stack, "data-key", { alias: "airflow-dev-data", description: "data", arns });
      new IamPolicy(stack, "deny", {
        policy: policyJson([
          {
            sid: "DenyAll",
            effect: "Deny",
            actions: ["s3:*"],
            resources: ["*"],
            conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
        ]),
      });
      role(stack, grants.pullImages(arns.of("ecr", "repository/airflow-dev-airflow")));
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe('CKV_AWS_355 Resource "*" only for actions AWS cannot scope', () => {
  test("Noncompliance 1: s3:GetObject on *", () => {
    // GIVEN a statement mixing an unscoped and a scopable action on "*"
    const findings = check(noStarResource, (stack) =>
      role(stack, [{ sid: "Mixed", actions: ["ecr:GetAuthorizationToken", "s3:GetObject"], resources: ["*"] }]),
    );
    // THEN the scopable action is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_355",
        address: "aws_iam_role_policy.policy",
        message: 'policy statement Mixed allows s3:GetObject on Resource "*"; name the resources (only UNSCOPED_ACTIONS may use "*")',
      },
    ]);
  });

  test("Compliance 1: Session Manager, ECR authorization and metrics on *; key policies are resource policies", () => {
    // GIVEN the project's grants that need "*" and a key policy service grant on "*"
    const findings = check(noStarResource, (stack) => {
      role(stack, [...grants.sessionManager(arns), ...grants.pullImages("arn:aws:ecr:eu-west-1:111111111111:repository/x"), ...grants.putMetrics("Airflow")]);
      new EncryptionKey(stack, "logs-key", {
        alias: "logs",
        description: "logs",
        arns,
        serviceGrants: [{ sid: "Logs", actions: ["kms:Decrypt"], resources: ["*"], principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }] }],
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_IAM_PASSROLE_SCOPED iam:PassRole only on named roles", () => {
  test("Noncompliance 1: PassRole on * and on every role", () => {
    // GIVEN iam:PassRole on "*" and iam:Pass* on role/*
    const findings = check(passRoleScoped, (stack) =>
      role(stack, [
        { sid: "PassAny", actions: ["iam:PassRole"], resources: ["*"] },
        { sid: "PassAllRoles", actions: ["iam:Pass*"], resources: ["arn:aws:iam::111111111111:role/*"] },
      ]),
    );
    // THEN both are reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_IAM_PASSROLE_SCOPED",
        address: "aws_iam_role_policy.policy",
        message: "policy statement PassAny allows iam:PassRole on *; name the roles it may pass",
      },
      {
        rule: "AIRFLOW_IAM_PASSROLE_SCOPED",
        address: "aws_iam_role_policy.policy",
        message: "policy statement PassAllRoles allows iam:PassRole on arn:aws:iam::111111111111:role/*; name the roles it may pass",
      },
    ]);
  });

  test("Compliance 1: PassRole on the environment's roles", () => {
    // GIVEN the CI apply role's grant on role/airflow-dev-*
    const findings = check(passRoleScoped, (stack) =>
      role(stack, [{ sid: "ManageOwnRoles", actions: ["iam:GetRole", "iam:PassRole"], resources: ["arn:aws:iam::111111111111:role/airflow-dev-*"] }]),
    );
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_IAM_OWN_SECRETS secret reads only of the environment's own secrets", () => {
  test("Noncompliance 1: a dev role reading production's secrets, and every secret", () => {
    // GIVEN a dev role granted a prod secret ARN and secretsmanager:Get* on "*"
    const findings = check(ownSecretsOnly, (stack) =>
      role(stack, [
        {
          sid: "ProdSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: ["arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/fernet-key"],
        },
        { sid: "AllSecrets", actions: ["secretsmanager:Get*"], resources: ["*"] },
      ]),
    );
    // THEN both reads are reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_IAM_OWN_SECRETS",
        address: "aws_iam_role_policy.policy",
        message:
          "policy statement ProdSecret reads secret arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/fernet-key outside the environment's own secrets (arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/*)",
      },
      {
        rule: "AIRFLOW_IAM_OWN_SECRETS",
        address: "aws_iam_role_policy.policy",
        message:
          "policy statement AllSecrets reads secret * outside the environment's own secrets (arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/*)",
      },
    ]);
  });

  test("Noncompliance 2: a secret ARN read from another environment's state", () => {
    // GIVEN the storage contract of prod read by a dev stack
    const findings = check(ownSecretsOnly, (stack) => {
      const storage = storageState(stack, "prod");
      role(stack, grants.readSecrets(arns, [storage.getString("fernet_key_secret_arn")], "arn:aws:kms:eu-west-1:111111111111:key/1"));
    });
    // THEN it is reported with the resolved reference
    expect(findings.map((f) => f.message)).toEqual([
      "policy statement ReadSecrets reads secret ${data.terraform_remote_state.storage_contract.outputs.fernet_key_secret_arn} outside the environment's own secrets (arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/*)",
    ]);
  });

  test("Noncompliance 3: a stack outside any environment owns no literal secret", () => {
    // GIVEN a literal secret ARN in a stack without environment
    const findings = check(
      ownSecretsOnly,
      (stack) =>
        role(stack, [
          { sid: "Read", actions: ["secretsmanager:GetSecretValue"], resources: ["arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/x"] },
        ]),
      null,
    );
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual([
      "policy statement Read reads secret arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/x outside the environment's own secrets (this stack's secrets (the stack belongs to no environment))",
    ]);
  });

  test("Compliance 1: own prefix, own state and own stack's secrets", () => {
    // GIVEN the three ways this project names its own secrets
    const findings = check(ownSecretsOnly, (stack) => {
      const storage = storageState(stack, "dev");
      const local = new SecretsmanagerSecret(stack, "local", { name: "airflow/dev/local" });
      role(stack, [
        ...grants.secretsBackend(arns, "airflow/dev", "arn:aws:kms:eu-west-1:111111111111:key/1"),
        { sid: "Contract", actions: ["secretsmanager:GetSecretValue"], resources: [storage.getString("db_master_secret_arn"), local.arn] },
      ]);
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });

  test("Compliance 2: reads in production of production's secrets", () => {
    // GIVEN a prod role reading under airflow/prod/
    const findings = check(
      ownSecretsOnly,
      (stack) =>
        role(stack, [
          { sid: "Read", actions: ["secretsmanager:GetSecretValue"], resources: ["arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/*"] },
        ]),
      PROD,
    );
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AwsSolutions-IAM4 no AWS managed policies", () => {
  test("Noncompliance 1: an attachment and managed_policy_arns", () => {
    // GIVEN both ways of attaching AWS managed policies
    const findings = check(noAwsManagedPolicies, (stack) => {
      const r = new IamRole(stack, "role", { assumeRolePolicy: trust, managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] });
      new IamRolePolicyAttachment(stack, "attach", { role: r.name, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });
    });
    // THEN both are reported
    expect(findings).toEqual([
      { rule: "AwsSolutions-IAM4", address: "aws_iam_role.role", message: "attaches the AWS managed policy AdministratorAccess" },
      { rule: "AwsSolutions-IAM4", address: "aws_iam_role_policy_attachment.attach", message: "attaches the AWS managed policy ReadOnlyAccess" },
    ]);
  });

  test("Compliance 1: customer-managed policies", () => {
    // GIVEN a policy of the account attached
    const findings = check(noAwsManagedPolicies, (stack) => {
      const r = new IamRole(stack, "role", { assumeRolePolicy: trust });
      new IamRolePolicyAttachment(stack, "attach", { role: r.name, policyArn: "arn:aws:iam::111111111111:policy/airflow-dev-extra" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
