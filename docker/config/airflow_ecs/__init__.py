"""
Code of the Airflow ECS image, installed at /opt/airflow/config/airflow_ecs (Airflow puts $AIRFLOW_HOME/config on
sys.path in every process):

- ``hostname``: ``[core] hostname_callable`` returning the task's private IP from the ECS task metadata endpoint
  (exposed as ``airflow_local_settings.ecs_task_ip``).
- ``celery_config``: ``[celery] celery_config_options``: Airflow's Celery defaults plus TLS verification for the
  ``rediss://`` broker and the scale-in protection signal handlers.
- ``task_protection``: ECS task scale-in protection for busy Celery workers.
- ``heartbeat``: the probes and timing of the heartbeat DAG.
- ``dag_sync``: the one-off DAG sync task (``python -m airflow_ecs.dag_sync``): unpacks an uploaded EFS release and
  switches the bundle's ``current`` symlink atomically.

Only ``celery_config`` imports Airflow or Celery at module level; the rest runs (and is unit-tested) without them.
"""
