"""Unit tests of airflow_ecs.dag_sync: the atomic switch of an EFS bundle to an uploaded release.

Run by __tests__/docker/python.test.ts with PYTHONPATH=docker/config; no boto3 needed: real tar.gz archives are
built in temporary folders and served by an injected fake S3 client.
"""

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import unittest
from unittest import mock

from airflow_ecs import dag_sync as ds

BUCKET = "airflow-dev-dags"
BUNDLE = "team-a"


class FakeClientError(Exception):
    """Shaped like botocore's ClientError."""

    def __init__(self, code):
        super().__init__(f"An error occurred ({code}) when calling the operation")
        self.response = {"Error": {"Code": code, "Message": code}}


class FakeS3:
    """Objects keyed by (bucket, key), each with its bytes and user metadata; records every call."""

    def __init__(self, error_code=None):
        self.objects, self.calls, self.error_code = {}, [], error_code

    def put(self, key, data, sha256=None):
        self.objects[(BUCKET, key)] = (data, {"sha256": sha256 or hashlib.sha256(data).hexdigest()})

    def _lookup(self, bucket, key):
        if self.error_code:
            raise FakeClientError(self.error_code)
        if (bucket, key) not in self.objects:
            raise FakeClientError("NoSuchKey")
        return self.objects[(bucket, key)]

    def head_object(self, Bucket, Key):
        self.calls.append(("head_object", Key))
        data, metadata = self._lookup(Bucket, Key)
        return {"ContentLength": len(data), "Metadata": dict(metadata)}

    def get_object(self, Bucket, Key):
        self.calls.append(("get_object", Key))
        data, metadata = self._lookup(Bucket, Key)
        return {"ContentLength": len(data), "Metadata": dict(metadata), "Body": io.BytesIO(data)}


