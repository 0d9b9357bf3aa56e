import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition, type EcsTaskDefinitionVolume } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

/** An ECS container health check (ECS limits: interval 5-300, timeout 2-60, retries 1-10, startPeriod 0-300 s). */
export interface HealthCheck {
  /** `["CMD-SHELL", "<command>"]` or `["CMD", ...]`; exit 0 is healthy. */
  readonly command: readonly string[];
  /** Seconds between checks. */
  readonly interval: number;
  /** Seconds a check may take before it counts as failed. */
  readonly timeout: number;
  /** Consecutive failures that make the container unhealthy. */
  readonly retries: number;
  /** Seconds after start during which failures do not count. */
  readonly startPeriod: number;
}

/** One container, typed: rendered to the ECS container-definition JSON by `renderContainerDefinitions`. */
export interface ContainerSpec {
  /** Container name, unique in the task (health checks, load balancers and `dependsOn` name it). */
  readonly name: string;
  /** Image reference. */
  readonly image: string;
  /**
   * Command (arguments to the image's entrypoint).
   * @default - the image's CMD
   */
  readonly command?: readonly string[];
  /**
   * The task stops when this container stops.
   * @default true
   */
  readonly essential?: boolean;
  /**
   * `uid:gid`; every container except cAdvisor runs as non-root.
   * @default - the image's user
   */
  readonly user?: string;
  /** Mount the root filesystem read-only (writable paths come from volumes). */
  readonly readonlyRootFilesystem: boolean;
  /**
   * Run privileged (host devices and cgroups).
   * @default false
   */
  readonly privileged?: boolean;
  /**
   * Plain, non-sensitive settings.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets Manager references: variable name -> `valueFrom` (a secret ARN, optionally `:<json-key>::`).
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * Ports the container listens on (TCP); the host port is the container port unless given.
   * @default - none
   */
  readonly portMappings?: readonly { readonly containerPort: number; readonly hostPort?: number; readonly name?: string }[];
  /**
   * Task volumes mounted into the container.
   * @default - none
   */
  readonly mountPoints?: readonly { readonly sourceVolume: string; readonly containerPath: string; readonly readOnly: boolean }[];
  /**
   * How ECS knows the container is healthy.
   * @default - no health check
   */
  readonly healthCheck?: HealthCheck;
  /** Soft memory limit (MiB); the task size is the hard limit. */
  readonly memoryReservation: number;
  /**
   * CPU units reserved for the container.
   * @default - shares the task's CPU
   */
  readonly cpu?: number;
  /**
   * Seconds between SIGTERM and SIGKILL (Fargate: at most 120).
   * @default - Fargate's 30 s; on EC2 the agent's ECS_CONTAINER_STOP_TIMEOUT
   */
  readonly stopTimeout?: number;
  /**
   * Containers that must reach a state before this one starts.
   * @default - none
   */
  readonly dependsOn?: readonly { readonly containerName: string; readonly condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY" }[];
  /**
   * Docker labels (e.g. for Prometheus discovery).
   * @default - none
   */
  readonly dockerLabels?: Readonly<Record<string, string>>;
  /**
   * Host devices passed into the container.
   * @default - none
   */
  readonly linuxParameters?: {
    readonly devices?: readonly { readonly hostPath: string; readonly containerPath: string; readonly permissions: readonly string[] }[];
  };
  /**
   * Resource limits (e.g. open files).
   * @default - Docker's defaults
   */
  readonly ulimits?: readonly { readonly name: string; readonly softLimit: number; readonly hardLimit: number }[];
}

/** Where a task's containers log (the awslogs driver). */
export interface LogDestination {
  /** CloudWatch Logs group. */
  readonly group: string;
  /** Region of the log group. */
  readonly region: string;
  /** Stream prefix: streams are `<prefix>/<container>/<task id>`. */
  readonly streamPrefix: string;
}

/** ECS container-definition JSON: sorted environment and secrets, awslogs on every container, non-blocking delivery. */
export function renderContainerDefinitions(containers: readonly ContainerSpec[], logs: LogDestination): string {
  const sorted = (record: Readonly<Record<string, string>> | undefined, key: "value" | "valueFrom") =>
    Object.entries(record ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, [key]: value }));
  return JSON.stringify(
    containers.map((c) => ({
      name: c.name,
      image: c.image,
      essential: c.essential ?? true,
      ...(c.command ? { command: [...c.command] } : {}),
      ...(c.user ? { user: c.user } : {}),
      readonlyRootFilesystem: c.readonlyRootFilesystem,
      privileged: c.privileged ?? false,
      environment: sorted(c.environment, "value"),
      secrets: sorted(c.secrets, "valueFrom"),
      portMappings: (c.portMappings ?? []).map((p) => ({
        containerPort: p.containerPort,
        hostPort: p.hostPort ?? p.containerPort,
        protocol: "tcp",
        ...(p.name ? { name: p.name } : {}),
      })),
      mountPoints: (c.mountPoints ?? []).map((m) => ({ ...m })),
      volumesFrom: [],
      ...(c.healthCheck ? { healthCheck: { ...c.healthCheck, command: [...c.healthCheck.command] } } : {}),
      memoryReservation: c.memoryReservation,
      ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
      ...(c.stopTimeout !== undefined ? { stopTimeout: c.stopTimeout } : {}),
      ...(c.dependsOn ? { dependsOn: c.dependsOn.map((d) => ({ ...d })) } : {}),
      ...(c.dockerLabels ? { dockerLabels: { ...c.dockerLabels } } : {}),
      ...(c.linuxParameters ? { linuxParameters: { devices: c.linuxParameters.devices?.map((d) => ({ ...d, permissions: [...d.permissions] })) } } : {}),
      ...(c.ulimits ? { ulimits: c.ulimits.map((u) => ({ ...u })) } : {}),
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": logs.group,
          "awslogs-region": logs.region,
          "awslogs-stream-prefix": logs.streamPrefix,
          // Never block the application on CloudWatch Logs; buffer instead.
          mode: "non-blocking",
          "max-buffer-size": "25m",
        },
      },
    })),
  );
}

