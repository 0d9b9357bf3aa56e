"""
Airflow local settings of the ECS image: ``$AIRFLOW_HOME/config/airflow_local_settings.py``, imported by every Airflow
process at start-up. It only makes the hostname callable available under the name the task definitions use:

    AIRFLOW__CORE__HOSTNAME_CALLABLE=airflow_local_settings.ecs_task_ip

(implementation: ``airflow_ecs.hostname.ecs_task_address``). ``__all__`` is empty on purpose: Airflow copies the
public names of this module over ``airflow.settings`` and registers cluster policies from them; this module adds none.
"""

from airflow_ecs.hostname import ecs_task_address as ecs_task_ip

__all__: list = []
