import type { AirflowConfig } from "../../../config/schema";
import { API_SERVER_DISCOVERY_NAME, CORE_COMPONENTS, executionApiUrl, firstAdminEnvironment, MIGRATION_TASK } from "../../../modules/airflow/components";
import { Naming } from "../../../modules/core/naming";
import { RUNTIME_ENV } from "../../../runtime/airflow-image";

const airflow = (flower: Partial<AirflowConfig["flower"]>): AirflowConfig => ({
  imageTag: "3.1.5-1",
  auth: { kind: "fab" },
  apiServer: { cpu: 1024, memory: 2048, desiredCount: 2 },
  scheduler: { cpu: 1024, memory: 2048, desiredCount: 2 },
  dagProcessor: { cpu: 512, memory: 1024, desiredCount: 1 },
  triggerer: { cpu: 512, memory: 1024, desiredCount: 2 },
  flower: { enabled: true, exposure: "bastion", cpu: 256, memory: 512, ...flower },
  config: {},
  componentConfig: {},
});

describe("the core component table", () => {
  it("lists the api-server first, then scheduler, dag-processor, triggerer and Flower", () => {
    expect(CORE_COMPONENTS.map((c) => c.component)).toEqual(["api-server", "scheduler", "dag-processor", "triggerer", "flower"]);
  });

  it("puts only the api-server in its own security group, behind the ALB's API target and in service discovery", () => {
    const apiServer = CORE_COMPONENTS.find((c) => c.component === "api-server")!;
    expect(CORE_COMPONENTS.filter((c) => c.securityGroup === "api_server").map((c) => c.component)).toEqual(["api-server"]);
    expect(apiServer.loadBalancer?.target).toBe("api");
    expect(apiServer.discoveryName).toBe(API_SERVER_DISCOVERY_NAME);
    expect(executionApiUrl("airflow-dev.internal")).toBe("http://api-server.airflow-dev.internal:8080/execution/");
  });

  it("gives every component its own task role, named like the component", () => {
    expect(CORE_COMPONENTS.map((c) => c.taskRole)).toEqual(CORE_COMPONENTS.map((c) => c.component.replace(/-/g, "_")));
  });

  it("sizes each component from its config, and runs one Flower only where Flower is enabled", () => {
    // GIVEN an environment with Flower enabled WHEN the table sizes the components
    const sizes = CORE_COMPONENTS.map((c) => c.sizing(airflow({})));
    // THEN each gets its configured size, and Flower one task
    expect(sizes).toEqual([
      { cpu: 1024, memory: 2048, desiredCount: 2 },
      { cpu: 1024, memory: 2048, desiredCount: 2 },
      { cpu: 512, memory: 1024, desiredCount: 1 },
      { cpu: 512, memory: 1024, desiredCount: 2 },
      { cpu: 256, memory: 512, desiredCount: 1 },
    ]);
    // AND without Flower the environment runs none
    expect(CORE_COMPONENTS.find((c) => c.component === "flower")!.sizing(airflow({ enabled: false }))).toBeUndefined();
  });

  it("lets every component that uses the metadata database wait for migrations, except Flower", () => {
    expect(CORE_COMPONENTS.filter((c) => c.waitForMigrations === false).map((c) => c.component)).toEqual(["flower"]);
  });
});

describe("the migration task", () => {
  it("runs `airflow db migrate` on Fargate with its longest stop timeout and no migration gate", () => {
    expect(MIGRATION_TASK).toEqual({
      component: "migrate",
      command: ["db", "migrate"],
      size: { cpu: 512, memory: 1024 },
      compatibility: "FARGATE",
      waitForMigrations: false,
      stopTimeout: 120,
    });
  });

  it("creates the first admin with an address that cannot receive mail", () => {
    expect(firstAdminEnvironment(new Naming("airflow", "prod", "1"))).toEqual({
      [RUNTIME_ENV.adminUsername]: "admin",
      [RUNTIME_ENV.adminEmail]: "airflow-admin@airflow-prod.invalid",
    });
  });
});
