"""Unit tests of airflow_ecs.task_protection: the decision, the shared state, agent errors, the loop.

Run by __tests__/docker/python.test.ts with PYTHONPATH=docker/config; no Airflow, Celery or network needed.
"""

import json
import logging
import os
import subprocess
import sys
import tempfile
import unittest

from airflow_ecs import task_protection as tp


class FakeClock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


class RecordingAgent:
    """Stands in for the PUT to the ECS agent; raises the queued errors first."""

    def __init__(self, errors=()):
        self.requests = []
        self.errors = list(errors)

    def __call__(self, body):
        self.requests.append(body)
        if self.errors:
            raise self.errors.pop(0)
        return {"ProtectionEnabled": body["ProtectionEnabled"]}


class CapturingLogger(logging.Logger):
    def __init__(self):
        super().__init__("test", logging.DEBUG)
        self.records = []

    def handle(self, record):
        self.records.append((record.levelname, record.getMessage()))


class DesiredRequestTest(unittest.TestCase):
    def test_busy_worker_without_protection_enables_it_with_the_expiry(self):
        # GIVEN running tasks and no known protection WHEN deciding THEN enable for the configured minutes
        self.assertEqual(tp.desired_request(2, tp.ProtectionState(), 100.0, 45), {"ProtectionEnabled": True, "ExpiresInMinutes": 45})

    def test_busy_worker_with_fresh_protection_needs_nothing(self):
        # GIVEN protection enabled and its renewal not due WHEN deciding THEN no call
        self.assertIsNone(tp.desired_request(1, tp.ProtectionState(enabled=True, renew_at=200.0), 100.0, 45))

    def test_busy_worker_renews_when_half_the_expiry_has_passed(self):
        # GIVEN protection enabled and its renewal due WHEN deciding THEN enable again (the agent resets the expiry)
        self.assertEqual(tp.desired_request(1, tp.ProtectionState(enabled=True, renew_at=100.0), 100.0, 45), {"ProtectionEnabled": True, "ExpiresInMinutes": 45})

    def test_idle_worker_disables_protection_once(self):
        # GIVEN no running task WHEN protection is on or unknown THEN disable; when already off THEN no call
        self.assertEqual(tp.desired_request(0, tp.ProtectionState(enabled=True, renew_at=500.0), 100.0, 45), {"ProtectionEnabled": False})
        self.assertEqual(tp.desired_request(0, tp.ProtectionState(), 100.0, 45), {"ProtectionEnabled": False})
        self.assertIsNone(tp.desired_request(0, tp.ProtectionState(enabled=False), 100.0, 45))

    def test_backoff_after_failures_postpones_any_call(self):
        # GIVEN a retry not yet due WHEN deciding THEN no call, busy or idle
        state = tp.ProtectionState(retry_at=150.0, failures=2)
        self.assertIsNone(tp.desired_request(3, state, 100.0, 45))
        self.assertIsNone(tp.desired_request(0, state, 100.0, 45))

    def test_state_after_success_schedules_the_renewal_at_half_the_expiry(self):
        self.assertEqual(tp.state_after_success({"ProtectionEnabled": True, "ExpiresInMinutes": 30}, 1000.0), tp.ProtectionState(enabled=True, renew_at=1900.0))
        self.assertEqual(tp.state_after_success({"ProtectionEnabled": False}, 1000.0), tp.ProtectionState(enabled=False))

    def test_failures_retry_at_once_then_back_off_up_to_five_minutes(self):
        # GIVEN consecutive failures WHEN computing the next attempt THEN 0, 15, 30, 60, ... capped at 300 s
        state, delays = tp.ProtectionState(), []
        for _ in range(8):
            state = tp.state_after_failure(state, 0.0)
            delays.append(state.retry_at)
        self.assertEqual(delays, [0.0, 15.0, 30.0, 60.0, 120.0, 240.0, 300.0, 300.0])
        self.assertIsNone(state.enabled)


class TaskProtectionTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.clock = FakeClock()
        self.logger = CapturingLogger()

    def tearDown(self):
        self.directory.cleanup()

    def protection(self, agent, minutes=30):
        return tp.TaskProtection(self.directory.name, minutes, agent, clock=self.clock, logger=self.logger)

    def test_task_start_enables_and_idle_worker_disables(self):
        # GIVEN an idle worker
        agent = RecordingAgent()
        protection = self.protection(agent)
        # WHEN a task starts, the loop passes, the task ends, the loop passes again
        protection.task_started("celery-task-1")
        protection.sync()
        protection.sync()
        protection.task_finished("celery-task-1")
        protection.sync()
        protection.sync()
        # THEN protection was enabled once with its expiry and disabled once
        self.assertEqual(agent.requests, [{"ProtectionEnabled": True, "ExpiresInMinutes": 30}, {"ProtectionEnabled": False}])
        self.assertEqual(
            self.logger.records,
            [("INFO", "scale-in protection enabled for 30 minutes (1 running task(s))"), ("INFO", "scale-in protection disabled (no running tasks)")],
        )

    def test_long_running_task_renews_protection(self):
        # GIVEN a task running past half the expiry
        agent = RecordingAgent()
        protection = self.protection(agent, minutes=20)
        protection.task_started("long")
        protection.sync()
        self.clock.now += 10 * 60
        # WHEN the loop passes
        protection.sync()
        # THEN protection is renewed
        self.assertEqual(agent.requests, [{"ProtectionEnabled": True, "ExpiresInMinutes": 20}] * 2)
        self.assertEqual(self.logger.records[-1], ("INFO", "scale-in protection renewed for 20 minutes (1 running task(s))"))

    def test_agent_error_is_logged_and_retried_never_raised(self):
        # GIVEN an agent that fails twice, then works
        agent = RecordingAgent([tp.AgentError("HTTP 500: ServerException: boom"), tp.AgentError("cannot reach the ECS agent: timed out")])
        protection = self.protection(agent)
        protection.task_started("t1")
        # WHEN the worker syncs: fails, retries on the next pass (fails again), waits out the 15 s backoff, retries
        protection.sync()
        protection.sync()
        protection.sync()
        self.clock.now += 15
        protection.sync()
        # THEN nothing was raised, each failure was logged, and the third attempt enabled protection
        self.assertEqual(len(agent.requests), 3)
        self.assertEqual(
            self.logger.records,
            [
                ("WARNING", "scale-in protection: the ECS agent did not apply ProtectionEnabled=true (1 running task(s)): HTTP 500: ServerException: boom; retrying on the next pass"),
                ("WARNING", "scale-in protection: the ECS agent did not apply ProtectionEnabled=true (1 running task(s)): cannot reach the ECS agent: timed out; retrying in 15 s"),
                ("INFO", "scale-in protection enabled for 30 minutes (1 running task(s))"),
            ],
        )
        self.assertEqual(protection.read_state(), tp.ProtectionState(enabled=True, renew_at=self.clock.now + 15 * 60))

    def test_unexpected_failure_never_escapes_sync(self):
        # GIVEN a state directory that cannot be created (a file is in the way)
        blocker = os.path.join(self.directory.name, "blocker")
        open(blocker, "w").close()
        protection = tp.TaskProtection(os.path.join(blocker, "state"), 30, RecordingAgent(), clock=self.clock, logger=self.logger)
        # WHEN syncing THEN the error is logged, not raised
        protection.sync()
        self.assertEqual(self.logger.records[0], ("ERROR", "scale-in protection: sync failed; the worker keeps running"))

    def test_markers_of_dead_processes_do_not_count(self):
        # GIVEN a marker left by a pool process that was killed mid-task, and one of this (live) process
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
        protection = self.protection(RecordingAgent())
        protection.task_started("orphan", pid=int(dead.stdout))
        protection.task_started("alive")
        # WHEN counting THEN only the live one counts, and the orphan marker is gone
        self.assertEqual(protection.active_tasks(), 1)
        self.assertEqual(os.listdir(os.path.join(self.directory.name, "tasks")), [f"{os.getpid()}-alive"])

    def test_state_is_shared_through_the_state_directory(self):
        # GIVEN protection enabled by one process's controller (a pool process at task start)
        agent = RecordingAgent()
        first = self.protection(agent)
        first.task_started("t1")
        first.sync()
        # WHEN another controller on the same directory (the loop) syncs while the task runs
        self.protection(agent).sync()
        # THEN it sees protection already on and calls nothing
        self.assertEqual(len(agent.requests), 1)


class PutProtectionTest(unittest.TestCase):
    class Response:
        def __init__(self, payload):
            self.payload = payload

        def read(self):
            return self.payload

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

    def opener_returning(self, payload, captured):
        def opener(request, timeout):
            captured.append((request.get_method(), request.full_url, request.data, dict(request.header_items()), timeout))
            return self.Response(payload)

        return opener

    def test_puts_the_body_as_json_to_the_agent_endpoint(self):
        # GIVEN an agent accepting the update
        captured = []
        opener = self.opener_returning(b'{"protection": {"ProtectionEnabled": true, "TaskArn": "arn:aws:ecs:eu-west-1:1:task/c/1"}}', captured)
        # WHEN putting THEN the request is a JSON PUT to task-protection/v1/state and the protection record comes back
        result = tp.put_protection("http://169.254.170.2/api/abc/", {"ProtectionEnabled": True, "ExpiresInMinutes": 5}, opener=opener)
        self.assertEqual(result["ProtectionEnabled"], True)
        method, url, data, headers, timeout = captured[0]
        self.assertEqual((method, url, json.loads(data), headers["Content-type"], timeout), ("PUT", "http://169.254.170.2/api/abc/task-protection/v1/state", {"ProtectionEnabled": True, "ExpiresInMinutes": 5}, "application/json", 3.0))

    def test_failure_and_error_answers_raise_agent_errors(self):
        # GIVEN the agent's failure (a task outside a service) and error (missing IAM permission) answers
        cases = [
            (b'{"failure": {"Arn": "arn", "Reason": "TASK_NOT_VALID"}}', "failure: TASK_NOT_VALID"),
            (b'{"error": {"Code": "AccessDeniedException", "Message": "not authorized"}}', "AccessDeniedException: not authorized"),
            (b"<html>", "unexpected answer: b'<html>'"),
        ]
        for payload, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(tp.AgentError) as raised:
                    tp.put_protection("http://agent", {"ProtectionEnabled": False}, opener=self.opener_returning(payload, []))
                self.assertEqual(str(raised.exception), message)


