"""
Airflow local settings of the ECS image: ``$AIRFLOW_HOME/config/airflow_local_settings.py``, imported by every Airflow
process at start-up. It provides:

- the hostname callable, under the name the task definitions use (looked up by its dotted path, not through
  ``__all__``)::

      AIRFLOW__CORE__HOSTNAME_CALLABLE=airflow_local_settings.ecs_task_ip

  (implementation: ``airflow_ecs.hostname.ecs_task_address``);
- the cluster policy ``task_policy``, which attaches the platform's failure notifier to every task
  (``airflow_ecs.failure_notifications``).

How Airflow reads this module (``airflow.settings.import_local_settings`` and ``airflow.policies
.make_plugin_from_local_settings``): the names it considers are ``__all__`` when the module defines it, otherwise
every name not starting with ``__``. Of those, the ones naming a policy hook (``task_policy``, ``dag_policy``, ...)
are registered with the policy plugin manager; every other name is copied over ``airflow.settings``. So
``__all__`` lists exactly the policy: the policy is registered, and nothing (not the imported helpers) overwrites
Airflow's settings. Leaving ``task_policy`` out of ``__all__`` would silently disable it.
"""

from airflow_ecs import failure_notifications
from airflow_ecs.hostname import ecs_task_address as ecs_task_ip


def task_policy(task) -> None:
    """Cluster policy: the environment's failure notifier on every task (see ``airflow_ecs.failure_notifications``)."""
    failure_notifications.attach(task)


__all__ = ["task_policy"]
