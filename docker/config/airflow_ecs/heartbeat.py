"""
Probes and timing of the heartbeat DAG (``/opt/airflow/image-dags/airflow_ecs_heartbeat.py``).

Every value that names the environment's resources comes from the container environment the task definitions set;
this module holds no namespace, metric or bucket name. Probe clients are passed in, so every probe runs in unit
tests without Airflow or AWS.

Timing (``timing``): with interval I (AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS, a multiple of 60 from 180 to
86400) a run may take at most ``dagrun_timeout = I - max(30, I // 5)`` (240 s for 300 s), so a stuck run fails
before the next one is due and consecutive successes are at most ``I + dagrun_timeout < 2 I`` apart. A run is two
task waves (the parallel probes, then the publish) of at most ``(retries + 1) * 30 s + retries * 10 s`` each;
one retry is allowed only when both waves plus 75 s of scheduling latency fit in ``dagrun_timeout``.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

INTERVAL_ENV = "AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS"
NAMESPACE_ENV = "AIRFLOW_ECS_HEARTBEAT_NAMESPACE"
METRIC_ENV = "AIRFLOW_ECS_HEARTBEAT_METRIC"
ENVIRONMENT_ENV = "AIRFLOW_ECS_ENVIRONMENT"
TASK_LOGS_BUCKET_ENV = "AIRFLOW_ECS_TASK_LOGS_BUCKET"
PROBE_VARIABLE_ENV = "AIRFLOW_ECS_HEARTBEAT_PROBE_VARIABLE"

#: Dimension of the heartbeat metric carrying the environment name (the alarm selects on it).
ENVIRONMENT_DIMENSION = "Environment"
#: The worker task role may write, read and delete objects under this prefix of the task-log bucket only.
BUCKET_PROBE_PREFIX = "heartbeat/"
DEFAULT_DAGS_FOLDER = "/opt/airflow/dags"

#: Queue-to-running latency budget of a run on a warm worker (scheduler loop, Celery, task start-up).
SCHEDULING_LATENCY_SECONDS = 75
TASK_TIMEOUT_SECONDS = 30
RETRY_DELAY_SECONDS = 10
MIN_INTERVAL_SECONDS = 180
MAX_INTERVAL_SECONDS = 86400


class HeartbeatError(RuntimeError):
    """A probe failed or the heartbeat is misconfigured; the run fails and publishes nothing."""


def require_env(names: Sequence[str], environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The values of ``names``; raises naming every one that is unset or blank."""
    environ = os.environ if environ is None else environ
    missing = [name for name in names if not (environ.get(name) or "").strip()]
    if missing:
        raise HeartbeatError(f"heartbeat: required environment variable(s) not set: {', '.join(missing)}")
    return {name: environ[name].strip() for name in names}


@dataclass(frozen=True)
class Timing:
    interval: timedelta
    dagrun_timeout: timedelta
    task_timeout: timedelta
    retries: int
    retry_delay: timedelta

    @property
    def worst_case_seconds(self) -> float:
        """Both task waves with every retry, plus the scheduling latency budget."""
        wave = (self.retries + 1) * self.task_timeout.total_seconds() + self.retries * self.retry_delay.total_seconds()
        return 2 * wave + SCHEDULING_LATENCY_SECONDS