class MinutesTest(unittest.TestCase):
    def test_valid_missing_and_invalid_values(self):
        logger = CapturingLogger()
        self.assertEqual(tp.protection_minutes({"AIRFLOW_ECS_TASK_PROTECTION_MINUTES": "90"}, logger), 90)
        self.assertEqual(tp.protection_minutes({}, logger), 60)
        self.assertEqual(tp.protection_minutes({"AIRFLOW_ECS_TASK_PROTECTION_MINUTES": "2881"}, logger), 60)
        self.assertEqual(
            logger.records,
            [
                ("WARNING", "AIRFLOW_ECS_TASK_PROTECTION_MINUTES is not set; protecting busy workers for 60 minutes"),
                ("ERROR", "AIRFLOW_ECS_TASK_PROTECTION_MINUTES = '2881' is not a whole number of minutes from 1 to 2880; protecting busy workers for 60 minutes"),
            ],
        )

    def test_no_agent_uri_means_no_protection(self):
        # GIVEN no ECS_AGENT_URI (not an ECS task) THEN there is nothing to protect
        self.assertIsNone(tp.from_environment({"AIRFLOW_ECS_TASK_PROTECTION_MINUTES": "30"}))


class CeleryHandlersTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.agent = RecordingAgent()
        self.controller = tp.TaskProtection(self.directory.name, 30, self.agent, logger=CapturingLogger())
        tp._controller, tp._controller_ready = self.controller, True

    def tearDown(self):
        tp._controller, tp._controller_ready = None, False
        self.directory.cleanup()

    def test_prerun_marks_and_enables_postrun_unmarks(self):
        # WHEN Celery starts a task THEN protection is enabled before it runs
        tp.on_task_prerun(task_id="abc", task=None, args=(), kwargs={})
        self.assertEqual(self.agent.requests, [{"ProtectionEnabled": True, "ExpiresInMinutes": 30}])
        self.assertEqual(self.controller.active_tasks(), 1)
        # WHEN it ends THEN the marker goes; protection is left for the loop to release
        tp.on_task_postrun(task_id="abc", task=None, state="SUCCESS")
        self.assertEqual(self.controller.active_tasks(), 0)
        self.assertEqual(len(self.agent.requests), 1)

    def test_handlers_do_nothing_outside_an_ecs_worker(self):
        # GIVEN a process that is not an ECS worker
        tp._controller, tp._controller_ready = None, False
        previous = os.environ.pop("AIRFLOW_ECS_COMPONENT", None)
        os.environ["AIRFLOW_ECS_COMPONENT"] = "scheduler"
        try:
            # WHEN a task signal fires THEN nothing happens
            tp.on_task_prerun(task_id="abc")
            self.assertIsNone(tp._controller)
        finally:
            os.environ.pop("AIRFLOW_ECS_COMPONENT")
            if previous is not None:
                os.environ["AIRFLOW_ECS_COMPONENT"] = previous


class LoopTest(unittest.TestCase):
    def test_loop_stops_when_the_worker_exits(self):
        # GIVEN a worker process that has exited
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
        calls = []

        class Protection:
            def sync(self):
                calls.append("sync")

        # WHEN the loop runs watching it THEN it returns without syncing
        tp.run_loop(Protection(), 15.0, watch_pid=int(gone.stdout), sleep=lambda _: self.fail("slept"))
        self.assertEqual(calls, [])

    def test_loop_syncs_every_interval_for_the_given_passes(self):
        calls, sleeps = [], []

        class Protection:
            def sync(self):
                calls.append("sync")

        # WHEN the loop runs three passes of a 2.5 s interval THEN it syncs three times, sleeping in 1 s steps between
        tp.run_loop(Protection(), 2.5, iterations=3, sleep=sleeps.append)
        self.assertEqual(calls, ["sync"] * 3)
        self.assertEqual(sleeps, [1.0, 1.0, 0.5] * 2)


if __name__ == "__main__":
    unittest.main()
