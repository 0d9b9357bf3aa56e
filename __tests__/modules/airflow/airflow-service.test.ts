import { synthPoolAndScheduler } from "./service-fixtures";

describe("AirflowService", () => {
  it("names its service, task family and log group after its short name, and exposes them", () => {
    // GIVEN a scheduler service of the dev environment
    const { json, scheduler } = synthPoolAndScheduler();
    // THEN consumers read its names without reaching into its resources
    expect([scheduler.shortName, scheduler.serviceName, scheduler.logGroupName, scheduler.securityGroupId]).toEqual([
      "scheduler",
      "airflow-dev-scheduler",
      "/airflow/dev/scheduler",
      "sg-services",
    ]);
    const definitions = Object.values(json.resource.aws_ecs_task_definition as Record<string, any>);
    expect(definitions.map((d) => d.family).sort()).toEqual(["airflow-dev-scheduler", "airflow-dev-worker-heavy"]);
    // AND its task definition ARN is the definition's
    expect(json.output.scheduler_task_definition.value).toMatch(/^\$\{aws_ecs_task_definition\.scheduler_task_definition_\w+\.arn\}$/);
  });
});