def timing(interval_seconds: int) -> Timing:
    """The DAG's schedule and limits for an interval in seconds (see the module docstring)."""
    if interval_seconds % 60 or not MIN_INTERVAL_SECONDS <= interval_seconds <= MAX_INTERVAL_SECONDS:
        raise HeartbeatError(
            f"heartbeat: {INTERVAL_ENV} = {interval_seconds} must be a multiple of 60 from {MIN_INTERVAL_SECONDS} "
            f"to {MAX_INTERVAL_SECONDS} (the alarm period equals it; a run needs up to "
            f"{SCHEDULING_LATENCY_SECONDS + 2 * TASK_TIMEOUT_SECONDS} s)"
        )
    dagrun_timeout = interval_seconds - max(30, interval_seconds // 5)
    with_retry = Timing(
        interval=timedelta(seconds=interval_seconds),
        dagrun_timeout=timedelta(seconds=dagrun_timeout),
        task_timeout=timedelta(seconds=TASK_TIMEOUT_SECONDS),
        retries=1,
        retry_delay=timedelta(seconds=RETRY_DELAY_SECONDS),
    )
    if with_retry.worst_case_seconds <= dagrun_timeout:
        return with_retry
    return Timing(with_retry.interval, with_retry.dagrun_timeout, with_retry.task_timeout, 0, with_retry.retry_delay)


def timing_from_env(environ: Optional[Mapping[str, str]] = None) -> Timing:
    raw = require_env([INTERVAL_ENV], environ)[INTERVAL_ENV]
    if not raw.isdigit():
        raise HeartbeatError(f"heartbeat: {INTERVAL_ENV} = {raw!r} is not a whole number of seconds")
    return timing(int(raw))


# Probes ------------------------------------------------------------------------------------------------------------


def airflow_setting(section: str, key: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """An Airflow option (``_CMD``/``_SECRET`` variants included when Airflow is importable)."""
    environ = os.environ if environ is None else environ
    value = None
    try:
        from airflow.configuration import conf
    except ImportError:
        value = environ.get(f"AIRFLOW__{section.upper()}__{key.upper()}")
    else:
        value = conf.get(section, key, fallback=None)
    if not value:
        raise HeartbeatError(f"heartbeat: [{section}] {key} is not configured on this worker")
    return value


def select_one(url: str) -> Any:
    """Runs ``SELECT 1`` on a fresh connection (no pool) with a 10 s connect timeout."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar()
    finally:
        engine.dispose()


def probe_metadata_db(result_backend_url: str, query: Callable[[str], Any] = select_one) -> str:
    """``SELECT 1`` on the metadata database through the Celery result-backend URL (``db+postgresql://...``).

    Airflow 3 task code may not use the metadata database through Airflow's ORM, and workers get no
    ``sql_alchemy_conn``; the result backend is the same database, reached with the same credentials and TLS.
    """
    if not result_backend_url.startswith("db+"):
        raise HeartbeatError("heartbeat: [celery] result_backend is not a database URL (db+...)")
    value = query(result_backend_url[len("db+"):])
    if value != 1:
        raise HeartbeatError(f"heartbeat: SELECT 1 on the metadata database returned {value!r}")
    return "metadata database answered SELECT 1"


def probe_broker(broker_url: str, from_url: Optional[Callable[..., Any]] = None) -> str:
    """PING the Celery broker (Redis over TLS, ``rediss://``) with its auth token."""
    if from_url is None:
        from redis import Redis

        from_url = Redis.from_url
    client = from_url(broker_url, socket_connect_timeout=10, socket_timeout=10)
    try:
        if client.ping() is not True:
            raise HeartbeatError("heartbeat: the broker did not answer PING")
    finally:
        client.close()
    return "broker answered PING"


def probe_task_log_bucket(s3: Any, bucket: str, environment: str) -> str:
    """Writes, reads back and deletes a small object under ``heartbeat/`` of the task-log bucket."""
    key = f"{BUCKET_PROBE_PREFIX}{environment}/{uuid.uuid4().hex}.txt"
    body = f"airflow-ecs heartbeat {datetime.now(timezone.utc).isoformat()}".encode("utf-8")
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    try:
        read = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    finally:
        s3.delete_object(Bucket=bucket, Key=key)
    if read != body:
        raise HeartbeatError(f"heartbeat: s3://{bucket}/{key} read back {len(read)} bytes that differ from the {len(body)} written")
    return f"s3://{bucket}/{key} written, read back and deleted"


def probe_dags_folder(
    path: str,
    timeout: float = 20.0,
    ismount: Callable[[str], bool] = os.path.ismount,
    listdir: Callable[[str], list] = os.listdir,
    stat: Callable[[str], Any] = os.stat,
) -> str:
    """Lists and stats the DAG folder, which must be a mount (the EFS volume), within ``timeout`` seconds.

    A hung NFS call cannot be interrupted, so it runs in a daemon thread the probe stops waiting for.
    """
    if not ismount(path):
        raise HeartbeatError(f"heartbeat: {path} is not a mount point; the EFS DAG volume is not mounted")
    outcome: Dict[str, Any] = {}

    def read_folder() -> None:
        try:
            entries = listdir(path)
            for entry in entries[:20]:
                stat(os.path.join(path, entry))
            outcome["entries"] = len(entries)
        except Exception as error:  # reported below
            outcome["error"] = error

    worker = threading.Thread(target=read_folder, name="dags-folder-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise HeartbeatError(f"heartbeat: listing {path} did not finish within {timeout:g} s (EFS unreachable?)")
    if "error" in outcome:
        raise HeartbeatError(f"heartbeat: cannot list {path}: {outcome['error']}")
    return f"{path} lists {outcome['entries']} entries"


def probe_secret(variable_name: str, get_variable: Callable[[str], Any]) -> str:
    """Reads an Airflow Variable held in Secrets Manager; only its presence is checked, never its value logged."""
    value = get_variable(variable_name)
    if value is None or str(value) == "":
        raise HeartbeatError(f"heartbeat: Airflow Variable {variable_name!r} is empty")
    return f"Airflow Variable {variable_name!r} read through the secrets backend"


def aws_region(environ: Optional[Mapping[str, str]] = None, metadata: Optional[Callable[[], Optional[dict]]] = None) -> str:
    """AWS_REGION / AWS_DEFAULT_REGION, else the region of the task ARN in the ECS task metadata."""
    environ = os.environ if environ is None else environ
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(name, "").strip():
            return environ[name].strip()
    from airflow_ecs import ecs_metadata

    document = (metadata or (lambda: ecs_metadata.task_metadata(environ)))()
    region = ecs_metadata.region(document)
    if not region:
        raise HeartbeatError("heartbeat: no AWS region: set AWS_REGION or AWS_DEFAULT_REGION")
    return region


def publish_heartbeat(
    cloudwatch_client: Callable[[], Any], environ: Optional[Mapping[str, str]] = None, now: Optional[datetime] = None
) -> dict:
    """Publishes 1 to the heartbeat metric, with the environment as its dimension.

    The configuration is checked before any client is created: a missing variable fails here, naming it.
    """
    config = require_env([NAMESPACE_ENV, METRIC_ENV, ENVIRONMENT_ENV], environ)
    cloudwatch = cloudwatch_client()
    datum = {
        "MetricName": config[METRIC_ENV],
        "Dimensions": [{"Name": ENVIRONMENT_DIMENSION, "Value": config[ENVIRONMENT_ENV]}],
        "Timestamp": now or datetime.now(timezone.utc),
        "Value": 1.0,
        "Unit": "Count",
    }
    cloudwatch.put_metric_data(Namespace=config[NAMESPACE_ENV], MetricData=[datum])
    return {"namespace": config[NAMESPACE_ENV], "metric": config[METRIC_ENV], "environment": config[ENVIRONMENT_ENV]}


def aws_client(service: str, environ: Optional[Mapping[str, str]] = None) -> Any:
    import boto3

    return boto3.client(service, region_name=aws_region(environ))
