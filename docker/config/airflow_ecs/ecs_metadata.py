"""The ECS task metadata endpoint v4, read with the standard library only."""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any, Callable, Mapping, Optional

#: Set by ECS in every container (Fargate platform 1.4.0+, EC2 agent 1.39.0+).
METADATA_URI_ENV = "ECS_CONTAINER_METADATA_URI_V4"

Fetch = Callable[[str], Any]


def fetch_json(url: str, timeout: float = 2.0) -> Any:
    """GETs ``url`` and parses its JSON body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def task_metadata(environ: Optional[Mapping[str, str]] = None, fetch: Fetch = fetch_json) -> Optional[dict]:
    """The task's metadata (``${ECS_CONTAINER_METADATA_URI_V4}/task``), or None outside ECS."""
    environ = os.environ if environ is None else environ
    base = environ.get(METADATA_URI_ENV, "").strip()
    if not base:
        return None
    document = fetch(base.rstrip("/") + "/task")
    return document if isinstance(document, dict) else None


def ipv4_address(document: Optional[dict]) -> Optional[str]:
    """The first private IPv4 address in task (``Containers[].Networks``) or container (``Networks``) metadata.

    In ``awsvpc`` mode every container of the task shares the task's elastic network interface, hence its address.
    """
    if not isinstance(document, dict):
        return None
    candidates = [document] + [c for c in document.get("Containers") or [] if isinstance(c, dict)]
    for candidate in candidates:
        for network in candidate.get("Networks") or []:
            addresses = network.get("IPv4Addresses") if isinstance(network, dict) else None
            if addresses and isinstance(addresses[0], str) and addresses[0]:
                return addresses[0]
    return None


def region(document: Optional[dict]) -> Optional[str]:
    """The AWS region in the task ARN (``arn:aws:ecs:<region>:<account>:task/...``)."""
    arn = document.get("TaskARN") if isinstance(document, dict) else None
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[3] if len(parts) > 5 and parts[3] else None
