"""
ECS task scale-in protection for Celery workers: a worker running Airflow tasks is protected from service scale-in
and deployment replacement; an idle worker is not, so only idle workers are stopped.

Sequence (all state lives under ``/tmp/airflow-ecs-task-protection``, shared by the worker's processes):

1. Celery ``task_prerun`` (in the pool process about to run a task): write the marker ``tasks/<pid>-<task id>``,
   then ``sync()``, which enables protection at once unless it is already on.
2. Celery ``task_postrun``: remove the marker. Protection stays on until the loop's next pass.
3. The loop (``python -m airflow_ecs.task_protection loop``, started by the entrypoint for the worker component)
   calls ``sync()`` every 15 s: markers of live processes > 0 -> PUT ``{"ProtectionEnabled": true,
   "ExpiresInMinutes": N}`` (N = AIRFLOW_ECS_TASK_PROTECTION_MINUTES), renewed every N/2 minutes while busy;
   none -> PUT ``{"ProtectionEnabled": false}`` once. Markers of processes that died (OOM kill) are dropped.

``sync()`` holds a file lock while it counts, decides and calls the agent, so a task start cannot interleave with
the loop releasing protection. An agent error is logged and never raised: the state becomes "unknown", the next
``sync()`` retries, and further consecutive failures back off exponentially up to 5 minutes. If the worker hangs
or the loop dies, protection lapses at its expiry (at most N minutes), so a broken worker cannot block scale-in
for ever.

The decision itself is the pure function ``desired_request``; the HTTP call is injected (``put``).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Callable, Iterator, Mapping, Optional

MINUTES_ENV = "AIRFLOW_ECS_TASK_PROTECTION_MINUTES"
COMPONENT_ENV = "AIRFLOW_ECS_COMPONENT"
#: Injected by the ECS agent into every container of an ECS task.
AGENT_URI_ENV = "ECS_AGENT_URI"
#: Internal override of the state directory (tests).
STATE_DIR_ENV = "_AIRFLOW_ECS_TASK_PROTECTION_DIR"

DEFAULT_STATE_DIR = "/tmp/airflow-ecs-task-protection"
DEFAULT_MINUTES = 60
#: ECS accepts ExpiresInMinutes from 1 to 2880 (48 hours).
MIN_MINUTES, MAX_MINUTES = 1, 2880
DEFAULT_INTERVAL_SECONDS = 15.0
AGENT_TIMEOUT_SECONDS = 3.0
BACKOFF_BASE_SECONDS = 15.0
BACKOFF_MAX_SECONDS = 300.0

log = logging.getLogger("airflow_ecs.task_protection")


@dataclass(frozen=True)
class ProtectionState:
    """What the agent last accepted. ``enabled`` is None when unknown: at start and after an agent error."""

    enabled: Optional[bool] = None
    renew_at: float = 0.0
    retry_at: float = 0.0
    failures: int = 0


def desired_request(active_tasks: int, state: ProtectionState, now: float, minutes: int) -> Optional[dict]:
    """The body to PUT to the agent, or None when nothing needs to change (or a retry is not due yet)."""
    if now < state.retry_at:
        return None
    if active_tasks > 0:
        if state.enabled is True and now < state.renew_at:
            return None
        return {"ProtectionEnabled": True, "ExpiresInMinutes": minutes}
    if state.enabled is False:
        return None
    return {"ProtectionEnabled": False}


def state_after_success(request: dict, now: float) -> ProtectionState:
    """Protection as applied; an enabled protection is renewed when half of its expiry has passed."""
    if request["ProtectionEnabled"]:
        return ProtectionState(enabled=True, renew_at=now + request["ExpiresInMinutes"] * 60 / 2)
    return ProtectionState(enabled=False)


def state_after_failure(state: ProtectionState, now: float) -> ProtectionState:
    """Unknown state; the first retry is due at once (next pass), then 15 s, 30 s, ... up to 300 s."""
    failures = state.failures + 1
    delay = 0.0 if failures == 1 else min(BACKOFF_BASE_SECONDS * 2 ** (failures - 2), BACKOFF_MAX_SECONDS)
    return ProtectionState(enabled=None, retry_at=now + delay, failures=failures)


class AgentError(Exception):
    """The ECS agent did not apply a protection update."""


def put_protection(agent_uri: str, body: dict, timeout: float = AGENT_TIMEOUT_SECONDS, opener=urllib.request.urlopen) -> dict:
    """PUT ``body`` to ``${ECS_AGENT_URI}/task-protection/v1/state``; returns the agent's ``protection`` record.

    Raises AgentError for transport errors, HTTP errors and ``failure``/``error`` answers (e.g. ``TASK_NOT_VALID``
    for a task that is not part of a service, ``AccessDeniedException`` without ``ecs:UpdateTaskProtection``).
    """
    request = urllib.request.Request(
        agent_uri.rstrip("/") + "/task-protection/v1/state",
        data=json.dumps(body).encode("utf-8"),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        with opener(request, timeout=timeout) as response:
            payload = response.read()
    except urllib.error.HTTPError as error:
        raise AgentError(f"HTTP {error.code}: {_describe_answer(error.read())}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise AgentError(f"cannot reach the ECS agent: {reason}") from None
    try:
        answer = json.loads(payload or b"{}")
    except ValueError:
        raise AgentError(f"unexpected answer: {payload[:200]!r}") from None
    if not isinstance(answer, dict) or "protection" not in answer:
        raise AgentError(_describe_answer(payload))
    return answer["protection"]


def _describe_answer(payload: bytes) -> str:
    try:
        answer = json.loads(payload or b"{}")
    except ValueError:
        return f"unexpected answer: {payload[:200]!r}"
    if isinstance(answer, dict):
        if isinstance(answer.get("failure"), dict):
            return f"failure: {answer['failure'].get('Reason') or answer['failure']}"
        if isinstance(answer.get("error"), dict):
            error = answer["error"]
            return f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    return f"unexpected answer: {payload[:200]!r}"


def _describe(request: dict) -> str:
    return "ProtectionEnabled=" + ("true" if request["ProtectionEnabled"] else "false")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TaskProtection:
    """Task markers plus the protection state shared by the worker's processes under ``state_dir``."""

    def __init__(
        self,
        state_dir: str,
        minutes: int,
        put: Callable[[dict], object],
        clock: Callable[[], float] = time.time,
        logger: logging.Logger = log,
    ) -> None:
        self.state_dir = state_dir
        self.minutes = minutes
        self._put = put
        self._clock = clock
        self._log = logger
        self._tasks_dir = os.path.join(state_dir, "tasks")
        self._state_file = os.path.join(state_dir, "state.json")
        self._lock_file = os.path.join(state_dir, "lock")

    # Markers -----------------------------------------------------------------------------------------------------

    def _marker(self, task_id: str, pid: Optional[int]) -> str:
        safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", str(task_id))
        return os.path.join(self._tasks_dir, f"{os.getpid() if pid is None else pid}-{safe_id}")

    def task_started(self, task_id: str, pid: Optional[int] = None) -> None:
        os.makedirs(self._tasks_dir, exist_ok=True)
        with open(self._marker(task_id, pid), "w", encoding="utf-8"):
            pass

    def task_finished(self, task_id: str, pid: Optional[int] = None) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._marker(task_id, pid))

    def active_tasks(self) -> int:
        """Markers of live processes; markers of dead ones (a pool process killed mid-task) are removed."""
        try:
            names = os.listdir(self._tasks_dir)
        except FileNotFoundError:
            return 0
        active = 0
        for name in names:
            pid_text = name.split("-", 1)[0]
            if pid_text.isdigit() and _pid_alive(int(pid_text)):
                active += 1
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(self._tasks_dir, name))
        return active

    # State -------------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        os.makedirs(self.state_dir, exist_ok=True)
        with open(self._lock_file, "a", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read_state(self) -> ProtectionState:
        try:
            with open(self._state_file, encoding="utf-8") as handle:
                return ProtectionState(**json.load(handle))
        except (FileNotFoundError, ValueError, TypeError):
            return ProtectionState()

    def _write_state(self, state: ProtectionState) -> None:
        temporary = f"{self._state_file}.{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(asdict(state), handle)
        os.replace(temporary, self._state_file)

    def sync(self) -> None:
        """Brings the agent's protection in line with the running tasks. Never raises."""
        try:
            with self._locked():
                self._sync_locked()
        except Exception:  # a protection problem must never take the worker down
            self._log.exception("scale-in protection: sync failed; the worker keeps running")

    def _sync_locked(self) -> None:
        state = self.read_state()
        active = self.active_tasks()
        now = self._clock()
        request = desired_request(active, state, now, self.minutes)
        if request is None:
            return
        try:
            self._put(request)
        except Exception as error:
            failed = state_after_failure(state, now)
            retry = "on the next pass" if failed.retry_at <= now else f"in {failed.retry_at - now:.0f} s"
            self._log.warning(
                "scale-in protection: the ECS agent did not apply %s (%d running task(s)): %s; retrying %s",
                _describe(request), active, error, retry,
            )
            self._write_state(failed)
            return
        self._write_state(state_after_success(request, now))
        if not request["ProtectionEnabled"]:
            self._log.info("scale-in protection disabled (no running tasks)")
        elif state.enabled is True:
            self._log.info("scale-in protection renewed for %d minutes (%d running task(s))", self.minutes, active)
        else:
            self._log.info("scale-in protection enabled for %d minutes (%d running task(s))", self.minutes, active)


def protection_minutes(environ: Mapping[str, str], logger: logging.Logger = log) -> int:
    """AIRFLOW_ECS_TASK_PROTECTION_MINUTES (1-2880); a missing or invalid value is logged and replaced by 60."""
    raw = environ.get(MINUTES_ENV, "").strip()
    if not raw:
        logger.warning("%s is not set; protecting busy workers for %d minutes", MINUTES_ENV, DEFAULT_MINUTES)
        return DEFAULT_MINUTES
    if raw.isdigit() and MIN_MINUTES <= int(raw) <= MAX_MINUTES:
        return int(raw)
    logger.error(
        "%s = %r is not a whole number of minutes from %d to %d; protecting busy workers for %d minutes",
        MINUTES_ENV, raw, MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES,
    )
    return DEFAULT_MINUTES


def from_environment(environ: Optional[Mapping[str, str]] = None, logger: logging.Logger = log) -> Optional[TaskProtection]:
    """The worker's TaskProtection, or None outside ECS (no ECS_AGENT_URI)."""
    environ = os.environ if environ is None else environ
    agent_uri = environ.get(AGENT_URI_ENV, "").strip()
    if not agent_uri:
        return None
    state_dir = environ.get(STATE_DIR_ENV, "").strip() or DEFAULT_STATE_DIR
    return TaskProtection(state_dir, protection_minutes(environ, logger), lambda body: put_protection(agent_uri, body), logger=logger)


# Celery signal handlers (connected by airflow_ecs.celery_config) ------------------------------------------------------

_controller: Optional[TaskProtection] = None
_controller_ready = False


def _worker_controller() -> Optional[TaskProtection]:
    """The controller of this process; None unless this is an ECS worker (the handlers then do nothing)."""
    global _controller, _controller_ready
    if not _controller_ready:
        _controller = from_environment() if os.environ.get(COMPONENT_ENV) == "worker" else None
        _controller_ready = True
    return _controller


def on_task_prerun(task_id: Optional[str] = None, **_: object) -> None:
    try:
        controller = _worker_controller()
        if controller is not None and task_id:
            controller.task_started(task_id)
            controller.sync()
    except Exception:
        log.exception("scale-in protection: task_prerun handler failed; the task runs anyway")


def on_task_postrun(task_id: Optional[str] = None, **_: object) -> None:
    try:
        controller = _worker_controller()
        if controller is not None and task_id:
            controller.task_finished(task_id)
    except Exception:
        log.exception("scale-in protection: task_postrun handler failed")


def connect_celery_signals() -> None:
    """Registers the handlers; called at import of the Celery configuration, before the pool processes fork."""
    from celery import signals

    signals.task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="airflow_ecs_task_protection_prerun")
    signals.task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="airflow_ecs_task_protection_postrun")


