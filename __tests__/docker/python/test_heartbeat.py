"""Unit tests of airflow_ecs.heartbeat: configuration, timing and every probe with fake clients."""

import os
import tempfile
import threading
import unittest
from datetime import datetime, timedelta, timezone

from airflow_ecs import heartbeat as hb

ENV = {
    "AIRFLOW_ECS_HEARTBEAT_NAMESPACE": "Test/Namespace",
    "AIRFLOW_ECS_HEARTBEAT_METRIC": "TestMetric",
    "AIRFLOW_ECS_ENVIRONMENT": "dev",
}


class FakeCloudWatch:
    def __init__(self):
        self.calls = []

    def put_metric_data(self, **kwargs):
        self.calls.append(kwargs)


class FakeS3:
    def __init__(self, corrupt=False):
        self.objects, self.calls, self.corrupt = {}, [], corrupt

    def put_object(self, Bucket, Key, Body):
        self.calls.append(("put", Bucket, Key))
        self.objects[(Bucket, Key)] = Body

    def get_object(self, Bucket, Key):
        self.calls.append(("get", Bucket, Key))
        body = self.objects[(Bucket, Key)] + (b"!" if self.corrupt else b"")

        class Stream:
            def read(self):
                return body

        return {"Body": Stream()}

    def delete_object(self, Bucket, Key):
        self.calls.append(("delete", Bucket, Key))
        del self.objects[(Bucket, Key)]


class ConfigurationTest(unittest.TestCase):
    def test_missing_variables_are_named_together(self):
        # GIVEN the namespace and environment missing (one unset, one blank)
        # WHEN the publish task checks its configuration THEN it fails naming both, before creating any client
        def no_client():
            raise AssertionError("a client was created")

        with self.assertRaises(hb.HeartbeatError) as raised:
            hb.publish_heartbeat(no_client, {"AIRFLOW_ECS_HEARTBEAT_METRIC": "M", "AIRFLOW_ECS_ENVIRONMENT": "  "})
        self.assertEqual(
            str(raised.exception),
            "heartbeat: required environment variable(s) not set: AIRFLOW_ECS_HEARTBEAT_NAMESPACE, AIRFLOW_ECS_ENVIRONMENT",
        )

    def test_publish_puts_one_success_with_the_environment_dimension(self):
        # GIVEN the configuration WHEN publishing THEN one datum of 1 goes to the configured namespace and metric
        cloudwatch = FakeCloudWatch()
        now = datetime(2025, 1, 1, tzinfo=timezone.utc)
        result = hb.publish_heartbeat(lambda: cloudwatch, ENV, now=now)
        self.assertEqual(
            cloudwatch.calls,
            [{"Namespace": "Test/Namespace", "MetricData": [{"MetricName": "TestMetric", "Dimensions": [{"Name": "Environment", "Value": "dev"}], "Timestamp": now, "Value": 1.0, "Unit": "Count"}]}],
        )
        self.assertEqual(result, {"namespace": "Test/Namespace", "metric": "TestMetric", "environment": "dev"})

    def test_interval_must_be_a_whole_number(self):
        with self.assertRaises(hb.HeartbeatError) as missing:
            hb.timing_from_env({})
        with self.assertRaises(hb.HeartbeatError) as malformed:
            hb.timing_from_env({"AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS": "5m"})
        self.assertEqual(str(missing.exception), "heartbeat: required environment variable(s) not set: AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS")
        self.assertEqual(str(malformed.exception), "heartbeat: AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS = '5m' is not a whole number of seconds")


class TimingTest(unittest.TestCase):
    def test_five_minutes(self):
        # GIVEN the contract's 300 s interval WHEN deriving the limits
        timing = hb.timing_from_env({"AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS": "300"})
        # THEN a run times out after 240 s, tasks after 30 s, with one retry 10 s later
        self.assertEqual(
            timing,
            hb.Timing(timedelta(seconds=300), timedelta(seconds=240), timedelta(seconds=30), 1, timedelta(seconds=10)),
        )
        # AND the worst case (both waves retried, 75 s scheduling latency) fits the run timeout: 2 * 70 + 75 = 215
        self.assertEqual(timing.worst_case_seconds, 215)

    def test_every_valid_interval_keeps_the_worst_case_inside_the_run_timeout_and_the_timeout_below_the_interval(self):
        for seconds in range(hb.MIN_INTERVAL_SECONDS, 3600 + 1, 60):
            with self.subTest(interval=seconds):
                timing = hb.timing(seconds)
                self.assertLessEqual(timing.worst_case_seconds, timing.dagrun_timeout.total_seconds())
                self.assertLess(timing.dagrun_timeout, timing.interval)

    def test_short_intervals_drop_the_retry(self):
        # GIVEN the shortest interval WHEN a retry would not fit THEN no retries
        self.assertEqual(hb.timing(180).retries, 0)

    def test_rejects_intervals_the_alarm_or_a_run_cannot_use(self):
        for seconds in (120, 330, 86460):
            with self.subTest(interval=seconds):
                with self.assertRaises(hb.HeartbeatError) as raised:
                    hb.timing(seconds)
                self.assertEqual(
                    str(raised.exception),
                    f"heartbeat: AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS = {seconds} must be a multiple of 60 from 180 to 86400 "
                    "(the alarm period equals it; a run needs up to 135 s)",
                )


