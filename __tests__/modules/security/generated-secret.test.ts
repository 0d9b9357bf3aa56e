import { Testing } from "cdktf";
import { GeneratedSecret } from "../../../modules/security/generated-secret";

describe("GeneratedSecret", () => {
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      new GeneratedSecret(scope, "fernet", {
        name: "airflow/dev/fernet-key",
        description: "Fernet",
        kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/k",
        length: 43,
        suffix: "=",
      });
      new GeneratedSecret(scope, "flower", {
        name: "airflow/dev/flower",
        description: "Flower",
        kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/k",
        length: 32,
        prefix: "flower:",
        generation: 2,
        recoveryWindowDays: 30,
      });
    }),
  );

  it("generates each value with an ephemeral Secrets Manager generator (no value in config, plan or state)", () => {
    // GIVEN two generated secrets WHEN synthesized THEN each has its own ephemeral generator with its length
    expect(json.ephemeral.aws_secretsmanager_random_password).toEqual({
      fernet_value: { password_length: 43, exclude_punctuation: true, include_space: false },
      flower_value: { password_length: 32, exclude_punctuation: true, include_space: false },
    });
  });

  it("stores the value through the write-only attribute, wrapped in the configured prefix and suffix", () => {
    const versions = Object.values(json.resource.aws_secretsmanager_secret_version) as Record<string, unknown>[];
    expect(versions.map((v) => [v.secret_string_wo, v.secret_string_wo_version, v.secret_string])).toEqual([
      ["${ephemeral.aws_secretsmanager_random_password.fernet_value.random_password}=", 1, undefined],
      ["flower:${ephemeral.aws_secretsmanager_random_password.flower_value.random_password}", 2, undefined],
    ]);
  });

  it("encrypts with the given key and keeps a recovery window", () => {
    const secrets = Object.values(json.resource.aws_secretsmanager_secret) as Record<string, unknown>[];
    expect(secrets.map((s) => [s.name, s.kms_key_id, s.recovery_window_in_days])).toEqual([
      ["airflow/dev/fernet-key", "arn:aws:kms:eu-west-1:111111111111:key/k", 7],
      ["airflow/dev/flower", "arn:aws:kms:eu-west-1:111111111111:key/k", 30],
    ]);
  });
});
