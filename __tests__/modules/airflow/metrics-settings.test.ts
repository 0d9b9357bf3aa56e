import type { AirflowRuntime } from "../../../modules/airflow/airflow-settings";
import { metricsEnvironment } from "../../../modules/airflow/metrics-settings";
import { metricsAllowList } from "../../../modules/metrics/airflow-metric-catalogue";
import { COMPONENTS } from "../../../runtime/airflow-image";

const runtime = { metrics: { otlpHost: "metrics-collector.airflow-dev.internal", otlpPort: 4318 } } as AirflowRuntime;

describe("metricsEnvironment", () => {
  it.each(COMPONENTS)("turns OpenTelemetry on for %s, to the collector, once a minute, allow-list only", (component) => {
    // GIVEN a runtime with the collector's endpoint WHEN the component's [metrics] settings are built
    // THEN it exports to the collector over plain OTLP/HTTP, names itself, and sends only the catalogue's metrics
    expect(metricsEnvironment(component, runtime)).toEqual({
      AIRFLOW__METRICS__OTEL_ON: "True",
      AIRFLOW__METRICS__OTEL_HOST: "metrics-collector.airflow-dev.internal",
      AIRFLOW__METRICS__OTEL_PORT: "4318",
      AIRFLOW__METRICS__OTEL_SSL_ACTIVE: "False",
      AIRFLOW__METRICS__OTEL_PREFIX: "airflow",
      AIRFLOW__METRICS__OTEL_INTERVAL_MILLISECONDS: "60000",
      AIRFLOW__METRICS__OTEL_SERVICE: `airflow-${component}`,
      AIRFLOW__METRICS__METRICS_ALLOW_LIST: metricsAllowList(),
    });
  });

  it("turns nothing on for a runtime without a collector", () => {
    expect(metricsEnvironment("scheduler", { ...runtime, metrics: undefined })).toEqual({});
  });
});
