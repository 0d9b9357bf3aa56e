import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { handler, parseConfig, redeploy, type SecretLabelUpdatedEvent } from "../../../lambda/service-redeployer";

const rotation: SecretLabelUpdatedEvent = {
  "detail-type": "Secret Label Updated",
  resources: ["arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!db-1-AbCdEf"],
  detail: { name: "rds!db-1", labelUpdated: "AWSCURRENT" },
};
const env = { AIRFLOW_ECS_CLUSTER: "airflow-dev-cluster", AIRFLOW_ECS_SERVICES: JSON.stringify(["airflow-dev-api-server", "airflow-dev-scheduler"]) };

describe("service redeployer", () => {
  it("forces a new deployment of every service when AWSCURRENT moves", async () => {
    // GIVEN two services WHEN the database secret's current version changes
    const calls: string[] = [];
    const started = await redeploy(
      parseConfig(env),
      rotation,
      async (cluster, service) => void calls.push(`${cluster}/${service}`),
      () => undefined,
    );
    // THEN both are redeployed in the cluster
    expect([started, calls]).toEqual([
      ["airflow-dev-api-server", "airflow-dev-scheduler"],
      ["airflow-dev-cluster/airflow-dev-api-server", "airflow-dev-cluster/airflow-dev-scheduler"],
    ]);
  });

  it("ignores label moves other than AWSCURRENT", async () => {
    const calls: string[] = [];
    const logs: string[] = [];
    await redeploy(
      parseConfig(env),
      { ...rotation, detail: { labelUpdated: "custom" } },
      async (_c, s) => void calls.push(s),
      (m) => void logs.push(m),
    );
    expect([calls, logs]).toEqual([[], ["Ignored: not a rotation of the current secret version"]]);
  });

  it("tries every service and fails the invocation naming each one it could not redeploy", async () => {
    const attempt = async (_cluster: string, service: string) => {
      if (service.endsWith("api-server")) throw Object.assign(new Error("Service not ACTIVE"), { name: "ServiceNotActiveException" });
    };
    await expect(redeploy(parseConfig(env), rotation, attempt, () => undefined)).rejects.toThrow(
      "Could not redeploy 1 of 2 services in airflow-dev-cluster:\nairflow-dev-api-server: ServiceNotActiveException: Service not ACTIVE",
    );
  });

  it("rejects a missing cluster or a malformed service list with the variable named", () => {
    expect(() => parseConfig({ AIRFLOW_ECS_SERVICES: "[]" })).toThrow(
      'Invalid service-redeployer environment:\n- AIRFLOW_ECS_CLUSTER is null; expected an ECS cluster name\n- AIRFLOW_ECS_SERVICES is "[]"; expected a JSON array of ECS service names',
    );
  });

  it("calls ECS UpdateService with forceNewDeployment from the Lambda handler", async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(UpdateServiceCommand).resolves({});
    const saved = { ...process.env };
    Object.assign(process.env, env, { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y" });
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      await handler(rotation);
      expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
        { cluster: "airflow-dev-cluster", service: "airflow-dev-api-server", forceNewDeployment: true },
        { cluster: "airflow-dev-cluster", service: "airflow-dev-scheduler", forceNewDeployment: true },
      ]);
    } finally {
      process.env = saved;
      log.mockRestore();
      ecs.restore();
    }
  });
});
