"""Unit tests of airflow_ecs.migration_record (what the migrate task writes to SSM) with a stand-in SSM client."""

import datetime
import json
import unittest

from airflow_ecs import migration_record as mr

NOW = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.timezone.utc)
PARAMETER = "/airflow/dev/airflow/migration-record"


class Ssm:
    """Stand-in of boto3's SSM client: records put_parameter calls, or raises `error`."""

    def __init__(self, error=None):
        self.calls, self.error = [], error

    def put_parameter(self, **kwargs):
        if self.error:
            raise self.error
        self.calls.append(kwargs)


class MigrationRecordTest(unittest.TestCase):
    def run_main(self, environ, client):
        return mr.main(environ=environ, make_client=lambda: client, now=lambda: NOW)

    def test_records_the_airflow_version_and_image_tag(self):
        # GIVEN the migrate task's variables (Airflow is not installed here: the image's AIRFLOW_VERSION is used)
        ssm = Ssm()
        environ = {mr.PARAMETER_ENV: PARAMETER, mr.IMAGE_TAG_ENV: "3.1.5-1", mr.IMAGE_AIRFLOW_VERSION_ENV: "3.1.5"}
        # WHEN it records
        self.assertEqual(self.run_main(environ, ssm), 0)
        # THEN the parameter holds the JSON record, overwritten in place
        self.assertEqual(len(ssm.calls), 1)
        call = ssm.calls[0]
        self.assertEqual({k: call[k] for k in ("Name", "Type", "Overwrite")}, {"Name": PARAMETER, "Type": "String", "Overwrite": True})
        self.assertEqual(json.loads(call["Value"]), {"airflowVersion": "3.1.5", "imageTag": "3.1.5-1", "migratedAt": "2026-01-15T09:30:00Z"})

    def test_an_unknown_image_tag_is_recorded_as_unknown(self):
        ssm = Ssm()
        self.run_main({mr.PARAMETER_ENV: PARAMETER, mr.IMAGE_AIRFLOW_VERSION_ENV: "3.1.5"}, ssm)
        self.assertEqual(json.loads(ssm.calls[0]["Value"])["imageTag"], "unknown")

    def test_records_nothing_without_the_parameter_variable(self):
        ssm = Ssm()
        with self.assertLogs("airflow_ecs.migration_record", level="WARNING") as logs:
            self.assertEqual(self.run_main({mr.IMAGE_AIRFLOW_VERSION_ENV: "3.1.5"}, ssm), 0)
        self.assertEqual(ssm.calls, [])
        self.assertIn("AIRFLOW_ECS_MIGRATION_RECORD_PARAMETER is not set", logs.output[0])

    def test_fails_with_70_when_ssm_refuses(self):
        ssm = Ssm(error=RuntimeError("AccessDeniedException: not authorized to perform ssm:PutParameter"))
        with self.assertLogs("airflow_ecs.migration_record", level="ERROR") as logs:
            self.assertEqual(self.run_main({mr.PARAMETER_ENV: PARAMETER, mr.IMAGE_AIRFLOW_VERSION_ENV: "3.1.5"}, ssm), 70)
        self.assertIn(f"could not record the migration in SSM parameter {PARAMETER}: RuntimeError: AccessDeniedException", logs.output[0])

    def test_fails_with_70_when_no_airflow_version_is_known(self):
        with self.assertLogs("airflow_ecs.migration_record", level="ERROR") as logs:
            self.assertEqual(self.run_main({mr.PARAMETER_ENV: PARAMETER}, Ssm()), 70)
        self.assertIn("apache-airflow is not installed and AIRFLOW_VERSION is not set", logs.output[0])


if __name__ == "__main__":
    unittest.main()
