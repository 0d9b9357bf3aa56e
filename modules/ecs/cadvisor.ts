import { Construct } from "constructs";
import { PORTS } from "../../runtime/ports";
import { ContainerTask } from "./container-task";
import { ResilientService } from "./resilient-service";

/** Pinned cAdvisor image (ghcr.io since v0.53.0; bare version tags). */
export const CADVISOR_IMAGE = "ghcr.io/google/cadvisor:0.55.1";

/**
 * Docker labels a Prometheus discovery (the metrics collector's `ecs_observer`) reads on a container: the port, path
 * and job name of its metrics endpoint.
 */
export const PROMETHEUS_DISCOVERY_LABELS = {
  port: "ECS_PROMETHEUS_EXPORTER_PORT",
  metricsPath: "ECS_PROMETHEUS_METRICS_PATH",
  jobName: "ECS_PROMETHEUS_JOB_NAME",
} as const;

/** The ECS agent's Docker labels cAdvisor keeps on its series (as `container_label_<label, non-alphanumerics as _>`). */
export const CADVISOR_KEPT_LABELS = {
  cluster: "com.amazonaws.ecs.cluster",
  containerName: "com.amazonaws.ecs.container-name",
  taskDefinitionFamily: "com.amazonaws.ecs.task-definition-family",
  taskArn: "com.amazonaws.ecs.task-arn",
} as const;

/** The Prometheus label cAdvisor gives a kept Docker label. */
export function cadvisorLabel(dockerLabel: string): string {
  return `container_label_${dockerLabel.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** Read-only host paths cAdvisor reads: volume name -> [host path, container path]. */
export const CADVISOR_HOST_MOUNTS: Readonly<Record<string, readonly [string, string]>> = {
  rootfs: ["/", "/rootfs"],
  "var-run": ["/var/run", "/var/run"],
  sys: ["/sys", "/sys"],
  "var-lib-docker": ["/var/lib/docker", "/var/lib/docker"],
  "dev-disk": ["/dev/disk", "/dev/disk"],
};

export interface CadvisorProps {
  /** Service and task-definition family name, e.g. `airflow-prod-cadvisor`. */
  readonly name: string;
  /** The ECS cluster whose container instances it watches. */
  readonly cluster: { readonly clusterArn: string; readonly clusterName: string };
  /** One task per container instance: the ASG's maximum size (from the compute contract). */
  readonly desiredCount: number;
  /** Role ECS pulls the image and writes logs with. */
  readonly executionRoleArn: string;
  /** Role of the container (it calls no AWS API). */
  readonly taskRoleArn: string;
  /** CloudWatch Logs group of the container. */
  readonly logGroupName: string;
  /** Retention of the log group. */
  readonly logRetentionDays: number;
  /** KMS key encrypting the log group. */
  readonly logsKmsKeyArn: string;
  /** Region of the log group (awslogs driver). */
  readonly region: string;
}

/**
 * cAdvisor on every container instance: host networking on port 8080 (reachable from inside the VPC only, through the
 * container-instance security group), privileged with read-only host mounts and /dev/kmsg, `/healthz` health check.
 *
 * Placement: a REPLICA service with the `distinctInstance` constraint and a desired count equal to the ASG's maximum,
 * launched with launch type EC2 explicitly. Capacity-provider managed scaling only counts tasks placed through the
 * capacity provider, so the cAdvisor tasks that have no host yet (desired = maximum, hosts = current) wait for the
 * scheduler's retries instead of inflating the ASG; each new host gets its cAdvisor task when it joins.
 */
export class Cadvisor extends Construct {
  /** The host-network task definition and its log group. */
  readonly task: ContainerTask;
  /** The one-task-per-instance service. */
  readonly service: ResilientService;

  constructor(scope: Construct, id: string, props: CadvisorProps) {
    super(scope, id);
    this.task = new ContainerTask(this, "task", {
      family: props.name,
      compatibility: "EC2",
      networkMode: "host",
      cpu: 128,
      memory: 256,
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      volumes: Object.entries(CADVISOR_HOST_MOUNTS).map(([name, [hostPath]]) => ({ name, hostPath })),
      logGroupName: props.logGroupName,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      region: props.region,
      containers: [
        {
          name: "cadvisor",
          image: CADVISOR_IMAGE,
          command: [
            "--docker_only=true",
            "--housekeeping_interval=10s",
            "--store_container_labels=false",
            `--whitelisted_container_labels=${Object.values(CADVISOR_KEPT_LABELS).join(",")}`,
          ],
          // The documented exception to non-privileged, non-root containers: cAdvisor reads host cgroups and devices.
          privileged: true,
          readonlyRootFilesystem: true,
          portMappings: [{ containerPort: PORTS.cadvisor, hostPort: PORTS.cadvisor, name: "metrics" }],
          mountPoints: Object.entries(CADVISOR_HOST_MOUNTS).map(([sourceVolume, [, containerPath]]) => ({ sourceVolume, containerPath, readOnly: true })),
          linuxParameters: { devices: [{ hostPath: "/dev/kmsg", containerPath: "/dev/kmsg", permissions: ["read"] }] },
          healthCheck: {
            command: ["CMD-SHELL", `wget --quiet --tries=1 --spider http://localhost:${PORTS.cadvisor}/healthz || exit 1`],
            interval: 30,
            timeout: 5,
            retries: 3,
            startPeriod: 30,
          },
          memoryReservation: 200,
          stopTimeout: 10,
          dockerLabels: {
            [PROMETHEUS_DISCOVERY_LABELS.port]: String(PORTS.cadvisor),
            [PROMETHEUS_DISCOVERY_LABELS.metricsPath]: "/metrics",
            [PROMETHEUS_DISCOVERY_LABELS.jobName]: "cadvisor",
          },
        },
      ],
    });
    this.service = new ResilientService(this, "service", {
      name: props.name,
      clusterArn: props.cluster.clusterArn,
      clusterName: props.cluster.clusterName,
      taskDefinitionArn: this.task.taskDefinitionArn,
      desiredCount: props.desiredCount,
      placement: { kind: "ec2-launch-type" },
      distinctInstance: true,
      // One task per host on a fixed host port: replace in place, never two on one host.
      minimumHealthyPercent: 50,
      maximumPercent: 100,
      // Desired = ASG maximum keeps tasks unplaced while the ASG is smaller: never "steady" by ECS's measure.
      waitForSteadyState: false,
    });
  }

  /** The ECS service name (the dashboard compares its task count with the container instances). */
  get serviceName(): string {
    return this.service.serviceName;
  }
}
