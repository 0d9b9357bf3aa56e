"""
Bounds the local logs of an Airflow container: the sidecar of the dag-processor, triggerer and worker tasks, sharing
their logs volume (``python -m airflow_ecs.log_groomer``).

Airflow deletes a task's or trigger's local log once it is uploaded (``[logging] delete_local_logs``), but nothing
removes what an upload left behind, and the dag-processor's per-file parse logs are never uploaded: they grow for as
long as the task runs (apache/airflow#70968). Every ``AIRFLOW_ECS_LOG_GROOMER_INTERVAL_SECONDS`` this module:

1. deletes log files not modified for ``AIRFLOW_ECS_LOG_GROOMER_MAX_AGE_MINUTES``;
2. while the remaining files exceed ``AIRFLOW_ECS_LOG_GROOMER_MAX_MEGABYTES``, deletes the oldest ones, sparing files
   written in the last ``AIRFLOW_ECS_LOG_GROOMER_ACTIVE_MINUTES`` (a running task's log is still being written and is
   uploaded when the task ends);
3. removes directories left empty, except recent ones (Airflow may be about to write into them).

The image's ``/clean-logs`` (what the Helm chart's log groomer runs) only deletes by age in whole days in Airflow 3.1.5,
with no size bound, hence this module. Symlinks (the dag-processor's ``latest``) are never followed or deleted.
Files that vanish while it works (an upload deleting its folder) are skipped; other errors are logged and the loop
goes on. SIGTERM ends it at once with status 0.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
import time
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

DIRECTORY_ENV = "AIRFLOW_ECS_LOG_GROOMER_DIRECTORY"
MAX_AGE_ENV = "AIRFLOW_ECS_LOG_GROOMER_MAX_AGE_MINUTES"
MAX_MEGABYTES_ENV = "AIRFLOW_ECS_LOG_GROOMER_MAX_MEGABYTES"
ACTIVE_ENV = "AIRFLOW_ECS_LOG_GROOMER_ACTIVE_MINUTES"
INTERVAL_ENV = "AIRFLOW_ECS_LOG_GROOMER_INTERVAL_SECONDS"

EXIT_OK = 0
EXIT_CONFIG = 64


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable."""


@dataclass(frozen=True)
class Config:
    directory: str
    max_age_seconds: int
    max_bytes: int
    active_seconds: int
    interval_seconds: int


@dataclass(frozen=True)
class PassResult:
    expired: int
    evicted: int
    directories: int
    remaining_bytes: int


def log(message: str, level: str = "INFO") -> None:
    print(f"airflow-ecs-log-groomer: {level}: {message}", file=sys.stderr, flush=True)


def _positive_int(environ: Mapping[str, str], name: str) -> int:
    text = environ.get(name, "")
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{name} = {text!r} is not a whole number of at least 1")
    return int(text)


def load_config(environ: Mapping[str, str]) -> Config:
    directory = environ.get(DIRECTORY_ENV, "")
    if not directory.startswith("/"):
        raise ConfigError(f"{DIRECTORY_ENV} = {directory!r} is not an absolute path")
    return Config(
        directory=directory,
        max_age_seconds=_positive_int(environ, MAX_AGE_ENV) * 60,
        max_bytes=_positive_int(environ, MAX_MEGABYTES_ENV) * 1024 * 1024,
        active_seconds=_positive_int(environ, ACTIVE_ENV) * 60,
        interval_seconds=_positive_int(environ, INTERVAL_ENV),
    )


def _remove(path: str) -> bool:
    """Deletes a file; False when it was already gone."""
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False


def _files(directory: str) -> List[Tuple[float, int, str]]:
    """(mtime, size, path) of every regular file under ``directory``, symlinks neither followed nor listed."""
    found = []
    for root, _dirs, names in os.walk(directory, followlinks=False):
        for name in names:
            path = os.path.join(root, name)
            try:
                status = os.lstat(path)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(status.st_mode):
                found.append((status.st_mtime, status.st_size, path))
    return found


def _remove_empty_directories(directory: str, older_than: float) -> int:
    """Removes empty directories below ``directory`` not modified since ``older_than``; returns how many."""
    removed = 0
    for root, _dirs, _names in os.walk(directory, topdown=False, followlinks=False):
        if root == directory:
            continue
        try:
            if not os.listdir(root) and os.lstat(root).st_mtime < older_than:
                os.rmdir(root)
                removed += 1
        except OSError:  # gone, or filled meanwhile
            continue
    return removed


def groom(config: Config, now: Optional[float] = None) -> PassResult:
    """One pass over the logs directory (see the module's description)."""
    now = time.time() if now is None else now
    files = _files(config.directory)
    expired = 0
    kept = []
    for mtime, size, path in files:
        if mtime < now - config.max_age_seconds:
            expired += _remove(path)
        else:
            kept.append((mtime, size, path))
    total = sum(size for _, size, _ in kept)
    evicted = 0
    for mtime, size, path in sorted(kept):
        if total <= config.max_bytes:
            break
        if mtime >= now - config.active_seconds:
            continue
        if _remove(path):
            evicted += 1
        total -= size
    if total > config.max_bytes:
        log(f"{total} bytes of logs remain above the {config.max_bytes}-byte bound: all of it was written in the last {config.active_seconds} s", "WARNING")
    directories = _remove_empty_directories(config.directory, now - config.active_seconds)
    return PassResult(expired=expired, evicted=evicted, directories=directories, remaining_bytes=total)


def run(config: Config, stop: threading.Event) -> None:
    """Grooms every interval until ``stop`` is set; a failed pass is logged and the next one runs as planned."""
    log(
        f"bounding {config.directory}: files older than {config.max_age_seconds // 60} min, then the oldest beyond "
        f"{config.max_bytes // (1024 * 1024)} MiB, every {config.interval_seconds} s"
    )
    while not stop.is_set():
        try:
            result = groom(config)
            if result.expired or result.evicted:
                log(f"deleted {result.expired} expired and {result.evicted} oldest log files; {result.remaining_bytes} bytes remain")
        except Exception as error:  # the next pass may succeed; never leave the task without its groomer
            log(f"pass failed: {type(error).__name__}: {error}", "ERROR")
        stop.wait(config.interval_seconds)


def main(argv: Optional[Sequence[str]] = None, environ: Optional[Mapping[str, str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    environ = os.environ if environ is None else environ
    if argv:
        log(f"unexpected arguments {' '.join(argv)!r}: the groomer is configured by its environment ({DIRECTORY_ENV}, ...)", "ERROR")
        return EXIT_CONFIG
    try:
        config = load_config(environ)
    except ConfigError as error:
        log(str(error), "ERROR")
        return EXIT_CONFIG
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run(config, stop)
    log("stopped")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