def archive(entries):
    """A gzip tar built with tarfile. Entries: ("file", name, text, mode), ("dir", name, mode), ("symlink", name,
    target), ("hardlink", name, target), ("device", name), ("fifo", name)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for kind, name, *rest in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            content = None
            if kind == "file":
                content = rest[0].encode("utf-8")
                info.size, info.mode = len(content), rest[1]
            elif kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, rest[0]
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, rest[0]
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, rest[0]
            elif kind == "device":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def dags(label):
    """A typical release: a DAG file, a helper module and a folder."""
    return archive([
        ("dir", "dags", 0o755),
        ("file", "dags/etl.py", f"# {label}\n", 0o644),
        ("file", "dags/lib/helpers.py", "VALUE = 1\n", 0o644),
    ])


class DagSyncTestCase(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="dag-sync-test-")
        self.root = os.path.join(self.folder, "efs")
        os.mkdir(self.root)
        # The downloads' scratch folder (the task's /tmp), to prove nothing stays behind there either.
        self.scratch = os.path.join(self.folder, "tmp")
        os.mkdir(self.scratch)
        patcher = mock.patch.object(tempfile, "tempdir", self.scratch)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.s3 = FakeS3()
        self.bundle = os.path.join(self.root, BUNDLE)

    def tearDown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    def env(self, version, **overrides):
        env = {
            "AIRFLOW_ECS_DAG_BUCKET": BUCKET,
            "AIRFLOW_ECS_DAG_RELEASES_PREFIX": "releases",
            "AIRFLOW_ECS_DAG_SYNC_ROOT": self.root,
            "AIRFLOW_ECS_DAG_SYNC_BUNDLES": json.dumps([BUNDLE, "team-b"]),
            "AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES": "2",
            "AIRFLOW_ECS_DAG_SYNC_BUNDLE": BUNDLE,
            "AIRFLOW_ECS_DAG_SYNC_VERSION": version,
        }
        env.update(overrides)
        return {name: value for name, value in env.items() if value is not None}

    def upload(self, version, data, sha256=None):
        self.s3.put(f"releases/{BUNDLE}/{version}.tar.gz", data, sha256)

    def run_sync(self, version, s3=None, **overrides):
        """main() with the fake client; returns (exit status, stdout, stderr)."""
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = ds.main([], self.env(version, **overrides), s3_client=s3 or self.s3)
        return status, stdout.getvalue(), stderr.getvalue()

    def deploy(self, version, data=None):
        """Uploads and syncs a version that must succeed; returns the JSON summary."""
        self.upload(version, data or dags(version))
        status, stdout, stderr = self.run_sync(version)
        self.assertEqual(status, 0, stderr)
        return json.loads(stdout)

    def current(self):
        return os.readlink(os.path.join(self.bundle, "current"))

    def releases(self):
        return sorted(os.listdir(os.path.join(self.bundle, "releases")))

    def assert_nothing_left_behind(self):
        self.assertEqual([name for name in os.listdir(self.bundle) if name.startswith("current.tmp-")], [])
        if os.path.isdir(os.path.join(self.bundle, "releases")):
            self.assertEqual([name for name in self.releases() if name.startswith(".incoming-")], [])
        self.assertEqual(os.listdir(self.scratch), [])


class SwitchTest(DagSyncTestCase):
    def test_first_deploy_creates_the_layout_and_a_relative_current_symlink(self):
        # GIVEN an empty DAG file system and an uploaded release
        # WHEN the first version is synced
        summary = self.deploy("2024.06.01-1")
        # THEN the bundle has releases/<version> with the files and a marker, and current -> releases/<version>
        self.assertEqual(self.current(), "releases/2024.06.01-1")
        self.assertEqual(self.releases(), ["2024.06.01-1"])
        with open(os.path.join(self.bundle, "current", "dags", "etl.py"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "# 2024.06.01-1\n")
        marker = ds.read_marker(os.path.join(self.bundle, "releases", "2024.06.01-1"))
        self.assertEqual({key: marker[key] for key in ("version", "sha256", "files")}, {
            "version": "2024.06.01-1",
            "sha256": hashlib.sha256(self.s3.objects[(BUCKET, "releases/team-a/2024.06.01-1.tar.gz")][0]).hexdigest(),
            "files": 2,
        })
        self.assertIn("deployed_at", marker)
        # AND the summary says what happened
        self.assertEqual(summary, {"bundle": BUNDLE, "version": "2024.06.01-1", "release": os.path.join(self.bundle, "releases", "2024.06.01-1"), "previous": None, "pruned": [], "files": 2})
        self.assert_nothing_left_behind()

    def test_the_relative_symlink_resolves_where_the_file_system_is_mounted_elsewhere(self):
        # GIVEN a synced bundle WHEN the file system is seen at another mount path (a component's mount)
        self.deploy("v1")
        elsewhere = os.path.join(self.folder, "component-mount")
        shutil.move(self.root, elsewhere)
        # THEN current still resolves to the release
        self.assertTrue(os.path.isfile(os.path.join(elsewhere, BUNDLE, "current", "dags", "etl.py")))

    def test_second_version_switches_and_the_previous_release_stays(self):
        # GIVEN v1 is current
        self.deploy("v1")
        # WHEN v2 is synced
        summary = self.deploy("v2")
        # THEN current -> releases/v2, v1 is still there, and the summary names v1 as previous
        self.assertEqual(self.current(), "releases/v2")
        self.assertEqual(self.releases(), ["v1", "v2"])
        self.assertEqual((summary["version"], summary["previous"], summary["pruned"]), ("v2", "v1", []))
        with open(os.path.join(self.bundle, "current", "dags", "etl.py"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "# v2\n")
        self.assert_nothing_left_behind()

    def test_redeploying_an_existing_version_with_the_same_sha256_switches_without_downloading(self):
        # GIVEN v1 and v2 deployed, v2 current
        self.deploy("v1")
        self.deploy("v2")
        self.s3.calls.clear()
        # WHEN v1 is synced again (a rollback)
        status, stdout, stderr = self.run_sync("v1")
        # THEN current -> releases/v1 again, only the object's metadata was read, nothing downloaded
        self.assertEqual(status, 0, stderr)
        self.assertEqual(self.current(), "releases/v1")
        self.assertEqual(self.s3.calls, [("head_object", "releases/team-a/v1.tar.gz")])
        self.assertIn("already exists with the same SHA-256: switching without downloading", stderr)
        self.assertEqual(json.loads(stdout), {"bundle": BUNDLE, "version": "v1", "release": os.path.join(self.bundle, "releases", "v1"), "previous": "v2", "pruned": [], "files": 2})
        self.assert_nothing_left_behind()

    def test_a_different_sha256_for_an_existing_version_is_refused(self):
        # GIVEN v1 deployed, then a different archive uploaded under the same version
        self.deploy("v1")
        self.upload("v1", dags("changed"))
        # WHEN v1 is synced
        status, stdout, stderr = self.run_sync("v1")
        # THEN 65 (versions are immutable), current and the release unchanged
        self.assertEqual(status, 65)
        self.assertEqual(stdout, "")
        self.assertIn("release v1 of bundle team-a already exists with SHA-256", stderr)
        self.assertIn("versions are immutable", stderr)
        self.assertEqual(self.current(), "releases/v1")
        with open(os.path.join(self.bundle, "current", "dags", "etl.py"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "# v1\n")
        self.assert_nothing_left_behind()

    def test_a_checksum_mismatch_is_refused_and_nothing_is_switched(self):
        # GIVEN v1 current and v2 uploaded with metadata that does not match its bytes
        self.deploy("v1")
        self.upload("v2", dags("v2"), sha256="0" * 64)
        # WHEN v2 is synced
        status, stdout, stderr = self.run_sync("v2")
        # THEN 65 naming the object and both checksums; current unchanged; no v2 folder, no leftovers
        self.assertEqual(status, 65)
        self.assertEqual(stdout, "")
        self.assertIn("s3://airflow-dev-dags/releases/team-a/v2.tar.gz: SHA-256 of the downloaded archive is", stderr)
        self.assertIn("0" * 64, stderr)
        self.assertEqual(self.current(), "releases/v1")
        self.assertEqual(self.releases(), ["v1"])
        self.assert_nothing_left_behind()

    def test_missing_or_malformed_sha256_metadata_is_refused(self):
        # GIVEN an object without usable sha256 metadata WHEN synced THEN 65 naming the metadata
        self.upload("v1", dags("v1"), sha256="not-a-checksum")
        status, _, stderr = self.run_sync("v1")
        self.assertEqual(status, 65)
        self.assertIn("has no valid 'sha256' object metadata", stderr)
        self.assert_nothing_left_behind()

    def test_a_missing_release_object_exits_66_naming_the_url(self):
        # GIVEN nothing uploaded WHEN synced
        status, stdout, stderr = self.run_sync("v9")
        # THEN 66 naming the s3:// URL and what must happen first
        self.assertEqual((status, stdout), (66, ""))
        self.assertIn("s3://airflow-dev-dags/releases/team-a/v9.tar.gz does not exist: deploy-dags must upload the release archive", stderr)
        self.assert_nothing_left_behind()

    def test_access_denied_exits_1_with_the_error(self):
        # GIVEN a role that may not read the object WHEN synced
        status, _, stderr = self.run_sync("v1", s3=FakeS3(error_code="AccessDenied"))
        # THEN 1, with the error and the permissions it needs
        self.assertEqual(status, 1)
        self.assertIn("downloading s3://airflow-dev-dags/releases/team-a/v1.tar.gz was denied (An error occurred (AccessDenied)", stderr)
        self.assertIn("s3:GetObject", stderr)

    def test_a_current_that_is_not_a_symlink_is_not_replaced(self):
        # GIVEN a real folder named current (hand-made) WHEN synced THEN 1 and the folder is untouched
        os.makedirs(os.path.join(self.bundle, "current"))
        self.upload("v1", dags("v1"))
        status, _, stderr = self.run_sync("v1")
        self.assertEqual(status, 1)
        self.assertIn("exists but is not a symlink", stderr)
        self.assertTrue(os.path.isdir(os.path.join(self.bundle, "current")) and not os.path.islink(os.path.join(self.bundle, "current")))

    def test_a_concurrent_run_of_the_same_bundle_is_waited_for(self):
        # GIVEN another run holding the bundle's lock (and no time to wait)
        self.deploy("v1")
        self.upload("v2", dags("v2"))
        with open(os.path.join(self.bundle, ds.LOCK_FILE), "a", encoding="utf-8") as lock, mock.patch.object(ds, "LOCK_TIMEOUT_SECONDS", 0):
            fcntl.flock(lock, fcntl.LOCK_EX)
            # WHEN v2 is synced
            status, _, stderr = self.run_sync("v2")
        # THEN it gives up with 1 and switched nothing
        self.assertEqual(status, 1)
        self.assertIn("another sync of bundle team-a still holds", stderr)
        self.assertEqual(self.current(), "releases/v1")


class ArchiveSafetyTest(DagSyncTestCase):
    UNSAFE = {
        "parent directory": ([("file", "dags/../../escape.py", "x", 0o644)], "has a '..' component"),
        "absolute name": ([("file", "/etc/cron.d/escape", "x", 0o644)], "has an absolute name"),
        "symlink": ([("symlink", "dags/link", "/etc/passwd")], "is a symlink (to '/etc/passwd')"),
        "hard link": ([("file", "dags/a.py", "x", 0o644), ("hardlink", "dags/b.py", "dags/a.py")], "is a hard link (to 'dags/a.py')"),
        "device": ([("device", "dags/null")], "is a device"),
        "fifo": ([("fifo", "dags/pipe")], "is a fifo"),
    }

    def test_every_unsafe_member_kind_is_refused_and_nothing_is_left(self):
        # GIVEN v1 current
        self.deploy("v1")
        for index, (label, (entries, message)) in enumerate(self.UNSAFE.items()):
            with self.subTest(label):
                # AND an archive holding one unsafe member among ordinary files
                version = f"bad{index}"
                self.upload(version, archive([("file", "dags/ok.py", "x", 0o644), *entries]))
                # WHEN synced
                status, stdout, stderr = self.run_sync(version)
                # THEN 65 naming the member, current unchanged, nothing extracted or left behind
                self.assertEqual((status, stdout), (65, ""))
                self.assertIn(message, stderr)
                self.assertEqual(self.current(), "releases/v1")
                self.assertEqual(self.releases(), ["v1"])
                self.assert_nothing_left_behind()
        self.assertFalse(os.path.exists(os.path.join(self.folder, "escape.py")))

    def test_limits_on_members_and_uncompressed_size(self):
        # GIVEN an archive of three files
        self.upload("v1", archive([("file", f"dags/{n}.py", "0123456789", 0o644) for n in range(3)]))
        # WHEN at most two members are allowed THEN 65 naming the limit
        with mock.patch.object(ds, "MAX_MEMBERS", 2):
            status, _, stderr = self.run_sync("v1")
        self.assertEqual(status, 65)
        self.assertIn("the archive has more than 2 members", stderr)
        # WHEN at most 25 bytes are allowed THEN 65 naming the limit
        with mock.patch.object(ds, "MAX_UNCOMPRESSED_BYTES", 25):
            status, _, stderr = self.run_sync("v1")
        self.assertEqual(status, 65)
        self.assertIn("the archive holds more than 25 bytes uncompressed", stderr)
        self.assertFalse(os.path.lexists(os.path.join(self.bundle, "current")))
        self.assert_nothing_left_behind()

    def test_archives_that_are_not_gzip_tar_or_hold_nothing_are_refused(self):
        cases = {
            "not gzip": (b"plain text, not an archive", "not a valid gzip-compressed tar archive"),
            "truncated": (dags("v1")[:40], "not a valid gzip-compressed tar archive"),
            "empty": (archive([("dir", "dags", 0o755)]), "contains no files"),
            "marker name": (archive([("file", "./.airflow-ecs-release.json", "{}", 0o644)]), "uses the name of the release marker"),
            "file and folder": (archive([("file", "dags", "x", 0o644), ("file", "dags/a.py", "x", 0o644)]), "'dags' is both a file and a directory"),
            "duplicate": (archive([("file", "a.py", "x", 0o644), ("file", "./a.py", "y", 0o644)]), "appears twice"),
        }
        for index, (label, (data, message)) in enumerate(cases.items()):
            with self.subTest(label):
                # GIVEN such an archive WHEN synced THEN 65 with the reason
                self.upload(f"v{index}", data)
                status, _, stderr = self.run_sync(f"v{index}")
                self.assertEqual(status, 65)
                self.assertIn(message, stderr)
                self.assert_nothing_left_behind()

    def test_files_take_the_deploy_time_not_the_archive_timestamp(self):
        # GIVEN an archive whose members carry the fixed timestamp of reproducible archives
        self.upload("v1", archive([("file", "./dags/a.py", "x", 0o644)]))
        before = time.time()
        # WHEN synced
        status, _, stderr = self.run_sync("v1")
        self.assertEqual(status, 0, stderr)
        # THEN the extracted file is dated at the deploy (Airflow parses recently modified files first)
        mtime = os.stat(os.path.join(self.bundle, "releases", "v1", "dags", "a.py")).st_mtime
        self.assertGreaterEqual(mtime, before - 1)

    def test_modes_are_normalized(self):
        # GIVEN members with setuid, group/other write, private and partly executable modes, and an implied folder
        self.upload("v1", archive([
            ("dir", "./", 0o700),
            ("dir", "./dags", 0o777),
            ("file", "./dags/setuid.sh", "x", 0o4775),
            ("file", "./dags/private.py", "x", 0o600),
            ("file", "./dags/world-writable.py", "x", 0o666),
            ("file", "./dags/group-exec.sh", "x", 0o654),
            ("file", "./implied/deep/file.py", "x", 0o640),
        ]))
        # WHEN synced
        status, _, stderr = self.run_sync("v1")
        self.assertEqual(status, 0, stderr)
        # THEN folders are 0755, files 0755 when any execute bit was set, else 0644
        release = os.path.join(self.bundle, "releases", "v1")
        modes = {}
        for folder, subfolders, files in os.walk(release):
            for name in subfolders + files:
                path = os.path.join(folder, name)
                modes[os.path.relpath(path, release)] = oct(os.lstat(path).st_mode & 0o7777)
        self.assertEqual(modes, {
            ".airflow-ecs-release.json": "0o644",
            "dags": "0o755",
            "dags/setuid.sh": "0o755",
            "dags/private.py": "0o644",
            "dags/world-writable.py": "0o644",
            "dags/group-exec.sh": "0o755",
            "implied": "0o755",
            "implied/deep": "0o755",
            "implied/deep/file.py": "0o644",
        })
        self.assertEqual(oct(os.lstat(release).st_mode & 0o7777), "0o755")


class ConfigurationTest(DagSyncTestCase):
    def run_config_error(self, **overrides):
        status, stdout, stderr = self.run_sync(overrides.pop("version", "v1"), **overrides)
        self.assertEqual((status, stdout), (64, ""))
        self.assertEqual(self.s3.calls, [])
        self.assertFalse(os.path.exists(self.bundle))
        return stderr

    def test_a_bundle_outside_the_allowed_list_is_refused(self):
        # GIVEN a bundle that is not one of the environment's EFS bundles WHEN synced THEN 64 naming the list
        stderr = self.run_config_error(AIRFLOW_ECS_DAG_SYNC_BUNDLE="team-z")
        self.assertIn("AIRFLOW_ECS_DAG_SYNC_BUNDLE = 'team-z' is not an EFS bundle of this environment; AIRFLOW_ECS_DAG_SYNC_BUNDLES allows team-a, team-b", stderr)

    def test_malformed_bundle_names_are_refused(self):
        for bundle in ("Team-A", "../etc", "a/b", "1abc"):
            with self.subTest(bundle):
                stderr = self.run_config_error(AIRFLOW_ECS_DAG_SYNC_BUNDLE=bundle)
                self.assertIn(f"AIRFLOW_ECS_DAG_SYNC_BUNDLE = {bundle!r} is not an EFS bundle name matching ^[a-z][a-z0-9-]*$", stderr)

    def test_bad_versions_are_refused(self):
        # GIVEN versions that could escape the releases folder, start with a separator or are too long
        for version in ("../v1", "v1/x", ".hidden", "-v1", "v" * 65, "v 1"):
            with self.subTest(version):
                # WHEN synced THEN 64 naming the variable and the pattern
                stderr = self.run_config_error(version=version)
                self.assertIn(f"AIRFLOW_ECS_DAG_SYNC_VERSION = {version!r} is not a release version matching {ds.VERSION_PATTERN}", stderr)

    def test_each_missing_variable_is_named(self):
        for name in ("AIRFLOW_ECS_DAG_BUCKET", "AIRFLOW_ECS_DAG_RELEASES_PREFIX", "AIRFLOW_ECS_DAG_SYNC_ROOT", "AIRFLOW_ECS_DAG_SYNC_BUNDLES",
                     "AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES", "AIRFLOW_ECS_DAG_SYNC_BUNDLE", "AIRFLOW_ECS_DAG_SYNC_VERSION"):
            with self.subTest(name):
                # GIVEN the variable unset WHEN synced THEN 64 naming it
                stderr = self.run_config_error(**{name: None})
                self.assertIn(f"airflow-ecs-dag-sync: ERROR {name} is not set or empty", stderr)

    def test_invalid_values_are_named_with_what_is_allowed(self):
        cases = {
            "AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES": ("1", "is not a whole number >= 2"),
            "AIRFLOW_ECS_DAG_SYNC_BUNDLES": ('"team-a"', "is not a non-empty JSON list of bundle names"),
            "AIRFLOW_ECS_DAG_SYNC_ROOT": ("relative/path", "is not an absolute path"),
            "AIRFLOW_ECS_DAG_RELEASES_PREFIX": ("/releases/", "is not a key prefix without leading or trailing '/'"),
            "AIRFLOW_ECS_DAG_BUCKET": ("Not_A_Bucket", "is not an S3 bucket name"),
        }
        for name, (value, message) in cases.items():
            with self.subTest(name):
                stderr = self.run_config_error(**{name: value})
                self.assertIn(f"{name} = {value!r} {message}", stderr)
        # AND a root that does not exist (the file system is not mounted)
        stderr = self.run_config_error(AIRFLOW_ECS_DAG_SYNC_ROOT=os.path.join(self.folder, "missing"))
        self.assertIn("is not a directory (is the DAG file system mounted there?)", stderr)

    def test_arguments_are_a_usage_error(self):
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = ds.main(["team-a"], self.env("v1"), s3_client=self.s3)
        self.assertEqual(status, 64)
        self.assertIn("the sync task takes none", stderr.getvalue())

    def test_the_fake_s3_seam_reads_objects_and_metadata_from_a_folder(self):
        # GIVEN an object and its metadata file in the seam's folder (no client injected, no boto3)
        data = dags("v1")
        key = os.path.join(self.folder, "s3", BUCKET, "releases", BUNDLE, "v1.tar.gz")
        os.makedirs(os.path.dirname(key))
        with open(key, "wb") as handle:
            handle.write(data)
        with open(key + ".metadata.json", "w", encoding="utf-8") as handle:
            json.dump({"sha256": hashlib.sha256(data).hexdigest()}, handle)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = ds.main([], self.env("v1", _AIRFLOW_ECS_DAG_SYNC_FAKE_S3_DIR=os.path.join(self.folder, "s3")))
        # THEN the release is synced from it
        self.assertEqual(status, 0, stderr.getvalue())
        self.assertEqual(self.current(), "releases/v1")


class PruneTest(DagSyncTestCase):
    def test_sync_keeps_the_newest_releases_including_current_and_previous(self):
        # GIVEN KEEP=2 and v1, v2 deployed
        self.deploy("v1")
        self.deploy("v2")
        # WHEN v3 is deployed THEN v1 is pruned: v3 (current) and v2 (previous) remain
        self.assertEqual(self.deploy("v3")["pruned"], ["v1"])
        self.assertEqual(self.releases(), ["v2", "v3"])
        # WHEN rolling back to v2 THEN v3, current just before, stays
        status, stdout, _ = self.run_sync("v2")
        self.assertEqual((status, json.loads(stdout)["pruned"], json.loads(stdout)["previous"]), (0, [], "v3"))
        self.assertEqual(self.releases(), ["v2", "v3"])
        self.assertEqual(self.current(), "releases/v2")
        # WHEN v4 follows with KEEP=3 THEN nothing is pruned
        self.upload("v4", dags("v4"))
        status, stdout, _ = self.run_sync("v4", AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES="3")
        self.assertEqual((status, json.loads(stdout)["pruned"]), (0, []))
        self.assertEqual(self.releases(), ["v2", "v3", "v4"])

    def make_release(self, version, deployed_at=None, mtime=None):
        release = os.path.join(self.bundle, "releases", version)
        os.makedirs(release)
        if deployed_at is not None:
            ds.write_marker(release, {"version": version, "sha256": "0" * 64, "files": 1, "deployed_at": deployed_at})
        if mtime is not None:
            os.utime(release, (mtime, mtime))
        return release

    def test_protected_releases_count_towards_keep_before_newer_ones(self):
        # GIVEN four releases; a and b (the oldest) are current and previous; d has no marker but the newest mtime
        self.make_release("a", "2024-01-01T00:00:00+00:00")
        self.make_release("b", "2024-02-01T00:00:00+00:00")
        self.make_release("c", "2024-03-01T00:00:00+00:00")
        self.make_release("d", mtime=time.time())
        stderr = io.StringIO()
        # WHEN pruning to 3
        with contextlib.redirect_stderr(stderr):
            removed = ds.prune(ds.Bundle(self.root, BUNDLE), 3, ["a", "b"])
        # THEN a and b stay, then the newest other (d, by mtime): c goes
        self.assertEqual(removed, ["c"])
        self.assertEqual(self.releases(), ["a", "b", "d"])

    def test_stale_leftovers_of_interrupted_runs_are_removed(self):
        # GIVEN incoming folders and a temporary symlink from interrupted runs, one of each recent
        releases = os.path.join(self.bundle, "releases")
        os.makedirs(os.path.join(releases, ".incoming-v1-old/dags"))
        os.makedirs(os.path.join(releases, ".incoming-v2-recent"))
        os.symlink("releases/v1", os.path.join(self.bundle, "current.tmp-old"))
        hour_ago = time.time() - 3700
        os.utime(os.path.join(releases, ".incoming-v1-old"), (hour_ago, hour_ago))
        os.utime(os.path.join(self.bundle, "current.tmp-old"), (hour_ago, hour_ago), follow_symlinks=False)
        # WHEN a sync runs
        self.deploy("v3")
        # THEN the stale ones are gone, the recent one (maybe another run's work) stays
        self.assertEqual(self.releases(), [".incoming-v2-recent", "v3"])
        self.assertFalse(os.path.lexists(os.path.join(self.bundle, "current.tmp-old")))


if __name__ == "__main__":
    unittest.main()