# The loop --------------------------------------------------------------------------------------------------------------


def run_loop(
    protection: TaskProtection,
    interval: float,
    iterations: Optional[int] = None,
    watch_pid: Optional[int] = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Calls ``sync()`` every ``interval`` seconds until ``iterations`` passes are done or ``watch_pid`` exits
    (checked at least every second)."""
    done = 0
    while iterations is None or done < iterations:
        if watch_pid is not None and not _pid_alive(watch_pid):
            log.info("scale-in protection: the worker process %d exited; stopping", watch_pid)
            return
        protection.sync()
        done += 1
        if iterations is not None and done >= iterations:
            return
        waited = 0.0
        while True:
            step = min(1.0, interval - waited)
            if step > 0:
                sleep(step)
                waited += step
            if waited >= interval or (watch_pid is not None and not _pid_alive(watch_pid)):
                break


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m airflow_ecs.task_protection", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["loop", "sync"], help="loop: sync every --interval seconds; sync: once")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_SECONDS)
    parser.add_argument("--iterations", type=int, default=None, help="stop after this many passes (default: never)")
    parser.add_argument("--watch-pid", type=int, default=None, help="stop when this process (the worker) exits")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="airflow-ecs-task-protection: %(levelname)s %(message)s")

    protection = from_environment()
    if protection is None:
        log.info("%s is not set (not an ECS task): scale-in protection stays off", AGENT_URI_ENV)
        return 0
    if args.command == "sync":
        protection.sync()
    else:
        run_loop(protection, args.interval, args.iterations, args.watch_pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
