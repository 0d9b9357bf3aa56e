import type { EnvironmentConfig } from "../../config/schema";
import { CORE_COMPONENTS } from "../../modules/airflow/components";
import { environmentStacks, repoEnvironment, resources, synthJson } from "../support/synth";

/** The dev environment with another Flower setting. */
const withFlower = (flower: Partial<EnvironmentConfig["airflow"]["flower"]>): EnvironmentConfig => {
  const dev = repoEnvironment("dev");
  return { ...dev, airflow: { ...dev.airflow, flower: { ...dev.airflow.flower, ...flower } } };
};

describe("the services stack's Airflow services", () => {
  it("are the core component table, in order, each named after its component", () => {
    // GIVEN dev (Flower enabled) WHEN its stacks are built THEN one service per table row, then one per worker pool
    const { services } = environmentStacks(repoEnvironment("dev"));
    expect(Object.keys(services.services)).toEqual(CORE_COMPONENTS.map((c) => c.component));
    expect(Object.values(services.services).map((s) => s.serviceName)).toEqual(CORE_COMPONENTS.map((c) => `airflow-dev-${c.component}`));
    expect(services.workerPools.map((p) => p.shortName)).toEqual(repoEnvironment("dev").workerPools.map((p) => `worker-${p.name}`));
  });

  it("leave Flower out where it is disabled", () => {
    const { services } = environmentStacks(withFlower({ enabled: false }));
    expect(Object.keys(services.services)).toEqual(["api-server", "scheduler", "dag-processor", "triggerer"]);
  });

  it("put Flower behind the ALB's Flower target only when it is exposed through the ALB", () => {
    // GIVEN Flower exposed through the bastion, then through the ALB
    const flowerTargets = (config: EnvironmentConfig) => {
      const json = synthJson(environmentStacks(config).services);
      const flower = Object.values(resources(json, "aws_ecs_service")).find((s) => s.name === "airflow-dev-flower")!;
      return (flower.load_balancer as { container_name: string; container_port: number }[] | undefined)?.map((l) => [l.container_name, l.container_port]);
    };
    // THEN only the second registers Flower's port in a target group
    expect(flowerTargets(withFlower({ exposure: "bastion" }))).toBeUndefined();
    expect(flowerTargets(withFlower({ exposure: "alb" }))).toEqual([["flower", 5555]]);
  });
});
