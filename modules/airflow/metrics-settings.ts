import { AIRFLOW_METRICS } from "../../runtime/metrics";
import type { Component } from "../../runtime/airflow-image";
import { metricsAllowList } from "../metrics/airflow-metric-catalogue";
import type { AirflowRuntime } from "./airflow-settings";

/**
 * `[metrics]` of every Airflow container: OpenTelemetry on, exporting over OTLP/HTTP to the metrics collector once a
 * minute, only the catalogue's metrics. Airflow 3.1 builds the exporter's URL from otel_host and otel_port
 * (`http://<host>:<port>/v1/metrics`; the OTEL_EXPORTER_OTLP_* variables are read only from 3.2), exports from a
 * background thread and logs a failed export: a collector that is down costs that minute's metrics, never a task.
 * A runtime without a collector endpoint turns nothing on.
 */
export function metricsEnvironment(component: Component, runtime: AirflowRuntime): Record<string, string> {
  if (!runtime.metrics) return {};
  return {
    AIRFLOW__METRICS__OTEL_ON: "True",
    AIRFLOW__METRICS__OTEL_HOST: runtime.metrics.otlpHost,
    AIRFLOW__METRICS__OTEL_PORT: String(runtime.metrics.otlpPort),
    // Plain HTTP inside the VPC, between two security groups: the metrics hold no secret.
    AIRFLOW__METRICS__OTEL_SSL_ACTIVE: "False",
    AIRFLOW__METRICS__OTEL_PREFIX: AIRFLOW_METRICS.prefix,
    AIRFLOW__METRICS__OTEL_INTERVAL_MILLISECONDS: String(AIRFLOW_METRICS.exportIntervalSeconds * 1000),
    // The OTel resource's service.name (never a CloudWatch dimension): which component a collector log line is about.
    AIRFLOW__METRICS__OTEL_SERVICE: `airflow-${component}`,
    AIRFLOW__METRICS__METRICS_ALLOW_LIST: metricsAllowList(),
  };
}
