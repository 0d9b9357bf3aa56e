import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition, type EcsTaskDefinitionVolume } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Construct } from "constructs";

/** An ECS container health check (ECS limits: interval 5-300, timeout 2-60, retries 1-10, startPeriod 0-300 s). */
export interface HealthCheck {
  readonly command: readonly string[];
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly startPeriod: number;
}

/** One container, typed: rendered to the ECS container-definition JSON by `renderContainerDefinitions`. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  /** @default true */
  readonly essential?: boolean;
  /** `uid:gid`; every container except cAdvisor runs as non-root. */
  readonly user?: string;
  readonly readonlyRootFilesystem: boolean;
  readonly privileged?: boolean;
  /** Plain, non-sensitive settings. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Secrets Manager references: variable name -> `valueFrom` (a secret ARN, optionally `:<json-key>::`). */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly portMappings?: readonly { readonly containerPort: number; readonly hostPort?: number; readonly name?: string }[];
  readonly mountPoints?: readonly { readonly sourceVolume: string; readonly containerPath: string; readonly readOnly: boolean }[];
  readonly healthCheck?: HealthCheck;
  /** Soft memory limit (MiB); the task size is the hard limit. */
  readonly memoryReservation: number;
  readonly cpu?: number;
  /** Seconds between SIGTERM and SIGKILL (Fargate: at most 120; EC2: the agent default when unset). */
  readonly stopTimeout?: number;
  readonly dependsOn?: readonly { readonly containerName: string; readonly condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY" }[];
  readonly dockerLabels?: Readonly<Record<string, string>>;
  readonly linuxParameters?: {
    readonly devices?: readonly { readonly hostPath: string; readonly containerPath: string; readonly permissions: readonly string[] }[];
  };
  readonly ulimits?: readonly { readonly name: string; readonly softLimit: number; readonly hardLimit: number }[];
}

export interface LogDestination {
  readonly group: string;
  readonly region: string;
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
  readonly family: string;
  readonly compatibility: TaskCompatibility;
  /** @default "awsvpc" */
  readonly networkMode?: "awsvpc" | "host";
  /** Task-level CPU units and memory (MiB): the hard limits the containers share. */
  readonly cpu: number;
  readonly memory: number;
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  readonly containers: readonly ContainerSpec[];
  readonly volumes?: readonly EcsTaskDefinitionVolume[];
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly logsKmsKeyArn: string;
  readonly region: string;
}

/** A task definition with its own KMS-encrypted log group with retention. */
export class ContainerTask extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly definition: EcsTaskDefinition;
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
      dependsOn: [this.logGroup],
    });
  }

  /** ARN of the task definition (its latest revision), what services and RunTask start. */
  get taskDefinitionArn(): string {
    return this.definition.arn;
  }
}
