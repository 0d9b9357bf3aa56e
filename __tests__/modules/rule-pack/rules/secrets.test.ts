import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Fn } from "cdktf";
import { noLiteralSecrets } from "../../../../modules/rule-pack/rules/secrets/no-literal-secrets";
import { secretCmk } from "../../../../modules/rule-pack/rules/secrets/secret-cmk";
import { GeneratedSecret } from "../../../../modules/security/generated-secret";
import { check } from "../support";

describe("AIRFLOW_NO_LITERAL_SECRETS no literal secrets in the configuration", () => {
  test("Noncompliance 1: literal credentials in a database, a secret, a SecureString and the provider", () => {
    // GIVEN a literal value in each credential attribute
    const findings = check(noLiteralSecrets, (stack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1", accessKey: "AKIAABCDEFGHIJKLMNOP", secretKey: "wJalrXUtnFEMI" });
      new DbInstance(stack, "db", { instanceClass: "db.t4g.small", engine: "postgres", password: "hunter2hunter2" });
      new SecretsmanagerSecretVersion(stack, "version", { secretId: "s", secretString: '{"password":"x"}' });
      new SsmParameter(stack, "param", { name: "/airflow/dev/token", type: "SecureString", value: "abc" });
    });
    // THEN each is reported on its resource
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_NO_LITERAL_SECRETS",
        address: "provider.aws",
        message: "access_key is a literal value; use a reference, or a write-only attribute fed by an ephemeral resource",
      },
      {
        rule: "AIRFLOW_NO_LITERAL_SECRETS",
        address: "provider.aws",
        message: "secret_key is a literal value; use a reference, or a write-only attribute fed by an ephemeral resource",
      },
      {
        rule: "AIRFLOW_NO_LITERAL_SECRETS",
        address: "aws_db_instance.db",
        message: "password is a literal value; use a reference, or a write-only attribute fed by an ephemeral resource",
      },
      {
        rule: "AIRFLOW_NO_LITERAL_SECRETS",
        address: "aws_secretsmanager_secret_version.version",
        message: "secret_string is a literal value; use a reference, or a write-only attribute fed by an ephemeral resource",
      },
      {
        rule: "AIRFLOW_NO_LITERAL_SECRETS",
        address: "aws_ssm_parameter.param",
        message: "value is a literal value; use a reference, or a write-only attribute fed by an ephemeral resource",
      },
    ]);
  });

  test("Noncompliance 2: an access key inside base64-encoded user data", () => {
    // GIVEN user data built with Fn.base64encode around a script exporting an access key
    const findings = check(
      noLiteralSecrets,
      (stack) =>
        new LaunchTemplate(stack, "lt", { imageId: "ami-1", userData: Fn.base64encode("#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n") }),
    );
    // THEN the decoded script is scanned and reported
    expect(findings).toEqual([{ rule: "AIRFLOW_NO_LITERAL_SECRETS", address: "aws_launch_template.lt", message: "user_data contains an AWS access key id" }]);
  });

  test("Compliance 1: generated write-only secrets, references and non-secret parameters", () => {
    // GIVEN GeneratedSecret (ephemeral generator + secret_string_wo), a token read from Secrets Manager, an RDS-managed
    // password, a plain String parameter and harmless user data
    const findings = check(noLiteralSecrets, (stack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const secret = new GeneratedSecret(stack, "fernet", {
        name: "airflow/dev/fernet-key",
        description: "fernet",
        kmsKeyArn: "arn:k",
        length: 43,
        suffix: "=",
      });
      const token = new DataAwsSecretsmanagerSecretVersion(stack, "token", { secretId: secret.secret.id });
      new ElasticacheReplicationGroup(stack, "redis", { replicationGroupId: "r", description: "r", authToken: token.secretString });
      new DbInstance(stack, "db", { instanceClass: "db.t4g.small", engine: "postgres", manageMasterUserPassword: true });
      new SsmParameter(stack, "param", { name: "/airflow/dev/vpc-id", type: "String", value: "vpc-123" });
      new LaunchTemplate(stack, "lt", { imageId: "ami-1", userData: Fn.base64encode("#!/bin/bash\necho ECS_CLUSTER=airflow >> /etc/ecs/ecs.config\n") });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_149 secrets encrypted with a customer-managed key", () => {
  test("Noncompliance 1: the AWS managed key", () => {
    // GIVEN a secret without kms_key_id
    // THEN it is reported
    expect(check(secretCmk, (stack) => new SecretsmanagerSecret(stack, "secret", { name: "airflow/dev/x" }))).toEqual([
      { rule: "CKV_AWS_149", address: "aws_secretsmanager_secret.secret", message: "kms_key_id is not set (the AWS managed key is used)" },
    ]);
  });

  test("Compliance 1: GeneratedSecret uses the data key", () => {
    // GIVEN the project's generated secret
    const findings = check(
      secretCmk,
      (stack) =>
        new GeneratedSecret(stack, "jwt", {
          name: "airflow/dev/jwt-secret",
          description: "jwt",
          kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/1",
          length: 64,
        }),
    );
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
