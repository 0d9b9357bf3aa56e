"""
The platform's default failure notification: ``airflow_local_settings.task_policy`` calls ``attach`` for every task
of every DAG a DagBag loads (the dag-processor when it parses, the worker when it loads the DAG to run a task), so
each task publishes to the environment's SNS topic when it fails, without its author wiring a callback.

- The notifier is an ``SnsNotifier`` (Amazon provider) appended to the task's ``on_failure_callback``: callbacks the
  task or its DAG's ``default_args`` already set are kept and run first. Task-level callbacks run in the worker (and
  in the dag-processor for tasks killed externally); DAG-level ``on_failure_callback`` is not relied on (it does not
  fire on 3.1.x, apache/airflow#63374).
- A DAG opts out with the tag ``airflow-ecs:no-failure-notification``.
- The topic comes from ``AIRFLOW_ECS_FAILURE_TOPIC_ARN``; when it is unset (the environment turned notifications off,
  or a process outside ECS), nothing is attached.
- A task already carrying the platform notifier (the policy ran twice on it) gets no second one, and a callback
  list shared through ``default_args`` is never modified in place: each task gets a list of its own.

The policy never raises: an exception in a cluster policy fails the import of the whole DAG file, which would be a
far worse outcome than a missing notification. Problems are logged instead.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Mapping, Optional

TOPIC_ENV = "AIRFLOW_ECS_FAILURE_TOPIC_ARN"
ENVIRONMENT_ENV = "AIRFLOW_ECS_ENVIRONMENT"
BASE_URL_ENV = "AIRFLOW__API__BASE_URL"
#: A DAG with this tag gets no notifier (runtime/airflow-image.ts NO_FAILURE_NOTIFICATION_TAG).
OPT_OUT_TAG = "airflow-ecs:no-failure-notification"
#: Message attribute subscriptions filter on (runtime/airflow-image.ts NOTIFICATION_KIND_ATTRIBUTE, TASK_FAILURE_KIND).
KIND_ATTRIBUTE = "airflow_ecs_kind"
TASK_FAILURE_KIND = "task-failure"
#: Marks the notifiers this module creates, so a second pass of the policy recognises them.
MARKER = "_airflow_ecs_failure_notifier"

log = logging.getLogger("airflow_ecs.failure_notifications")

#: Builds a notifier: ``SnsNotifier(**kwargs)`` in the image; tests inject a stand-in.
NotifierFactory = Callable[..., Any]


def sns_notifier(**kwargs: Any) -> Any:
    """The Amazon provider's ``SnsNotifier`` (imported here: the module stays importable without Airflow)."""
    from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

    return SnsNotifier(**kwargs)


def notifier_arguments(topic_arn: str, environment: str, base_url: str) -> dict:
    """
    Keyword arguments of the notifier. ``message`` and ``subject`` are Jinja templates rendered against the failure
    callback's context; they use only ``ti`` fields every task instance has, so a DAG with ``StrictUndefined`` templates
    still renders them. SNS limits a subject to 100 characters, so the DAG and task go in the message.
    """
    link = ""
    if base_url:
        link = (
            "\nTask: "
            + base_url.rstrip("/")
            + "/dags/{{ ti.dag_id | urlencode }}/runs/{{ ti.run_id | urlencode }}/tasks/{{ ti.task_id | urlencode }}"
        )
    where = f" in {environment}" if environment else ""
    return {
        "target_arn": topic_arn,
        "subject": f"Airflow task failed{where}"[:100],
        "message": (
            f"Airflow task failed{where}.\n"
            "DAG: {{ ti.dag_id }}\nTask: {{ ti.task_id }} (map index {{ ti.map_index }})\n"
            "Run: {{ ti.run_id }}\nTry: {{ ti.try_number }}" + link
        ),
        "message_attributes": {KIND_ATTRIBUTE: TASK_FAILURE_KIND, "dag_id": "{{ ti.dag_id }}"},
    }


def _opted_out(task: Any) -> bool:
    dag = getattr(task, "dag", None)
    tags = getattr(dag, "tags", None) or ()
    return OPT_OUT_TAG in tags


def _as_list(callbacks: Any) -> list:
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        return list(callbacks)
    return [callbacks]


def attach(
    task: Any,
    environ: Optional[Mapping[str, str]] = None,
    make_notifier: NotifierFactory = sns_notifier,
) -> bool:
    """
    Appends the platform notifier to ``task.on_failure_callback`` unless the DAG opts out, no topic is configured or
    the task already has it. Returns whether it attached one; never raises.
    """
    env = os.environ if environ is None else environ
    topic = env.get(TOPIC_ENV, "").strip()
    if not topic or _opted_out(task):
        return False
    try:
        callbacks = _as_list(getattr(task, "on_failure_callback", None))
        if any(getattr(callback, MARKER, False) for callback in callbacks):
            return False
        notifier = make_notifier(**notifier_arguments(topic, env.get(ENVIRONMENT_ENV, ""), env.get(BASE_URL_ENV, "")))
        setattr(notifier, MARKER, True)
        task.on_failure_callback = [*callbacks, notifier]
        return True
    except Exception:  # a policy error would fail the whole DAG file's import
        log.exception("could not attach the failure notifier to task %s", getattr(task, "task_id", "?"))
        return False
