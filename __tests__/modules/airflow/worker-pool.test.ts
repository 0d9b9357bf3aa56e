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

describe("WorkerPool", () => {
  it("is an operated service named after the pool", () => {
    const { pool: workers } = synth();
    expect([workers.shortName, workers.serviceName, workers.logGroupName]).toEqual(["worker-heavy", "airflow-dev-worker-heavy", "/airflow/dev/worker-heavy"]);
  });

  it("exposes the scalable target of its desired count, bounded by the pool's minimum and maximum", () => {
    // GIVEN a pool of 1 to 6 workers WHEN synthesized THEN one scalable target spans that range on the pool's service
    const { json } = synth();
    const targets = Object.values(json.resource.aws_appautoscaling_target as Record<string, any>);
    expect(targets).toEqual([
      expect.objectContaining({
        service_namespace: "ecs",
        scalable_dimension: "ecs:service:DesiredCount",
        resource_id: "service/airflow-dev-cluster/airflow-dev-worker-heavy",
        min_capacity: 1,
        max_capacity: 6,
      }),
    ]);
  });

  it("leaves its desired count to autoscaling and consumes its queues with its concurrency", () => {
    const { json } = synth();
    const services = Object.values(json.resource.aws_ecs_service as Record<string, any>);
    expect(services.find((s) => s.name === "airflow-dev-worker-heavy")!.lifecycle).toEqual({ ignore_changes: ["desired_count"] });
    const definition = Object.values(json.resource.aws_ecs_task_definition as Record<string, any>).find((d) => d.family === "airflow-dev-worker-heavy")!;
    expect(JSON.parse(definition.container_definitions)[0].command).toEqual(["celery", "worker", "--queues", "heavy,ml", "--concurrency", "4"]);
  });
});
