import { App, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ConstructError } from "../../../modules/core/construct-error";
import { BundledLambda, type BundledLambdaProps } from "../../../modules/operations/bundled-lambda";

const props = (zipPath: string): BundledLambdaProps => ({
  name: "airflow-dev-probe",
  artifact: { entry: "lambda/probe/index.ts", zipPath, handler: "index.handler", runtime: "nodejs22.x" },
  roleArn: "arn:aws:iam::111111111111:role/probe",
  timeoutSeconds: 10,
  memoryMb: 128,
  reservedConcurrency: 1,
  environment: {},
  trigger: { schedule: "rate(1 minute)" },
  description: "probe",
  maxEventAgeSeconds: 60,
  logGroupName: "/airflow/dev/lambda/probe",
  logRetentionDays: 7,
  logsKmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/k",
});

describe("BundledLambda", () => {
  it("refuses a bundle that was not built, naming the construct and the build command", () => {
    // GIVEN a stack and an artifact whose zip does not exist
    const stack = new TerraformStack(new App(), "dev-services");
    const scope = new Construct(stack, "operations");
    // WHEN the function is created THEN the error starts with the construct's path and says how to build the bundle
    let error: unknown;
    try {
      new BundledLambda(scope, "probe", props("dist/lambda/does-not-exist.zip"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructError);
    expect((error as Error).message).toBe(
      'dev-services/operations/probe: Lambda bundle dist/lambda/does-not-exist.zip for airflow-dev-probe does not exist; build it first with "npm run build"',
    );
  });
});
