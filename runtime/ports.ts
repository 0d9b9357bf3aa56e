/** Every port the environment opens, in one place: security-group rules and container definitions use these. */
export const PORTS = {
  https: 443,
  http: 80,
  /** api-server: UI, public REST API and the Execution API. */
  apiServer: 8080,
  /** Scheduler health-check server (container health check only; not opened in security groups). */
  schedulerHealth: 8974,
  /** Celery worker log server, read by the api-server for live task logs. */
  workerLogs: 8793,
  /** Triggerer log server, read by the api-server for live trigger logs. */
  triggererLogs: 8794,
  flower: 5555,
  postgres: 5432,
  redis: 6379,
  nfs: 2049,
  /** cAdvisor on the host network of every container instance. */
  cadvisor: 8080,
  /** The metrics collector's OTLP/HTTP receiver, where every Airflow component exports its metrics. */
  otlpHttp: 4318,
  /** The metrics collector's health-check extension (container health check only; not opened in security groups). */
  collectorHealth: 13133,
} as const;