/** Where a task runs: the EC2 capacity (awsvpc or host networking) or Fargate. */
export type TaskCompatibility = "EC2" | "FARGATE";

export interface ContainerTaskProps {
  /** Task-definition family; also the log stream prefix. */
  readonly family: string;
  /** EC2 (the cluster's capacity) or Fargate. */
  readonly compatibility: TaskCompatibility;
  /**
   * Task networking: an ENI of its own, or the host's network (per-host daemons).
   * @default "awsvpc"
   */
  readonly networkMode?: "awsvpc" | "host";
  /** Task-level CPU units: the hard limit the containers share. */
  readonly cpu: number;
  /** Task-level memory (MiB): the hard limit the containers share. */
  readonly memory: number;
  /** Role ECS pulls images, writes logs and injects secrets with. */
  readonly executionRoleArn: string;
  /** Role the containers run with. */
  readonly taskRoleArn: string;
  /** The containers, in definition order. */
  readonly containers: readonly ContainerSpec[];
  /**
   * Task volumes (scratch, EFS, host paths) the containers mount.
   * @default - none
   */
  readonly volumes?: readonly EcsTaskDefinitionVolume[];
  /** CloudWatch Logs group every container logs to (created here). */
  readonly logGroupName: string;
  /** Retention of the log group. */
  readonly logRetentionDays: number;
  /** KMS key encrypting the log group. */
  readonly logsKmsKeyArn: string;
  /** Region of the log group (awslogs driver). */
  readonly region: string;
  /**
   * Other resources the task definition waits for, e.g. a log group the containers write to through an API.
   * @default - only the task's own log group
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** A task definition with its own KMS-encrypted log group with retention. */
export class ContainerTask extends Construct {
  /** The task's log group. */
  readonly logGroup: CloudwatchLogGroup;
  /** The task definition. */
  readonly definition: EcsTaskDefinition;
  /** The containers, as given. */
  readonly containers: readonly ContainerSpec[];

  constructor(scope: Construct, id: string, props: ContainerTaskProps) {
    super(scope, id);
    this.containers = props.containers;
    this.logGroup = new CloudwatchLogGroup(this, "logs", { name: props.logGroupName, retentionInDays: props.logRetentionDays, kmsKeyId: props.logsKmsKeyArn });
    this.definition = new EcsTaskDefinition(this, "definition", {
      family: props.family,
      requiresCompatibilities: [props.compatibility],
      networkMode: props.networkMode ?? "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memory),
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: renderContainerDefinitions(props.containers, { group: props.logGroupName, region: props.region, streamPrefix: props.family }),
      volume: props.volumes ? [...props.volumes] : undefined,
      dependsOn: [this.logGroup, ...(props.dependsOn ?? [])],
    });
  }

  /** ARN of the task definition (its latest revision), what services and RunTask start. */
  get taskDefinitionArn(): string {
    return this.definition.arn;
  }
}
