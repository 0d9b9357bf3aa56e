import type { ContainerSpec } from "../ecs/container-task";
import {
  AIRFLOW_GID,
  AIRFLOW_UID,
  LOG_GROOMER_COMMAND,
  PYTHON_HELPER_ENVIRONMENT,
  RUNTIME_ENV,
  WRITABLE_PATHS,
  type Component,
} from "../../runtime/airflow-image";

/**
 * Components that keep logs on their task's logs volume: task logs (workers) and trigger logs (triggerer) until they
 * are uploaded and deleted (`[logging] delete_local_logs`; a failed upload leaves them), and the dag-processor's
 * per-file parse logs, which Airflow 3.1 never uploads nor deletes.
 */
export const COMPONENTS_WITH_LOCAL_LOGS: readonly Component[] = ["dag-processor", "triggerer", "worker"];

/**
 * The bound on what stays: files idle for a day go; beyond 1 GiB the oldest go first, sparing files written in the
 * last 10 minutes (a running task's log, uploaded when it ends). 1 GiB is a small share of a Fargate task's 20 GiB
 * ephemeral storage (which also holds the image and /tmp) and of an EC2 host's root volume, which every task on the
 * host shares. A pass every 5 minutes costs a directory walk.
 */
export const LOG_GROOMING = { maxAgeMinutes: 24 * 60, maxMegabytes: 1024, activeMinutes: 10, intervalSeconds: 300 } as const;

/** Memory the groomer (an idle Python process) reserves out of its task's. */
export const LOG_GROOMER_MEMORY = 64;

/**
 * The log groomer: a sidecar in the same image sharing the logs volume (docker/config/airflow_ecs/log_groomer.py),
 * chosen over a background loop in the main container so that it has its own log stream and stays out of the Airflow
 * process's shutdown (a worker's warm shutdown waits for its tasks, not for a groomer). It is not essential: if it ever exits, the component keeps running (its logs are
 * then unbounded until the task is replaced, which empties the volume).
 */
export function logGroomerContainer(image: string, logsVolume: string): ContainerSpec {
  return {
    name: "log-groomer",
    image,
    essential: false,
    command: [...LOG_GROOMER_COMMAND],
    user: `${AIRFLOW_UID}:${AIRFLOW_GID}`,
    readonlyRootFilesystem: true,
    environment: {
      ...PYTHON_HELPER_ENVIRONMENT,
      [RUNTIME_ENV.logGroomerDirectory]: WRITABLE_PATHS.logs,
      [RUNTIME_ENV.logGroomerMaxAgeMinutes]: String(LOG_GROOMING.maxAgeMinutes),
      [RUNTIME_ENV.logGroomerMaxMegabytes]: String(LOG_GROOMING.maxMegabytes),
      [RUNTIME_ENV.logGroomerActiveMinutes]: String(LOG_GROOMING.activeMinutes),
      [RUNTIME_ENV.logGroomerIntervalSeconds]: String(LOG_GROOMING.intervalSeconds),
    },
    mountPoints: [{ sourceVolume: logsVolume, containerPath: WRITABLE_PATHS.logs, readOnly: false }],
    memoryReservation: LOG_GROOMER_MEMORY,
    stopTimeout: 10,
  };
}
