import type { AlarmThresholds } from "../../config/schema";
import { QUEUE_METRICS } from "../../runtime/metrics";
import { airflowMetricName } from "../metrics/airflow-metric-catalogue";
import type { AlarmSpec } from "./platform-alarms";

/**
 * Alarms on Airflow's own signals: the metrics the components export through the collector, the publisher's
 * scheduling latency and failed tasks per worker pool, and the collector itself. Thresholds come from the
 * environment's `alarms.thresholds`; every description ends with a one-line runbook.
 */

/** A description: what the alarm means, then what to do first. */
const described = (meaning: string, runbook: string): string => `${meaning}. Runbook: ${runbook}`;

/**
 * Alarms on the metrics Airflow's scheduler, dag-processor and triggerer export (namespace `AirflowEcs/<env>/Airflow`).
 * One spec per alarm: a table, long by nature.
 */
export function airflowMetricAlarms(namespace: string, t: AlarmThresholds): AlarmSpec[] {
  const on = (name: string) => ({ namespace, metric: airflowMetricName(name), dimensions: {} });
  return [
    {
      id: "airflow-scheduler-heartbeat",
      description: described(
        `No scheduler heartbeat for ${t.schedulerHeartbeatMissingMinutes} minutes: nothing gets scheduled, or Airflow's metrics stopped arriving`,
        "if scheduler-not-running is in ALARM too, read the scheduler's log group for the crash; if metrics-collector-not-running is, the scheduler may be fine and the collector is down",
      ),
      ...on("scheduler_heartbeat"),
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: t.schedulerHeartbeatMissingMinutes,
      threshold: 1,
      comparison: "LessThanThreshold",
      missing: "breaching",
    },
    {
      id: "airflow-scheduler-loop-slow",
      description: described(
        `Scheduler loops took longer than ${t.schedulerLoopSeconds} s for 5 minutes: tasks are scheduled late`,
        "check the metadata DB's CPU and connections on the dashboard, then DAGs with heavy top-level code or very many tasks; give the scheduler more CPU",
      ),
      ...on("scheduler.scheduler_loop_duration"),
      statistic: "Maximum",
      periodSeconds: 60,
      evaluationPeriods: 5,
      threshold: t.schedulerLoopSeconds * 1000,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "airflow-dag-import-errors",
      description: described(
        `More than ${t.dagImportErrors} DAG files fail to import: their DAGs do not run`,
        "list them in the UI (DAG import errors) or with `airflow dags list-import-errors`, then fix or roll back the DAG bundle",
      ),
      ...on("dag_processing.import_errors"),
      statistic: "Maximum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: t.dagImportErrors,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "airflow-executor-slots-exhausted",
      description: described(
        `The executor had no open slot for ${t.executorSlotsExhaustedMinutes} minutes: scheduled tasks wait in the scheduler`,
        "compare the executor's queued and running tasks on the dashboard: mostly running, raise [core] parallelism; mostly queued, check the worker pools' scaling",
      ),
      ...on("executor.open_slots"),
      statistic: "Maximum",
      periodSeconds: 60,
      evaluationPeriods: t.executorSlotsExhaustedMinutes,
      threshold: 1,
      comparison: "LessThanThreshold",
    },
    {
      id: "airflow-tasks-starving",
      description: described(
        `More than ${t.starvingTasks} tasks waited for a full Airflow pool over 15 minutes`,
        "find the full pool on the dashboard's pool panel; raise its slots (Admin > Pools) or spread the DAGs over pools",
      ),
      ...on("scheduler.tasks.starving"),
      statistic: "Average",
      periodSeconds: 900,
      evaluationPeriods: 1,
      threshold: t.starvingTasks,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "airflow-zombie-tasks",
      description: described(
        `More than ${t.tasksWithoutHeartbeatKilled} running task instances lost their heartbeat and were failed in 5 minutes (zombies)`,
        "check the worker pools' memory on the dashboard's container panels and the worker log groups; workers stopped by scale-in or a host loss leave zombies",
      ),
      ...on("task_instances_without_heartbeats_killed"),
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: t.tasksWithoutHeartbeatKilled,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "airflow-tasks-killed-externally",
      description: described(
        `More than ${t.tasksKilledExternally} task instances were killed outside Airflow in 5 minutes`,
        "read the stopped worker tasks in ECS (stop reason; exit code 137 is an out-of-memory kill) and give the pool more memory",
      ),
      ...on("scheduler.tasks.killed_externally"),
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: t.tasksKilledExternally,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "airflow-dag-parsing-slow",
      description: described(
        `Parsing every DAG file once took longer than ${t.dagParseSeconds} s for 15 minutes: DAG changes show up late`,
        "find the slow files in the dag-processor's log group, move heavy imports and calls out of top-level code, or give the dag-processor more CPU",
      ),
      ...on("dag_processing.total_parse_time"),
      statistic: "Maximum",
      periodSeconds: 300,
      evaluationPeriods: 3,
      threshold: t.dagParseSeconds,
      comparison: "GreaterThanThreshold",
    },
    {
      id: "airflow-triggerer-capacity-low",
      description: described(
        `A triggerer could take fewer than ${t.triggererCapacityLeft} more triggers for 10 minutes: deferred tasks will wait`,
        "add triggerer replicas (airflow.triggerer.desiredCount) or raise [triggerer] capacity together with its memory",
      ),
      ...on("triggerer.capacity_left"),
      statistic: "Minimum",
      periodSeconds: 300,
      evaluationPeriods: 2,
      threshold: t.triggererCapacityLeft,
      comparison: "LessThanThreshold",
    },
  ];
}

