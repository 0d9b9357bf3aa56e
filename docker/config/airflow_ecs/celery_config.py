"""
Celery configuration of the Airflow ECS image, selected with

    AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=airflow_ecs.celery_config.CELERY_CONFIG

It is Airflow's own ``DEFAULT_CELERY_CONFIG`` (every ``[celery]`` option still applies, including
``extra_celery_config``) plus:

- ``broker_use_ssl`` with certificate verification when the broker is ``rediss://`` (ElastiCache in-transit
  encryption), unless already configured. The broker URL carries ``?ssl_cert_reqs=required`` too, but Flower's
  broker view reads TLS settings only from ``broker_use_ssl`` (apache/airflow#15486).
- the ECS task scale-in protection handlers on Celery's ``task_prerun`` / ``task_postrun`` signals. This module is
  imported by the worker's main process when it creates the Celery app, before the pool processes fork, so every
  pool process inherits them. In the scheduler and Flower the signals never fire.
"""

from __future__ import annotations

import ssl

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

from airflow_ecs import task_protection

CELERY_CONFIG = dict(DEFAULT_CELERY_CONFIG)

if str(CELERY_CONFIG.get("broker_url") or "").startswith("rediss://") and not CELERY_CONFIG.get("broker_use_ssl"):
    CELERY_CONFIG["broker_use_ssl"] = {"ssl_cert_reqs": ssl.CERT_REQUIRED}

task_protection.connect_celery_signals()
