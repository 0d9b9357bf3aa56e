"""Unit tests of airflow_ecs.log_groomer: the bound on the local logs of the dag-processor, triggerer and workers.

Run by __tests__/docker/python.test.ts with PYTHONPATH=docker/config. Files are real, in a temporary folder; their
ages are set with os.utime relative to the time the test starts.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

from airflow_ecs import log_groomer as lg

NOW = time.time()
MIB = 1024 * 1024


class GroomTestCase(unittest.TestCase):
    def setUp(self):
        self.logs = tempfile.mkdtemp(prefix="log-groomer-test-")
        self.addCleanup(shutil.rmtree, self.logs, True)
        # 2 h max age, 3 MiB bound, 10 min active window
        self.config = lg.Config(directory=self.logs, max_age_seconds=7200, max_bytes=3 * MIB, active_seconds=600, interval_seconds=60)

    def write(self, relative, megabytes, age_seconds):
        path = os.path.join(self.logs, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(b"x" * int(megabytes * MIB))
        os.utime(path, (NOW - age_seconds, NOW - age_seconds))
        return path

    def age_directory(self, relative, age_seconds):
        path = os.path.join(self.logs, relative)
        os.utime(path, (NOW - age_seconds, NOW - age_seconds))

    def test_deletes_files_older_than_the_max_age_and_keeps_the_rest(self):
        # GIVEN a parse log from yesterday and one from a minute ago
        old = self.write("dag_processor/2025-06-14/team/etl.py.log", 0.1, 86_400)
        new = self.write("dag_processor/2025-06-15/team/etl.py.log", 0.1, 60)
        # WHEN one pass runs THEN only the old file is gone
        result = lg.groom(self.config, now=NOW)
        self.assertFalse(os.path.exists(old))
        self.assertTrue(os.path.exists(new))
        self.assertEqual(result.expired, 1)
        self.assertEqual(result.evicted, 0)

    def test_deletes_the_oldest_files_beyond_the_size_bound_sparing_active_ones(self):
        # GIVEN 5 MiB of recent logs (bound 3 MiB): three idle files and two written in the last 10 minutes
        idle = [self.write(f"dag_id=d/run_id=r/task_id=t{i}/attempt=1.log", 1, 3600 - i * 600) for i in range(3)]
        active = [self.write(f"dag_id=d/run_id=r/task_id=a{i}/attempt=1.log", 1, 30) for i in range(2)]
        # WHEN one pass runs
        result = lg.groom(self.config, now=NOW)
        # THEN the oldest idle files go until 3 MiB remain; the active ones stay
        self.assertEqual([os.path.exists(p) for p in idle], [False, False, True])
        self.assertTrue(all(os.path.exists(p) for p in active))
        self.assertEqual((result.evicted, result.remaining_bytes), (2, 3 * MIB))

    def test_leaves_active_files_even_above_the_bound_and_says_so(self):
        active = [self.write(f"a{i}.log", 2, 10) for i in range(2)]
        with mock.patch.object(lg, "log") as logged:
            result = lg.groom(self.config, now=NOW)
        self.assertTrue(all(os.path.exists(p) for p in active))
        self.assertEqual(result.remaining_bytes, 4 * MIB)
        self.assertIn("above the", logged.call_args[0][0])

    def test_removes_empty_directories_once_idle_but_not_recent_ones_nor_the_root(self):
        # GIVEN yesterday's parse log in its dated folder, and today's folder, empty
        self.write("dag_processor/2025-06-14/team/etl.py.log", 0.1, 86_400)
        for relative in ("dag_processor/2025-06-14/team", "dag_processor/2025-06-14"):
            self.age_directory(relative, 86_400)
        os.makedirs(os.path.join(self.logs, "dag_processor", "2025-06-15"))
        # WHEN passes run now and after the active window (deleting the file made its folder recent)
        lg.groom(self.config, now=NOW)
        self.assertTrue(os.path.isdir(os.path.join(self.logs, "dag_processor", "2025-06-14", "team")))
        lg.groom(self.config, now=NOW + self.config.active_seconds + 60)
        # THEN the emptied folders are gone, and so is today's once idle; the logs root stays
        self.assertEqual(os.listdir(self.logs), [])
        # AND a folder Airflow just created is never removed in the pass that finds it
        os.makedirs(os.path.join(self.logs, "fresh"))
        lg.groom(self.config, now=time.time())
        self.assertTrue(os.path.isdir(os.path.join(self.logs, "fresh")))

    def test_never_follows_or_deletes_symlinks(self):
        # GIVEN a "latest" symlink to a folder outside the logs, holding an old file
        outside = tempfile.mkdtemp(prefix="log-groomer-outside-")
        self.addCleanup(shutil.rmtree, outside, True)
        victim = os.path.join(outside, "keep.log")
        with open(victim, "w") as handle:
            handle.write("keep")
        os.utime(victim, (NOW - 86_400, NOW - 86_400))
        os.makedirs(os.path.join(self.logs, "dag_processor"))
        link = os.path.join(self.logs, "dag_processor", "latest")
        os.symlink(outside, link)
        lg.groom(self.config, now=NOW)
        self.assertTrue(os.path.islink(link))
        self.assertTrue(os.path.exists(victim))

    def test_skips_files_that_vanish_during_a_pass(self):
        path = self.write("gone.log", 0.1, 86_400)
        real_unlink = os.unlink

        def racing_unlink(target):
            real_unlink(target)  # an upload removed it first
            real_unlink(target)

        with mock.patch.object(os, "unlink", side_effect=racing_unlink):
            result = lg.groom(self.config, now=NOW)
        self.assertFalse(os.path.exists(path))
        self.assertEqual(result.expired, 0)


class ConfigTestCase(unittest.TestCase):
    ENV = {lg.DIRECTORY_ENV: "/opt/airflow/logs", lg.MAX_AGE_ENV: "1440", lg.MAX_MEGABYTES_ENV: "1024", lg.ACTIVE_ENV: "10", lg.INTERVAL_ENV: "300"}

    def test_reads_minutes_megabytes_and_seconds(self):
        self.assertEqual(lg.load_config(self.ENV), lg.Config("/opt/airflow/logs", 86_400, 1024 * MIB, 600, 300))

    def test_refuses_missing_or_malformed_values_naming_the_variable(self):
        for name, value, message in (
            (lg.MAX_MEGABYTES_ENV, "1G", "AIRFLOW_ECS_LOG_GROOMER_MAX_MEGABYTES = '1G' is not a whole number of at least 1"),
            (lg.INTERVAL_ENV, "0", "AIRFLOW_ECS_LOG_GROOMER_INTERVAL_SECONDS = '0' is not a whole number of at least 1"),
            (lg.DIRECTORY_ENV, "logs", "AIRFLOW_ECS_LOG_GROOMER_DIRECTORY = 'logs' is not an absolute path"),
        ):
            with self.subTest(name=name):
                with self.assertRaises(lg.ConfigError) as raised:
                    lg.load_config({**self.ENV, name: value})
                self.assertEqual(str(raised.exception), message)
        with mock.patch.object(lg, "log"):
            self.assertEqual(lg.main([], {}), lg.EXIT_CONFIG)
            self.assertEqual(lg.main(["--now"], self.ENV), lg.EXIT_CONFIG)


class ProcessTestCase(unittest.TestCase):
    def test_runs_until_sigterm_and_exits_zero(self):
        # GIVEN the module started as the sidecar runs it, on a folder with an expired file
        logs = tempfile.mkdtemp(prefix="log-groomer-process-")
        self.addCleanup(shutil.rmtree, logs, True)
        old = os.path.join(logs, "old.log")
        with open(old, "w") as handle:
            handle.write("x")
        os.utime(old, (time.time() - 7200, time.time() - 7200))
        env = {**os.environ, lg.DIRECTORY_ENV: logs, lg.MAX_AGE_ENV: "60", lg.MAX_MEGABYTES_ENV: "10", lg.ACTIVE_ENV: "1", lg.INTERVAL_ENV: "3600"}
        process = subprocess.Popen([sys.executable, "-m", "airflow_ecs.log_groomer"], env=env, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while os.path.exists(old) and time.time() < deadline:
            time.sleep(0.05)
        # WHEN ECS stops the task (SIGTERM) during its hour-long wait
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
        # THEN the first pass ran, and the process ended at once with status 0
        self.assertFalse(os.path.exists(old))
        self.assertEqual(process.returncode, 0, stderr)
        self.assertIn("deleted 1 expired and 0 oldest log files", stderr)
        self.assertIn("airflow-ecs-log-groomer: INFO: stopped", stderr)


if __name__ == "__main__":
    unittest.main()
