import type { EcsTaskDefinitionVolume } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Construct } from "constructs";
import type { TaskSize } from "../../config/schema";
import { PORTS } from "../../runtime/ports";
import { ContainerTask, type ContainerSpec, type HealthCheck, type TaskCompatibility } from "../ecs/container-task";
import { dagProcessorHealthCheck } from "../../config/derived/dag-processor-health";
import { componentEnvironment, componentSecrets, type AirflowRuntime } from "./airflow-settings";
import { COMPONENTS_WITH_LOCAL_LOGS, LOG_GROOMER_MEMORY, logGroomerContainer } from "./log-groomer";
import { metricsEnvironment } from "./metrics-settings";
import { failureNotificationEnvironment } from "./notification-settings";
import { AIRFLOW_GID, AIRFLOW_UID, DAGS_FOLDER, PLUGINS_FOLDER, WRITABLE_PATHS, type Component } from "../../runtime/airflow-image";

/** The image's library that builds connection URLs from the injected parts (docker/scripts/connections.sh). */
export const IMAGE_CONNECTIONS_LIBRARY = "/opt/airflow-ecs/scripts/connections.sh";

/**
 * A health check that runs an Airflow CLI probe. ECS runs health checks as new processes with the container's
 * configured environment, not the entrypoint's, so the probe first builds the component's connection URLs the way
 * the entrypoint does, then runs quietly and without the entrypoint's waits (as the Helm chart's probes do).
 */
export function cliProbe(component: Component, command: string): string {
  return `bash -c '. ${IMAGE_CONNECTIONS_LIBRARY} && ecs_export_connections ${component} && export CONNECTION_CHECK_MAX_COUNT=0 AIRFLOW__LOGGING__LOGGING_LEVEL=ERROR && exec ${command}'`;
}

/**
 * Per-component container profile: the port it serves and how ECS knows it is healthy (airflow-runtime.md section 1).
 * The dag-processor's check tolerates the longest stall of its heartbeat its bundles' refreshes allow.
 */
export function componentProfile(
  component: Component,
  runtime: Pick<AirflowRuntime, "flowerUrlPrefix" | "dags">,
): { port?: { containerPort: number; name: string }; healthCheck?: HealthCheck } {
  const http = (port: number, path: string): HealthCheck => ({
    command: ["CMD-SHELL", `curl -fsS http://localhost:${port}${path} || exit 1`],
    interval: 30,
    timeout: 10,
    retries: 3,
    startPeriod: 120,
  });
  // Python CLI probes need seconds to import Airflow.
  const cli = (command: string, timing = { interval: 60, timeout: 30, retries: 3, startPeriod: 180 }): HealthCheck => ({
    command: ["CMD-SHELL", `${cliProbe(component, command)} || exit 1`],
    ...timing,
  });
  switch (component) {
    case "api-server":
      return { port: { containerPort: PORTS.apiServer, name: "api" }, healthCheck: http(PORTS.apiServer, "/api/v2/version") };
    case "scheduler":
      return { healthCheck: http(PORTS.schedulerHealth, "/health") };
    case "dag-processor": {
      const { toleratedStallSeconds: _stall, ...timing } = dagProcessorHealthCheck(runtime.dags?.bundles ?? []);
      return { healthCheck: cli("airflow jobs check --job-type DagProcessorJob --local", timing) };
    }
    case "triggerer":
      return { port: { containerPort: PORTS.triggererLogs, name: "trigger-logs" }, healthCheck: cli("airflow jobs check --job-type TriggererJob --local") };
    case "worker":
      return {
        port: { containerPort: PORTS.workerLogs, name: "task-logs" },
        healthCheck: cli('celery --app airflow.providers.celery.executors.celery_executor.app inspect ping -d "celery@$(hostname)"'),
      };
    case "flower":
      return { port: { containerPort: PORTS.flower, name: "flower" }, healthCheck: http(PORTS.flower, `${runtime.flowerUrlPrefix ?? ""}/healthcheck`) };
    case "migrate":
    case "db-clean":
      return {};
  }
}

/** The DAG file system: mounted read-only through its access points with TLS and IAM authorization. */
export interface DagVolumes {
  /** The EFS file system of DAGs and plugins. */
  readonly fileSystemId: string;
  /** Access point of `/airflow/dags`, mounted at the DAGs folder. */
  readonly dagsAccessPointId: string;
  /** Access point of `/airflow/plugins`, mounted at the plugins folder. */
  readonly pluginsAccessPointId: string;
}

/** An ECS volume on an EFS access point: TLS in transit, IAM-authorized with the task role. */
export function efsVolume(name: string, fileSystemId: string, accessPointId: string): EcsTaskDefinitionVolume {
  return {
    name,
    efsVolumeConfiguration: { fileSystemId, transitEncryption: "ENABLED", authorizationConfig: { accessPointId, iam: "ENABLED" } },
  };
}

