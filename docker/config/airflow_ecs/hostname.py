"""
``[core] hostname_callable`` for ECS, exposed by ``airflow_local_settings`` as ``ecs_task_ip``:

    AIRFLOW__CORE__HOSTNAME_CALLABLE=airflow_local_settings.ecs_task_ip

Airflow stores this value as the host of every task instance and job, and the api-server fetches live logs from
``http://<host>:8793`` (workers) and ``http://<host>:8794`` (triggerer). The default (``getfqdn``) yields a name other
tasks cannot resolve on ECS, or an empty one (``http://:8793/...``); the task's private IPv4 address from the task
metadata endpoint is reachable from the api-server's tasks in the same VPC.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Callable, Mapping, Optional

from airflow_ecs import ecs_metadata

log = logging.getLogger(__name__)

_address: Optional[str] = None


def ecs_task_address() -> str:
    """The address other tasks reach this container at; resolved once per process (a task's IP never changes)."""
    global _address
    if _address is None:
        _address = resolve_address()
    return _address


def _fallback_address() -> str:
    try:
        from airflow.utils.net import get_host_ip_address
    except ImportError:  # outside an Airflow installation (unit tests)
        return socket.gethostbyname(socket.getfqdn())
    return get_host_ip_address()


def resolve_address(
    environ: Optional[Mapping[str, str]] = None,
    fetch: ecs_metadata.Fetch = ecs_metadata.fetch_json,
    fallback: Callable[[], str] = _fallback_address,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Task metadata ``Networks[0].IPv4Addresses[0]``; ``airflow.utils.net.get_host_ip_address`` outside ECS or when
    the endpoint fails ``attempts`` times."""
    environ = os.environ if environ is None else environ
    if environ.get(ecs_metadata.METADATA_URI_ENV, "").strip():
        for attempt in range(1, attempts + 1):
            try:
                address = ecs_metadata.ipv4_address(ecs_metadata.task_metadata(environ, fetch))
            except Exception as error:  # network errors, bad JSON: retry, then fall back
                log.warning("ECS task metadata attempt %d/%d failed: %s", attempt, attempts, error)
            else:
                if address:
                    return address
                log.warning("ECS task metadata has no IPv4 address (not awsvpc network mode?)")
                break
            if attempt < attempts:
                sleep(0.5)
    address = fallback()
    log.info("hostname_callable: using %s from the host name, not the ECS task metadata", address)
    return address
