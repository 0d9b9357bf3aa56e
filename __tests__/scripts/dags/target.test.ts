import { GetParameterCommand, ParameterNotFound } from "@aws-sdk/client-ssm";
import { DAGS, DEV, ecs, failure, folder, publishTarget, resetMocks, s3, ssm, target } from "./harness";

afterEach(resetMocks);

describe("the DAG delivery target", () => {
  it("tells to apply the services stack when the delivery parameter is missing", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: "" }));
    const error = await failure(["--env", "dev", "--from", folder(DAGS)]);
    expect([error.exitCode, error.message]).toEqual([
      1,
      "SSM parameter /airflow/dev/dag-delivery does not exist; apply the services stack of dev first (it publishes where DAGs are delivered)",
    ]);
    expect(s3.calls().length + ecs.calls().length).toBe(0);
  });

  it.each([
    ["not JSON", "{", "its value is not JSON"],
    ["a missing field", { ...DEV, cluster: undefined }, '"cluster" is missing; expected a non-empty string'],
    ["no subnets", { ...DEV, subnets: [] }, '"subnets" is []; expected a non-empty list of ids'],
    ["another environment", target("test"), 'it names environment "test", not "dev"'],
  ])("refuses a delivery parameter with %s", async (_what, value, problem) => {
    publishTarget(value);
    const error = await failure(["--env", "dev", "--version", "v1"]);
    expect(error.message).toBe(`SSM parameter /airflow/dev/dag-delivery is not a valid DAG delivery target: ${problem}; re-apply the services stack of dev`);
  });
});
