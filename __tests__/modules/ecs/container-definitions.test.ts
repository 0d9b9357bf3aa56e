import * as fs from "fs";
import * as path from "path";
import { isValidFargateSize } from "../../../config/instance-types";
import { ADOT_COLLECTOR_IMAGE, ADOT_COLLECTOR_USER } from "../../../modules/metrics/metrics-collector";
import { sharedApp } from "../../support/synth";

/**
 * Every task definition of every environment, checked against the ECS container-definition rules this project
 * relies on (ECS API reference, ContainerDefinition / HealthCheck / TaskDefinition).
 */
const app = sharedApp();
const taskDefinitions = app.stacks.flatMap((stack) => {
  const json = JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8"));
  return Object.entries((json.resource?.aws_ecs_task_definition ?? {}) as Record<string, any>).map(([id, td]) => ({
    name: `${stack.id}/${td.family ?? id}`,
    td,
  }));
});

/** Container-definition keys ECS accepts (the subset of the API this project may use). */
const ECS_KEYS = new Set([
  "name",
  "image",
  "essential",
  "command",
  "entryPoint",
  "user",
  "readonlyRootFilesystem",
  "privileged",
  "environment",
  "secrets",
  "portMappings",
  "mountPoints",
  "volumesFrom",
  "healthCheck",
  "memory",
  "memoryReservation",
  "cpu",
  "stopTimeout",
  "startTimeout",
  "dependsOn",
  "dockerLabels",
  "linuxParameters",
  "ulimits",
  "logConfiguration",
  "workingDirectory",
  "systemControls",
]);
const HEALTH_CHECK_RANGES = { interval: [5, 300], timeout: [2, 60], retries: [1, 10], startPeriod: [0, 300] } as const;
const SECRET_ARN = /^\$\{[^}]+\}(:[A-Za-z0-9_]+::)?$|^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^:]+(:[A-Za-z0-9_]+::)?$/;

it("finds task definitions to check in every environment", () => {
  expect(taskDefinitions.length).toBeGreaterThanOrEqual(4 * 8);
});

describe.each(taskDefinitions.map((t) => [t.name, t.td] as const))("%s", (_name, td) => {
  const containers = JSON.parse(td.container_definitions) as Record<string, any>[];
  const fargate = (td.requires_compatibilities as string[]).includes("FARGATE");

  it("uses only container-definition keys ECS accepts", () => {
    expect(
      containers.flatMap((c) =>
        Object.keys(c)
          .filter((k) => !ECS_KEYS.has(k))
          .map((k) => `${c.name}.${k}`),
      ),
    ).toEqual([]);
  });

  it("keeps health checks inside ECS's ranges and in CMD-SHELL form (exec form for the shell-less collector image)", () => {
    for (const c of containers.filter((c) => c.healthCheck)) {
      for (const [key, [min, max]] of Object.entries(HEALTH_CHECK_RANGES)) {
        expect({ container: c.name, key, value: c.healthCheck[key], ok: c.healthCheck[key] >= min && c.healthCheck[key] <= max }).toMatchObject({ ok: true });
      }
      expect(c.healthCheck.command[0]).toBe(c.image === ADOT_COLLECTOR_IMAGE ? "CMD" : "CMD-SHELL");
      expect(c.healthCheck.timeout).toBeLessThan(c.healthCheck.interval);
    }
  });

  it("fits its containers' memory and CPU into the task size, and uses a size the capacity offers", () => {
    const memory = Number(td.memory);
    expect(containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0)).toBeLessThanOrEqual(memory);
    expect(containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0)).toBeLessThanOrEqual(Number(td.cpu));
    if (fargate) expect(isValidFargateSize(Number(td.cpu), memory)).toBe(true);
  });

  it("has an essential container, depends only on containers it defines, and stops within the capacity's limit", () => {
    const names = new Set(containers.map((c) => c.name));
    expect(containers.some((c) => c.essential)).toBe(true);
    expect(containers.flatMap((c) => (c.dependsOn ?? []).map((d: any) => d.containerName)).filter((n: string) => !names.has(n))).toEqual([]);
    if (fargate) expect(containers.every((c) => c.stopTimeout === undefined || c.stopTimeout <= 120)).toBe(true);
  });

  it("logs every container with awslogs to a group, and references secrets by ARN only", () => {
    expect(containers.every((c) => c.logConfiguration?.logDriver === "awslogs" && c.logConfiguration.options["awslogs-group"])).toBe(true);
    expect(containers.flatMap((c) => c.secrets).filter((s: any) => !SECRET_ARN.test(s.valueFrom))).toEqual([]);
  });

  it("runs non-root on a read-only root filesystem; only cAdvisor is privileged (and root)", () => {
    for (const c of containers) {
      expect({ container: c.name, readOnly: c.readonlyRootFilesystem }).toEqual({ container: c.name, readOnly: true });
      const exception = c.name === "cadvisor";
      // Airflow's image runs as 50000:0; the collector's as its own user.
      const user = c.image === ADOT_COLLECTOR_IMAGE ? ADOT_COLLECTOR_USER : "50000:0";
      expect({ container: c.name, privileged: c.privileged, nonRoot: c.user === user }).toEqual({
        container: c.name,
        privileged: exception,
        nonRoot: !exception,
      });
    }
  });
});
