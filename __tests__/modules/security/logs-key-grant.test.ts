import { ArnBuilder } from "../../../modules/core/arn";
import { Naming } from "../../../modules/core/naming";
import { cloudWatchLogsKeyGrant } from "../../../modules/security/logs-key-grant";

describe("cloudWatchLogsKeyGrant", () => {
  it("lets the region's CloudWatch Logs use the key for the environment's log groups and RDS's export groups only", () => {
    // GIVEN the prod environment in eu-west-1 WHEN the grant is built
    const grant = cloudWatchLogsKeyGrant(
      new ArnBuilder({ account: { id: "333333333333", region: "eu-west-1" } }),
      new Naming("airflow", "prod", "333333333333"),
    );
    // THEN the principal is the regional Logs service and the encryption context names exactly those groups
    expect(grant.principals).toEqual([{ type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] }]);
    expect(grant.conditions).toEqual([
      {
        test: "ArnLike",
        variable: "kms:EncryptionContext:aws:logs:arn",
        values: [
          "arn:aws:logs:eu-west-1:333333333333:log-group:/airflow/prod/*",
          "arn:aws:logs:eu-west-1:333333333333:log-group:/aws/rds/instance/airflow-prod-*",
        ],
      },
    ]);
    expect(grant.actions).not.toContain("kms:*");
  });
});
