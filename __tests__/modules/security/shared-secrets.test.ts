import { Testing } from "cdktf";
import { Naming } from "../../../modules/core/naming";
import { secretRecoveryWindowDays } from "../../../modules/security/generated-secret";
import { SHARED_SECRETS, sharedSecrets } from "../../../modules/security/shared-secrets";

describe("sharedSecrets", () => {
  const naming = new Naming("airflow", "dev", "111111111111");
  let keys: string[] = [];
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      keys = Object.keys(sharedSecrets(scope, { naming, kmsKeyArn: "arn:data-key", recoveryWindowDays: 7 }));
    }),
  );
  const secrets = Object.values(json.resource.aws_secretsmanager_secret as Record<string, any>);

  it("generates every shared secret under the environment's prefix, encrypted with the data key", () => {
    // GIVEN the dev environment WHEN the shared secrets are generated THEN each is named <prefix>/<env>/<name>
    expect(keys).toEqual(SHARED_SECRETS.map((s) => s.key));
    expect(secrets.map((s) => s.name).sort()).toEqual(SHARED_SECRETS.map((s) => `airflow/dev/${s.name}`).sort());
    expect(secrets.every((s) => s.kms_key_id === "arn:data-key" && s.recovery_window_in_days === 7)).toBe(true);
  });

  it("creates them directly in the scope, so each generator keeps the name its construct path gives", () => {
    // THEN the generators are named after ids directly under the scope (the stack), not under a wrapper
    expect(Object.keys(json.ephemeral.aws_secretsmanager_random_password).sort()).toEqual(
      SHARED_SECRETS.map((s) => `${s.name.replace(/\//g, "-").replace(/[^A-Za-z0-9_]/g, "_")}_value`).sort(),
    );
  });

  it("makes the Fernet key 43 alphanumerics and '=' (32 bytes, base64)", () => {
    const fernet = Object.values(json.resource.aws_secretsmanager_secret_version as Record<string, any>).find((v) =>
      String(v.secret_string_wo).includes("fernet"),
    )!;
    expect(fernet.secret_string_wo).toBe("${ephemeral.aws_secretsmanager_random_password.fernet_key_value.random_password}=");
  });
});

describe("secretRecoveryWindowDays", () => {
  it("keeps deleted production secrets restorable for 30 days, others for the minimum 7", () => {
    expect([secretRecoveryWindowDays(true), secretRecoveryWindowDays(false)]).toEqual([30, 7]);
  });
});
