import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { AlarmThresholds, DatabaseConfig, WorkerPoolConfig } from "../../config/schema";

/**
 * What operations needs from the resources it watches. Constructs expose these members themselves (an
 * `AirflowService` is an `OperatedService`, a `WorkerPool` also a `ScalablePool`), so a stack hands them over whole.
 */

/** An ECS service operations watches: CPU and memory alarms, log metrics, a redeploy after the database secret rotates. */
export interface OperatedService {
  /** The service's name within the environment (`scheduler`, `worker-default`): alarm, log-metric and dashboard names use it. */
  readonly shortName: string;
  /** The ECS service name, e.g. `airflow-prod-scheduler`. */
  readonly serviceName: string;
  /** The CloudWatch Logs group of its containers (log metrics count its errors, warnings and tracebacks). */
  readonly logGroupName: string;
}

/** A Celery worker pool whose desired count queue-depth autoscaling drives. */
export interface ScalablePool {
  /** The pool's configuration: name, queues, concurrency, minimum and maximum count. */
  readonly pool: WorkerPoolConfig;
  /** The pool's ECS service name (scaling alarm and policy names start with it). */
  readonly serviceName: string;
  /** The Application Auto Scaling target of the service's desired count, bounded by the pool's minimum and maximum. */
  readonly scalableTarget: AppautoscalingTarget;
}

/** The metadata database, as the alarms and the queue-depth publisher see it. */
export interface MonitoredDatabase {
  /** RDS instance identifier (alarm and dashboard dimension). */
  readonly instanceId: string;
  /** Instance class and allocated storage: the connection and free-storage alarm thresholds derive from them. */
  readonly sizing: Pick<DatabaseConfig, "instanceClass" | "allocatedStorageGb">;
  /** Where the queue-depth publisher connects: endpoint, port, database and the RDS-managed master secret. */
  readonly connection: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly masterSecretArn: string;
  };
}

/** The Celery broker, as the alarms and the dashboard see it. */
export interface MonitoredBroker {
  /** ElastiCache replication group id; its nodes are `<id>-001`, `<id>-002`, ... */
  readonly replicationGroupId: string;
  /** Number of nodes (primary and replicas), each alarmed on its own. */
  readonly nodeCount: number;
}

/** The ALB in front of the api-server, as the alarms and the dashboard see it. */
export interface MonitoredLoadBalancer {
  /** The ALB's ARN suffix (`app/<name>/<id>`), the `LoadBalancer` metric dimension. */
  readonly arnSuffix: string;
  /** The api-server target group's ARN suffix, the `TargetGroup` metric dimension. */
  readonly apiTargetGroupArnSuffix: string;
}

/** Airflow's own metrics, as the alarms and the dashboard see them. */
export interface MonitoredMetrics {
  /** The environment's thresholds of the alarms on Airflow's signals (`alarms.thresholds`). */
  readonly thresholds: AlarmThresholds;
  /** Namespace of Airflow's own metrics (`AirflowEcs/<env>/Airflow`). */
  readonly airflowNamespace: string;
  /** Namespace of the per-container metrics from cAdvisor (`AirflowEcs/<env>/Containers`). */
  readonly containerNamespace: string;
  /** The metrics collector's ECS service and its task count: alarmed when fewer tasks run. */
  readonly collector: { readonly serviceName: string; readonly desiredCount: number };
}