export interface AirflowTaskProps {
  /** The Airflow component: main container name, settings, secrets, health check and port. */
  readonly component: Component;
  /** Task-definition family, e.g. `airflow-prod-scheduler`. */
  readonly family: string;
  /** Airflow subcommand (the image's entrypoint prepends `airflow`). */
  readonly command: readonly string[];
  /** The Airflow image, `<repository url>:<tag>`. */
  readonly image: string;
  /** Task CPU units and memory (MiB). */
  readonly size: TaskSize;
  /** EC2 (the cluster's capacity) or Fargate. */
  readonly compatibility: TaskCompatibility;
  /** What the containers' settings and secrets are built from. */
  readonly runtime: AirflowRuntime;
  /** Role ECS pulls the image, writes logs and injects the secrets with. */
  readonly executionRoleArn: string;
  /** Role the containers run with. */
  readonly taskRoleArn: string;
  /**
   * The DAG file system, mounted read-only.
   * @default - no DAG volumes (tasks that do not read DAGs: migrate)
   */
  readonly dags?: DagVolumes;
  /** Start the main container only after `airflow db check-migrations` succeeds (components that use the DB). */
  readonly waitForMigrations: boolean;
  /**
   * Seconds between SIGTERM and SIGKILL.
   * @default - Fargate's 30 s; on EC2 the agent's ECS_CONTAINER_STOP_TIMEOUT
   */
  readonly stopTimeout?: number;
  /**
   * Plain variables added after the component's settings.
   * @default - none
   */
  readonly extraEnvironment?: Readonly<Record<string, string>>;
  /** CloudWatch Logs group of the containers. */
  readonly logGroupName: string;
  /** Retention of the log group. */
  readonly logRetentionDays: number;
  /** KMS key encrypting the log group. */
  readonly logsKmsKeyArn: string;
}

/** Memory the wait-for-migrations init container reserves while it runs. */
export const MIGRATION_CHECK_MEMORY = 384;

/**
 * An Airflow component's task definition: the image as uid 50000 with a read-only root filesystem (scratch volumes
 * for logs and /tmp), settings and secrets for what the component talks to, its health check and port, the DAG and
 * plugin folders from EFS, an optional init container gating start on applied migrations, and the log groomer
 * sidecar where the component keeps logs on its task's disk.
 */
export class AirflowTask extends Construct {
  /** The task definition and its log group. */
  readonly task: ContainerTask;
  /** The component's container (the init container, when there is one, comes before it). */
  readonly mainContainer: ContainerSpec;

  constructor(scope: Construct, id: string, props: AirflowTaskProps) {
    super(scope, id);
    const { component, runtime } = props;
    const environment = {
      ...componentEnvironment(component, runtime),
      ...failureNotificationEnvironment(component, runtime),
      ...metricsEnvironment(component, runtime),
      ...props.extraEnvironment,
    };
    const secrets = componentSecrets(component, runtime);
    const profile = componentProfile(component, runtime);

    const volumes: EcsTaskDefinitionVolume[] = [{ name: "logs" }, { name: "tmp" }];
    const mounts: { sourceVolume: string; containerPath: string; readOnly: boolean }[] = [
      { sourceVolume: "logs", containerPath: WRITABLE_PATHS.logs, readOnly: false },
      { sourceVolume: "tmp", containerPath: WRITABLE_PATHS.tmp, readOnly: false },
    ];
    if (props.dags) {
      volumes.push(
        efsVolume("dags", props.dags.fileSystemId, props.dags.dagsAccessPointId),
        efsVolume("plugins", props.dags.fileSystemId, props.dags.pluginsAccessPointId),
      );
      mounts.push(
        { sourceVolume: "dags", containerPath: DAGS_FOLDER, readOnly: true },
        { sourceVolume: "plugins", containerPath: PLUGINS_FOLDER, readOnly: true },
      );
    }

    const base = {
      image: props.image,
      user: `${AIRFLOW_UID}:${AIRFLOW_GID}`,
      readonlyRootFilesystem: true,
      environment,
      secrets,
      mountPoints: mounts,
      ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
    };
    const init: ContainerSpec | undefined = props.waitForMigrations
      ? {
          ...base,
          name: "wait-for-migrations",
          essential: false,
          command: ["db", "check-migrations", "--migration-wait-timeout=600"],
          memoryReservation: MIGRATION_CHECK_MEMORY,
        }
      : undefined;
    const groomer = COMPONENTS_WITH_LOCAL_LOGS.includes(component) ? logGroomerContainer(props.image, "logs") : undefined;
    this.mainContainer = {
      ...base,
      name: component,
      command: props.command,
      portMappings: profile.port ? [profile.port] : undefined,
      healthCheck: profile.healthCheck,
      memoryReservation: props.size.memory - (init ? MIGRATION_CHECK_MEMORY : 0) - (groomer ? LOG_GROOMER_MEMORY : 0),
      stopTimeout: props.stopTimeout,
      dependsOn: init ? [{ containerName: init.name, condition: "SUCCESS" }] : undefined,
    };

    this.task = new ContainerTask(this, "task", {
      family: props.family,
      compatibility: props.compatibility,
      cpu: props.size.cpu,
      memory: props.size.memory,
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      containers: [...(init ? [init] : []), this.mainContainer, ...(groomer ? [groomer] : [])],
      volumes,
      logGroupName: props.logGroupName,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      region: runtime.region,
    });
  }

  /** ARN of the task definition: what the component's service (or a one-off RunTask) starts. */
  get taskDefinitionArn(): string {
    return this.task.taskDefinitionArn;
  }
}
