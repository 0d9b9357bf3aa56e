"""Unit tests of airflow_ecs.hostname (the hostname_callable) against a local stand-in of the task metadata endpoint."""

import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

from airflow_ecs import ecs_metadata, hostname

# Shape of ${ECS_CONTAINER_METADATA_URI_V4}/task for an awsvpc task (trimmed).
TASK_METADATA = {
    "Cluster": "arn:aws:ecs:eu-west-1:111111111111:cluster/airflow-dev-cluster",
    "TaskARN": "arn:aws:ecs:eu-west-1:111111111111:task/airflow-dev-cluster/0123456789abcdef",
    "AvailabilityZone": "eu-west-1b",
    "Containers": [
        {"Name": "statsd-exporter", "Networks": [{"NetworkMode": "awsvpc", "IPv4Addresses": ["10.10.34.7"]}]},
        {"Name": "worker", "Networks": [{"NetworkMode": "awsvpc", "IPv4Addresses": ["10.10.34.7"]}]},
    ],
}


class MetadataServer:
    """Serves TASK_METADATA at /v4/<id>/task; records the paths asked for."""

    def __init__(self):
        paths = self.paths = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                paths.append(self.path)
                body = json.dumps(TASK_METADATA).encode()
                self.send_response(200 if self.path == "/v4/abc-123/task" else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}/v4/abc-123"

    def __exit__(self, *_):
        self.server.shutdown()
        self.server.server_close()


class HostnameTest(unittest.TestCase):
    def test_returns_the_task_ip_from_the_metadata_endpoint(self):
        # GIVEN an ECS task's metadata endpoint
        server = MetadataServer()
        with server as uri:
            # WHEN Airflow asks for the hostname
            address = hostname.resolve_address({"ECS_CONTAINER_METADATA_URI_V4": uri}, fallback=lambda: self.fail("fell back"))
        # THEN it is the task's private IPv4 address, read from <uri>/task
        self.assertEqual(address, "10.10.34.7")
        self.assertEqual(server.paths, ["/v4/abc-123/task"])

    def test_falls_back_to_the_host_ip_outside_ecs(self):
        # GIVEN no metadata endpoint (docker run, tests) THEN get_host_ip_address's answer is used
        self.assertEqual(hostname.resolve_address({}, fallback=lambda: "172.17.0.2"), "172.17.0.2")

    def test_retries_a_failing_endpoint_then_falls_back(self):
        # GIVEN an endpoint that keeps failing
        attempts, pauses = [], []

        def failing_fetch(url):
            attempts.append(url)
            raise OSError("connection refused")

        # WHEN resolving THEN three attempts, two pauses, then the fallback
        address = hostname.resolve_address(
            {"ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/x"}, fetch=failing_fetch, fallback=lambda: "10.0.0.9", sleep=pauses.append
        )
        self.assertEqual((address, attempts, pauses), ("10.0.0.9", ["http://169.254.170.2/v4/x/task"] * 3, [0.5, 0.5]))

    def test_container_metadata_and_missing_addresses(self):
        self.assertEqual(ecs_metadata.ipv4_address({"Networks": [{"IPv4Addresses": ["10.1.2.3"]}]}), "10.1.2.3")
        self.assertIsNone(ecs_metadata.ipv4_address({"Containers": [{"Networks": [{"NetworkMode": "bridge"}]}]}))
        self.assertIsNone(ecs_metadata.ipv4_address(None))
        self.assertEqual(ecs_metadata.region(TASK_METADATA), "eu-west-1")

    def test_airflow_local_settings_exposes_the_callable_and_only_the_policy(self):
        # GIVEN the module Airflow imports at start-up and copies public names from into airflow.settings
        import airflow_local_settings

        # THEN AIRFLOW__CORE__HOSTNAME_CALLABLE=airflow_local_settings.ecs_task_ip resolves to the callable,
        # and the only public name is the cluster policy (registered as a policy, never copied over airflow.settings)
        self.assertIs(airflow_local_settings.ecs_task_ip, hostname.ecs_task_address)
        self.assertEqual(airflow_local_settings.__all__, ["task_policy"])

    def test_the_callable_caches_its_answer(self):
        # GIVEN a first answer WHEN Airflow calls the callable again THEN the cached address comes back
        hostname._address = "10.9.8.7"
        try:
            self.assertEqual(hostname.ecs_task_address(), "10.9.8.7")
        finally:
            hostname._address = None


if __name__ == "__main__":
    unittest.main()