/**
 * Per worker pool, from the queue-depth publisher (`AirflowEcs/Queues`): the p95 of queued-to-running seconds (what
 * queue-depth scaling exists to keep low; CloudWatch computes the percentile from the published values) and failed
 * task instances (Airflow 3.1.5 emits neither as a metric).
 */
export function workerPoolAlarms(environment: string, pools: readonly string[], t: AlarmThresholds): AlarmSpec[] {
  return pools.flatMap((pool): AlarmSpec[] => {
    const dimensions = { [QUEUE_METRICS.environmentDimension]: environment, [QUEUE_METRICS.poolDimension]: pool };
    return [
      {
        id: `pool-${pool}-scheduling-latency`,
        description: described(
          `Pool ${pool}: p95 of queued-to-running above ${t.schedulingLatencyP95Seconds} s for 15 minutes`,
          "compare the pool's desired and current workers on the dashboard (scaling alarms, host capacity), then task start errors in its worker log group",
        ),
        namespace: QUEUE_METRICS.namespace,
        metric: QUEUE_METRICS.queuedToRunningSeconds,
        dimensions,
        statistic: "p95",
        periodSeconds: 300,
        evaluationPeriods: 3,
        threshold: t.schedulingLatencyP95Seconds,
        comparison: "GreaterThanThreshold",
      },
      {
        id: `pool-${pool}-failed-tasks`,
        description: described(
          `Pool ${pool}: more than ${t.failedTasksPer5Minutes} task instances failed in 5 minutes`,
          "open the failed task instances in the UI and read their logs; failures across many DAGs point at a shared dependency or the pool's workers",
        ),
        namespace: QUEUE_METRICS.namespace,
        metric: QUEUE_METRICS.failedTasks,
        dimensions,
        statistic: "Sum",
        periodSeconds: 300,
        evaluationPeriods: 1,
        threshold: t.failedTasksPer5Minutes,
        comparison: "GreaterThanThreshold",
      },
    ];
  });
}

/** The collector's own alarm: fewer tasks running than it should have (Container Insights), missing data counting as none. */
export function collectorAlarms(clusterName: string, collector: { readonly serviceName: string; readonly desiredCount: number }): AlarmSpec[] {
  return [
    {
      id: "metrics-collector-not-running",
      description: described(
        `Fewer than ${collector.desiredCount} metrics-collector tasks running for 3 minutes: Airflow's and the containers' metrics may be missing`,
        "read the collector's log group and the ECS service's events; the heartbeat alarm on Airflow's metrics fires as well while no collector runs",
      ),
      namespace: "ECS/ContainerInsights",
      metric: "RunningTaskCount",
      dimensions: { ClusterName: clusterName, ServiceName: collector.serviceName },
      statistic: "Minimum",
      periodSeconds: 60,
      evaluationPeriods: 3,
      threshold: collector.desiredCount,
      comparison: "LessThanThreshold",
      missing: "breaching",
    },
  ];
}
