import { synthPoolAndScheduler } from "./service-fixtures";

describe("WorkerPool", () => {
  it("is an operated service named after the pool", () => {
    const { pool: workers } = synthPoolAndScheduler();
    expect([workers.shortName, workers.serviceName, workers.logGroupName]).toEqual(["worker-heavy", "airflow-dev-worker-heavy", "/airflow/dev/worker-heavy"]);
  });

  it("exposes the scalable target of its desired count, bounded by the pool's minimum and maximum", () => {
    // GIVEN a pool of 1 to 6 workers WHEN synthesized THEN one scalable target spans that range on the pool's service
    const { json } = synthPoolAndScheduler();
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
    const { json } = synthPoolAndScheduler();
    const services = Object.values(json.resource.aws_ecs_service as Record<string, any>);
    expect(services.find((s) => s.name === "airflow-dev-worker-heavy")!.lifecycle).toEqual({ ignore_changes: ["desired_count"] });
    const definition = Object.values(json.resource.aws_ecs_task_definition as Record<string, any>).find((d) => d.family === "airflow-dev-worker-heavy")!;
    expect(JSON.parse(definition.container_definitions)[0].command).toEqual(["celery", "worker", "--queues", "heavy,ml", "--concurrency", "4"]);
  });
});