class ProbeTest(unittest.TestCase):
    def test_database_probe_selects_one_through_the_result_backend_url(self):
        # GIVEN the worker's result-backend URL WHEN probing THEN SELECT 1 runs on the plain SQLAlchemy URL
        urls = []
        message = hb.probe_metadata_db("db+postgresql://u:p%40@db:5432/airflow?sslmode=require", lambda url: urls.append(url) or 1)
        self.assertEqual(urls, ["postgresql://u:p%40@db:5432/airflow?sslmode=require"])
        self.assertEqual(message, "metadata database answered SELECT 1")
        with self.assertRaises(hb.HeartbeatError):
            hb.probe_metadata_db("db+postgresql://db/airflow", lambda url: 0)
        with self.assertRaises(hb.HeartbeatError):
            hb.probe_metadata_db("redis://broker", lambda url: 1)

    def test_broker_probe_pings_with_timeouts_and_closes(self):
        # GIVEN a Redis client WHEN probing THEN it is built from the broker URL with timeouts, pinged and closed
        events = []

        class Client:
            def ping(self):
                events.append("ping")
                return True

            def close(self):
                events.append("close")

        def from_url(url, **kwargs):
            events.append((url, kwargs))
            return Client()

        hb.probe_broker("rediss://:t@r:6379/0?ssl_cert_reqs=required", from_url)
        self.assertEqual(events, [("rediss://:t@r:6379/0?ssl_cert_reqs=required", {"socket_connect_timeout": 10, "socket_timeout": 10}), "ping", "close"])

    def test_bucket_probe_writes_reads_and_deletes_under_the_probe_prefix(self):
        # GIVEN a bucket WHEN probing THEN one object under heartbeat/<env>/ is written, read back and deleted
        s3 = FakeS3()
        hb.probe_task_log_bucket(s3, "logs-bucket", "dev")
        self.assertEqual([call[0] for call in s3.calls], ["put", "get", "delete"])
        keys = {call[2] for call in s3.calls}
        self.assertEqual(len(keys), 1)
        self.assertTrue(keys.pop().startswith("heartbeat/dev/"))
        self.assertEqual(s3.objects, {})

    def test_bucket_probe_fails_when_the_object_reads_back_differently_and_still_deletes_it(self):
        s3 = FakeS3(corrupt=True)
        with self.assertRaises(hb.HeartbeatError):
            hb.probe_task_log_bucket(s3, "logs-bucket", "dev")
        self.assertEqual(s3.objects, {})

    def test_dags_folder_probe_lists_a_mounted_folder(self):
        with tempfile.TemporaryDirectory() as folder:
            open(os.path.join(folder, "a.py"), "w").close()
            self.assertEqual(hb.probe_dags_folder(folder, ismount=lambda path: True), f"{folder} lists 1 entries")
            # GIVEN the same folder not mounted THEN the probe fails: the image's empty directory proves nothing
            with self.assertRaises(hb.HeartbeatError) as raised:
                hb.probe_dags_folder(folder, ismount=lambda path: False)
            self.assertEqual(str(raised.exception), f"heartbeat: {folder} is not a mount point; the EFS DAG volume is not mounted")

    def test_dags_folder_probe_gives_up_on_a_hung_file_system(self):
        # GIVEN a listing that never returns (a hung NFS mount)
        release = threading.Event()
        with self.assertRaises(hb.HeartbeatError) as raised:
            hb.probe_dags_folder("/opt/airflow/dags", timeout=0.2, ismount=lambda path: True, listdir=lambda path: release.wait(5) and [])
        release.set()
        # THEN the probe fails after its timeout instead of hanging the task
        self.assertEqual(str(raised.exception), "heartbeat: listing /opt/airflow/dags did not finish within 0.2 s (EFS unreachable?)")

    def test_secret_probe_needs_a_value_and_never_returns_it(self):
        message = hb.probe_secret("heartbeat_probe", lambda name: "value-from-secrets-manager")
        self.assertNotIn("value-from-secrets-manager", message)
        with self.assertRaises(hb.HeartbeatError):
            hb.probe_secret("heartbeat_probe", lambda name: "")

    def test_region_from_the_environment_or_the_task_arn(self):
        self.assertEqual(hb.aws_region({"AWS_REGION": "eu-west-1"}), "eu-west-1")
        self.assertEqual(hb.aws_region({}, metadata=lambda: {"TaskARN": "arn:aws:ecs:eu-central-1:111111111111:task/c/abc"}), "eu-central-1")
        with self.assertRaises(hb.HeartbeatError):
            hb.aws_region({}, metadata=lambda: None)


if __name__ == "__main__":
    unittest.main()
