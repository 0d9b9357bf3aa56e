"""
### Routing tasks to worker pools

Each worker pool of `config/environments/<env>.json` is one ECS service whose Celery workers consume the pool's
queues (`celery worker --queues ...`) with the pool's concurrency, and scales on the depth of those queues. A task
picks its pool with the operator argument `queue` (default: `[operators] default_queue` = `default`).

| Queue | Pool (every environment) |
|---|---|
| `default` | `default`: many small tasks |
| `heavy` | `heavy`: few large tasks (more CPU and memory per task) |

Production's `heavy` pool also consumes `ml`. A task sent to a queue no pool consumes stays queued until
`[scheduler] task_queued_timeout` fails it, so DAGs deployed to every environment use only queues every
environment consumes (a test checks this file against all environments).

Trigger it by hand: each task reports the pool and host that ran it.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timezone

from airflow.sdk import DAG, task


def where_am_i() -> dict:
    return {"worker_pool": os.environ.get("AIRFLOW_ECS_WORKER_POOL", "?"), "host": socket.gethostname()}


with DAG(
    dag_id="airflow_ecs_example_queues",
    description="Example: one task per worker-pool queue",
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    default_args={"owner": "airflow-ecs"},
    tags=["airflow-ecs", "example"],
    doc_md=__doc__,
):

    @task(task_id="small_task_on_default", queue="default")
    def small_task_on_default() -> dict:
        return where_am_i()

    @task(task_id="large_task_on_heavy", queue="heavy")
    def large_task_on_heavy() -> dict:
        return where_am_i()

    @task(task_id="report_on_default", queue="default")
    def report_on_default(small: dict, large: dict) -> str:
        return f"default queue ran on {small}; heavy queue ran on {large}"

    report_on_default(small_task_on_default(), large_task_on_heavy())
