import type { AirflowRuntime } from "./airflow-settings";
import { RUNTIME_ENV, type Component } from "../../runtime/airflow-image";

/**
 * The components that run task failure callbacks, and so the cluster policy's notifier: workers run them, the
 * dag-processor runs them for tasks killed externally (apache/airflow#53058). Both parse DAG files, where the policy
 * attaches the notifier.
 */
export const FAILURE_NOTIFYING_COMPONENTS: readonly Component[] = ["dag-processor", "worker"];

/**
 * The topic the image's failure-notification policy publishes to (docker/config/airflow_ecs/failure_notifications.py),
 * on the components that run failure callbacks; nothing when the environment turned notifications off.
 */
export function failureNotificationEnvironment(component: Component, runtime: Pick<AirflowRuntime, "failureTopicArn">): Record<string, string> {
  return runtime.failureTopicArn && FAILURE_NOTIFYING_COMPONENTS.includes(component) ? { [RUNTIME_ENV.failureTopicArn]: runtime.failureTopicArn } : {};
}
