"""
### Airflow ECS heartbeat

Every `AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS`, on the `default` queue, five probes run in parallel:

| Task | Proves |
|---|---|
| `probe_metadata_db` | the metadata database answers `SELECT 1` over TLS (through the Celery result-backend URL) |
| `probe_broker` | the Redis broker answers `PING` over TLS with its auth token |
| `probe_task_log_bucket` | an object under `heartbeat/` of the task-log bucket can be written, read back and deleted |
| `probe_dags_folder` | the EFS DAG volume is mounted and lists within 20 s |
| `probe_secrets_backend` | the Airflow Variable named by `AIRFLOW_ECS_HEARTBEAT_PROBE_VARIABLE` resolves through Secrets Manager |

Only when all succeed, `publish_heartbeat` puts 1 to the CloudWatch metric named by
`AIRFLOW_ECS_HEARTBEAT_NAMESPACE` / `AIRFLOW_ECS_HEARTBEAT_METRIC`, dimension `Environment` =
`AIRFLOW_ECS_ENVIRONMENT`. The alarm fires on missing data: a failed probe, a stuck scheduler or worker, or a
missing variable (which fails the task, or the whole file at parse time for the interval) all stop the metric.

One run at a time, no catch-up, `dagrun_timeout` below the interval: see `airflow_ecs.heartbeat.timing`.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from airflow.sdk import DAG, task

from airflow_ecs import heartbeat

# Raises while parsing when the interval is missing or invalid: the import error is shown in the UI, no run starts,
# and the heartbeat metric stops.
TIMING = heartbeat.timing_from_env()

TASK_ARGS = dict(
    queue="default",
    execution_timeout=TIMING.task_timeout,
    retries=TIMING.retries,
    retry_delay=TIMING.retry_delay,
    # Ahead of user tasks waiting in the scheduler for a slot of the default pool.
    priority_weight=100,
    weight_rule="absolute",
)

with DAG(
    dag_id="airflow_ecs_heartbeat",
    description="Probes the database, broker, task-log bucket, DAG volume and secrets backend; publishes a heartbeat metric",
    schedule=TIMING.interval,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=TIMING.dagrun_timeout,
    is_paused_upon_creation=False,
    default_args={"owner": "airflow-ecs"},
    tags=["airflow-ecs", "heartbeat"],
    doc_md=__doc__,
):

    @task(task_id="probe_metadata_db", **TASK_ARGS)
    def probe_metadata_db() -> str:
        return heartbeat.probe_metadata_db(heartbeat.airflow_setting("celery", "result_backend"))

    @task(task_id="probe_broker", **TASK_ARGS)
    def probe_broker() -> str:
        return heartbeat.probe_broker(heartbeat.airflow_setting("celery", "broker_url"))

    @task(task_id="probe_task_log_bucket", **TASK_ARGS)
    def probe_task_log_bucket() -> str:
        config = heartbeat.require_env([heartbeat.TASK_LOGS_BUCKET_ENV, heartbeat.ENVIRONMENT_ENV])
        return heartbeat.probe_task_log_bucket(
            heartbeat.aws_client("s3"), config[heartbeat.TASK_LOGS_BUCKET_ENV], config[heartbeat.ENVIRONMENT_ENV]
        )

    @task(task_id="probe_dags_folder", **TASK_ARGS)
    def probe_dags_folder() -> str:
        folder = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER") or heartbeat.DEFAULT_DAGS_FOLDER
        return heartbeat.probe_dags_folder(folder)

    @task(task_id="probe_secrets_backend", **TASK_ARGS)
    def probe_secrets_backend() -> str:
        from airflow.sdk import Variable

        name = heartbeat.require_env([heartbeat.PROBE_VARIABLE_ENV])[heartbeat.PROBE_VARIABLE_ENV]
        return heartbeat.probe_secret(name, Variable.get)

    @task(task_id="publish_heartbeat", **TASK_ARGS)
    def publish_heartbeat() -> dict:
        return heartbeat.publish_heartbeat(lambda: heartbeat.aws_client("cloudwatch"))

    [probe_metadata_db(), probe_broker(), probe_task_log_bucket(), probe_dags_folder(), probe_secrets_backend()] >> publish_heartbeat()
