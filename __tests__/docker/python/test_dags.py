"""The image's DAG files and Celery configuration, executed against the stand-ins of airflow_stub (no Airflow)."""

import os
import ssl
import unittest
from datetime import timedelta
from unittest import mock

import airflow_stub

DAGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docker", "dags")
PROBES = {"probe_metadata_db", "probe_broker", "probe_task_log_bucket", "probe_dags_folder", "probe_secrets_backend"}


class HeartbeatDagTest(unittest.TestCase):
    def setUp(self):
        airflow_stub.install_airflow_sdk()

    def tearDown(self):
        airflow_stub.uninstall()

    def load(self, env):
        """Parses the DAG file with ``env`` added to the environment; returns the one DAG it defines."""
        with mock.patch.dict(os.environ, env):
            airflow_stub.load_file(os.path.join(DAGS, "airflow_ecs_heartbeat.py"), "heartbeat_dag_under_test")
        self.assertEqual(len(airflow_stub.DAG.instances), 1)
        return airflow_stub.DAG.instances[0]

    def test_schedule_and_limits_follow_the_interval(self):
        # GIVEN the 5-minute interval WHEN the DAG file is parsed
        dag = self.load({"AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS": "300"})
        # THEN it runs every 300 s, one run at a time, no catch-up, each run failed after 240 s, active from creation
        self.assertEqual(dag.kwargs["dag_id"], "airflow_ecs_heartbeat")
        self.assertEqual(dag.kwargs["schedule"], timedelta(seconds=300))
        self.assertEqual(
            {key: dag.kwargs[key] for key in ("catchup", "max_active_runs", "dagrun_timeout", "is_paused_upon_creation")},
            {"catchup": False, "max_active_runs": 1, "dagrun_timeout": timedelta(seconds=240), "is_paused_upon_creation": False},
        )
        # AND five parallel probes feed the publishing task
        self.assertEqual(set(dag.tasks), PROBES | {"publish_heartbeat"})
        self.assertEqual(dag.tasks["publish_heartbeat"].upstream, PROBES)
        self.assertTrue(all(not dag.tasks[probe].upstream for probe in PROBES))
        # AND every task runs on the default queue with a 30 s timeout and one retry after 10 s
        for task in dag.tasks.values():
            self.assertEqual(
                {key: task.kwargs[key] for key in ("queue", "execution_timeout", "retries", "retry_delay")},
                {"queue": "default", "execution_timeout": timedelta(seconds=30), "retries": 1, "retry_delay": timedelta(seconds=10)},
                task.task_id,
            )

    def test_missing_interval_fails_the_file(self):
        # GIVEN no interval in the dag-processor's environment WHEN the file is parsed THEN it fails naming the variable
        from airflow_ecs.heartbeat import HeartbeatError

        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaises(HeartbeatError) as raised:
                airflow_stub.load_file(os.path.join(DAGS, "airflow_ecs_heartbeat.py"), "heartbeat_dag_without_interval")
        self.assertEqual(str(raised.exception), "heartbeat: required environment variable(s) not set: AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS")
        self.assertEqual(airflow_stub.DAG.instances, [])

    def test_secret_probe_reads_the_variable_named_by_the_environment(self):
        # GIVEN the probe Variable's name in the environment and its value in the secrets backend
        airflow_stub.Variable.values, airflow_stub.Variable.requested = {"heartbeat_probe": "x"}, []
        env = {"AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS": "300", "AIRFLOW_ECS_HEARTBEAT_PROBE_VARIABLE": "heartbeat_probe"}
        dag = self.load(env)
        # WHEN the probe task runs THEN it asks Airflow for exactly that Variable
        with mock.patch.dict(os.environ, env):
            dag.tasks["probe_secrets_backend"].function()
        self.assertEqual(airflow_stub.Variable.requested, ["heartbeat_probe"])

    def test_publish_fails_without_its_configuration(self):
        # GIVEN a worker missing the metric's namespace WHEN the publishing task runs THEN it raises naming it
        from airflow_ecs.heartbeat import HeartbeatError

        dag = self.load({"AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS": "300"})
        env = {"AIRFLOW_ECS_HEARTBEAT_INTERVAL_SECONDS": "300", "AIRFLOW_ECS_HEARTBEAT_METRIC": "M", "AIRFLOW_ECS_ENVIRONMENT": "dev"}
        with mock.patch.dict(os.environ, env, clear=True):
            with self.assertRaises(HeartbeatError) as raised:
                dag.tasks["publish_heartbeat"].function()
        self.assertEqual(str(raised.exception), "heartbeat: required environment variable(s) not set: AIRFLOW_ECS_HEARTBEAT_NAMESPACE")


class ExampleQueuesDagTest(unittest.TestCase):
    def setUp(self):
        airflow_stub.install_airflow_sdk()

    def tearDown(self):
        airflow_stub.uninstall()

    def test_routes_tasks_to_the_default_and_heavy_queues(self):
        # WHEN the example file is parsed
        airflow_stub.load_file(os.path.join(DAGS, "airflow_ecs_example_queues.py"), "example_queues_under_test")
        [dag] = airflow_stub.DAG.instances
        # THEN it is a manually triggered DAG whose tasks go to each pool's queue, the report after both
        self.assertEqual((dag.kwargs["dag_id"], dag.kwargs["schedule"]), ("airflow_ecs_example_queues", None))
        self.assertEqual(
            {task_id: task.kwargs["queue"] for task_id, task in dag.tasks.items()},
            {"small_task_on_default": "default", "large_task_on_heavy": "heavy", "report_on_default": "default"},
        )
        self.assertEqual(dag.tasks["report_on_default"].upstream, {"small_task_on_default", "large_task_on_heavy"})


class CeleryConfigTest(unittest.TestCase):
    def tearDown(self):
        airflow_stub.uninstall()

    def test_tls_broker_gets_certificate_verification_and_signals_are_connected(self):
        # GIVEN Airflow's defaults with a rediss:// broker WHEN the configuration module is imported
        signals = airflow_stub.install_celery({"broker_url": "rediss://:t@r:6379/0?ssl_cert_reqs=required", "worker_concurrency": 16})
        from airflow_ecs import celery_config, task_protection

        # THEN Airflow's defaults are kept, TLS verification is required, and both task signals reach the protection
        self.assertEqual(celery_config.CELERY_CONFIG["worker_concurrency"], 16)
        self.assertEqual(celery_config.CELERY_CONFIG["broker_use_ssl"], {"ssl_cert_reqs": ssl.CERT_REQUIRED})
        self.assertEqual([receiver for receiver, _ in signals.task_prerun.receivers], [task_protection.on_task_prerun])
        self.assertEqual([receiver for receiver, _ in signals.task_postrun.receivers], [task_protection.on_task_postrun])

    def test_plain_broker_and_explicit_tls_settings_are_left_alone(self):
        airflow_stub.install_celery({"broker_url": "redis://redis:6379/0"})
        from airflow_ecs import celery_config

        self.assertNotIn("broker_use_ssl", celery_config.CELERY_CONFIG)
        airflow_stub.uninstall()
        explicit = {"ssl_cert_reqs": ssl.CERT_OPTIONAL}
        airflow_stub.install_celery({"broker_url": "rediss://r:6379/0", "broker_use_ssl": explicit})
        from airflow_ecs import celery_config as reloaded

        self.assertEqual(reloaded.CELERY_CONFIG["broker_use_ssl"], explicit)


if __name__ == "__main__":
    unittest.main()
