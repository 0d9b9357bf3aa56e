import { TerraformOutput, Testing } from "cdktf";
import type { WorkerPoolConfig } from "../../../config/schema";
import { AirflowService } from "../../../modules/airflow/airflow-service";
import { WorkerPool } from "../../../modules/airflow/worker-pool";
import { serviceDefaults } from "./service-fixtures";

const pool: WorkerPoolConfig = {
  name: "heavy",
  queues: ["heavy", "ml"],
  concurrency: 4,
  minCount: 1,
  maxCount: 6,
  capacity: "fargate",
  cpu: 2048,
  memory: 4096,
};

function synth() {
  let built: { pool?: WorkerPool; scheduler?: AirflowService } = {};
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      const p = new WorkerPool(scope, "worker-heavy", { ...serviceDefaults(), pool, securityGroupId: "sg-workers", taskRoleArn: "arn:worker" });
      const scheduler = new AirflowService(scope, "scheduler", {
        ...serviceDefaults(),
        component: "scheduler",
        command: ["scheduler"],
        size: { cpu: 1024, memory: 2048 },
        desiredCount: 2,
        securityGroupId: "sg-services",
        taskRoleArn: "arn:scheduler",
      });
      new TerraformOutput(scope, "scheduler_task_definition", { value: scheduler.taskDefinitionArn });
      built = { pool: p, scheduler };
    }),
  );
  return { json, pool: built.pool!, scheduler: built.scheduler! };
}

describe("AirflowService", () => {
  it("names its service, task family and log group after its short name, and exposes them", () => {
    // GIVEN a scheduler service of the dev environment
    const { json, scheduler } = synth();
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
