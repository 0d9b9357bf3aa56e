"""
The migration record: after a successful ``airflow db migrate``, migrate.sh runs ``python -m airflow_ecs.migration_record``,
which writes the Airflow version that migrated the metadata database and the image tag it ran to the SSM parameter
named by ``AIRFLOW_ECS_MIGRATION_RECORD_PARAMETER`` (created by the storage stack), as JSON::

    {"airflowVersion": "3.1.5", "imageTag": "3.1.5-1", "migratedAt": "2026-01-15T09:30:00Z"}

``npm run migrate`` reads it before the next migration: when the image it is about to run has another Airflow
version, it snapshots the database first (README "Upgrades and restore"). The keys are runtime/airflow-image.ts
``MIGRATION_RECORD`` (a test checks).

Exit status: 0 recorded (or nothing to record: the parameter variable is unset); 70 the record could not be written.
migrate.sh only warns on 70: the database is migrated either way, and a missing record makes the next migration
take one snapshot more, never one less.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
from typing import Any, Callable, Mapping, Optional

PARAMETER_ENV = "AIRFLOW_ECS_MIGRATION_RECORD_PARAMETER"
IMAGE_TAG_ENV = "AIRFLOW_ECS_IMAGE_TAG"
#: Set by the official image to the Airflow version it was built with.
IMAGE_AIRFLOW_VERSION_ENV = "AIRFLOW_VERSION"

AIRFLOW_VERSION_KEY = "airflowVersion"
IMAGE_TAG_KEY = "imageTag"
MIGRATED_AT_KEY = "migratedAt"

log = logging.getLogger("airflow_ecs.migration_record")


def installed_airflow_version(environ: Mapping[str, str]) -> str:
    """The installed apache-airflow distribution's version; the image's AIRFLOW_VERSION when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("apache-airflow")
    except metadata.PackageNotFoundError:
        version = environ.get(IMAGE_AIRFLOW_VERSION_ENV, "").strip()
        if not version:
            raise RuntimeError(f"apache-airflow is not installed and {IMAGE_AIRFLOW_VERSION_ENV} is not set: no Airflow version to record")
        return version


def record_value(airflow_version: str, image_tag: str, now: datetime.datetime) -> str:
    return json.dumps(
        {
            AIRFLOW_VERSION_KEY: airflow_version,
            IMAGE_TAG_KEY: image_tag,
            MIGRATED_AT_KEY: now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        sort_keys=True,
    )


def default_client() -> Any:
    import boto3

    return boto3.client("ssm")


def main(
    environ: Optional[Mapping[str, str]] = None,
    make_client: Callable[[], Any] = default_client,
    now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.timezone.utc),
) -> int:
    env = os.environ if environ is None else environ
    parameter = env.get(PARAMETER_ENV, "").strip()
    if not parameter:
        log.warning("%s is not set: the migration is not recorded", PARAMETER_ENV)
        return 0
    image_tag = env.get(IMAGE_TAG_ENV, "").strip() or "unknown"
    try:
        value = record_value(installed_airflow_version(env), image_tag, now())
        make_client().put_parameter(Name=parameter, Value=value, Type="String", Overwrite=True)
    except Exception as error:  # any failure (no credentials, denied, throttled) is reported the same way
        log.error("could not record the migration in SSM parameter %s: %s: %s", parameter, type(error).__name__, error)
        return 70
    log.info("recorded the migration in SSM parameter %s: %s", parameter, value)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="airflow-ecs-migration-record: %(message)s", stream=sys.stderr)
    sys.exit(main())
