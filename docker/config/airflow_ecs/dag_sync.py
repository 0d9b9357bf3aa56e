"""
The one-off DAG sync task: switches an EFS DAG bundle to a release uploaded by ``deploy-dags``, atomically.

``python -m airflow_ecs.dag_sync`` (the ECS command of the sync task; the DAG file system is mounted read-write at
AIRFLOW_ECS_DAG_SYNC_ROOT, the Airflow components mount it read-only) does, for bundle B and version V:

1. reads ``s3://<AIRFLOW_ECS_DAG_BUCKET>/<AIRFLOW_ECS_DAG_RELEASES_PREFIX>/B/V.tar.gz`` (object metadata
   ``sha256``: hex SHA-256 of the archive), streaming it to a temporary file and verifying the checksum;
2. checks every member (regular files and directories only, no absolute names or ``..``, bounded count and size)
   before anything is written, then extracts into ``B/releases/.incoming-V-<random>/`` with normalized modes and
   writes the marker ``.airflow-ecs-release.json`` last;
3. renames the folder to ``B/releases/V`` and switches ``B/current`` (a relative symlink ``releases/V``) by
   renaming a fresh symlink over it: rename(2) replaces it atomically, so a component resolving ``B/current``
   sees the old release or the new one, never a half-written folder;
4. prunes old releases, keeping AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES of them, always including the current release
   and the one ``current`` pointed to before (components may still be reading it: NFS clients cache the old
   symlink for up to a minute).

A version is immutable: redeploying one whose release folder exists with the same SHA-256 only switches (a fast
rollback, nothing is downloaded); a different SHA-256 is refused. On any failure nothing is switched and the
incoming folder is removed. A per-bundle lock serializes concurrent runs.

Exit status: 0 switched (one JSON summary line on stdout), 64 configuration error, 65 bad archive (checksum,
unsafe member, limits, immutable-version conflict), 66 release object not found, 1 anything else.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gzip
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, List, Mapping, Optional, Sequence, Tuple

# Environment (names of RUNTIME_ENV, runtime/airflow-image.ts) -----------------------------------------------

BUCKET_ENV = "AIRFLOW_ECS_DAG_BUCKET"
RELEASES_PREFIX_ENV = "AIRFLOW_ECS_DAG_RELEASES_PREFIX"
ROOT_ENV = "AIRFLOW_ECS_DAG_SYNC_ROOT"
BUNDLES_ENV = "AIRFLOW_ECS_DAG_SYNC_BUNDLES"
KEEP_RELEASES_ENV = "AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES"
BUNDLE_ENV = "AIRFLOW_ECS_DAG_SYNC_BUNDLE"
VERSION_ENV = "AIRFLOW_ECS_DAG_SYNC_VERSION"
#: Test seam: read objects from ``<dir>/<bucket>/<key>`` (metadata: ``<key>.metadata.json``) instead of S3.
FAKE_S3_DIR_ENV = "_AIRFLOW_ECS_DAG_SYNC_FAKE_S3_DIR"

# Layout (DAG_BUCKET_LAYOUT, EFS_BUNDLE_LAYOUT and DAG_RELEASE_VERSION_PATTERN of runtime/) ------------------

#: Same pattern as DAG_RELEASE_VERSION_PATTERN (a test compares them).
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
BUNDLE_PATTERN = r"^[a-z][a-z0-9-]*$"
SHA256_METADATA = "sha256"
ARCHIVE_SUFFIX = ".tar.gz"
CURRENT = "current"
RELEASES = "releases"
MARKER = ".airflow-ecs-release.json"
INCOMING_PREFIX = ".incoming-"
CURRENT_TMP_PREFIX = "current.tmp-"
LOCK_FILE = ".dag-sync.lock"

# Limits -------------------------------------------------------------------------------------------------------------

MAX_MEMBERS = 100_000
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
#: A valid archive is never larger than its content limit; checked while downloading so /tmp cannot fill up.
MAX_ARCHIVE_BYTES = MAX_UNCOMPRESSED_BYTES
#: Leftovers of interrupted runs (a stopped task cannot clean up) are removed once older than this.
LEFTOVER_AGE_SECONDS = 3600
#: How long a run waits for another run of the same bundle to finish.
LOCK_TIMEOUT_SECONDS = 900
CHUNK_BYTES = 1024 * 1024

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG, EXIT_BAD_ARCHIVE, EXIT_NOT_FOUND = 0, 1, 64, 65, 66

_PREFIX_PATTERN = r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"
_BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


class SyncError(Exception):
    """A failure with a message for the operator; ``exit_code`` is the task's exit status."""

    exit_code = EXIT_FAILURE


class ConfigError(SyncError):
    exit_code = EXIT_CONFIG


class BadArchive(SyncError):
    exit_code = EXIT_BAD_ARCHIVE


class ReleaseNotFound(SyncError):
    exit_code = EXIT_NOT_FOUND


def log(message: str, level: str = "INFO") -> None:
    print(f"airflow-ecs-dag-sync: {level} {message}", file=sys.stderr, flush=True)


# Configuration -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    bucket: str
    releases_prefix: str
    root: str
    bundles: Tuple[str, ...]
    keep: int
    bundle: str
    version: str
    region: Optional[str]

    @property
    def key(self) -> str:
        return f"{self.releases_prefix}/{self.bundle}/{self.version}{ARCHIVE_SUFFIX}"

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def load_config(environ: Mapping[str, str]) -> Config:
    """Validates every input; raises ConfigError listing each problem, each naming its variable."""
    problems: List[str] = []

    def required(name: str, what: str) -> str:
        value = (environ.get(name) or "").strip()
        if not value:
            problems.append(f"{name} is not set or empty; it must be {what}")
        return value

    def matching(name: str, pattern: str, what: str) -> str:
        value = required(name, what)
        if value and not re.match(pattern, value):
            problems.append(f"{name} = {value!r} is not {what}")
        return value

    bucket = matching(BUCKET_ENV, _BUCKET_PATTERN, "an S3 bucket name (the environment's DAG bucket)")
    prefix = matching(RELEASES_PREFIX_ENV, _PREFIX_PATTERN, "a key prefix without leading or trailing '/' (e.g. 'releases')")
    root = required(ROOT_ENV, "the absolute path where the DAG file system is mounted read-write")
    if root and not os.path.isabs(root):
        problems.append(f"{ROOT_ENV} = {root!r} is not an absolute path")
    elif root and not os.path.isdir(root):
        problems.append(f"{ROOT_ENV} = {root!r} is not a directory (is the DAG file system mounted there?)")

    bundles: List[str] = []
    raw_bundles = required(BUNDLES_ENV, f"a JSON list of EFS bundle names matching {BUNDLE_PATTERN}")
    if raw_bundles:
        try:
            parsed = json.loads(raw_bundles)
        except ValueError:
            parsed = None
        if not isinstance(parsed, list) or not parsed or not all(isinstance(b, str) and re.match(BUNDLE_PATTERN, b) for b in parsed):
            problems.append(f"{BUNDLES_ENV} = {raw_bundles!r} is not a non-empty JSON list of bundle names matching {BUNDLE_PATTERN}")
        else:
            bundles = parsed

    keep = 0
    raw_keep = required(KEEP_RELEASES_ENV, "a whole number >= 2 (releases kept per bundle, the current one included)")
    if raw_keep:
        if not raw_keep.isdigit() or int(raw_keep) < 2:
            problems.append(f"{KEEP_RELEASES_ENV} = {raw_keep!r} is not a whole number >= 2 (the current and the previous release are always kept)")
        else:
            keep = int(raw_keep)

    bundle = matching(BUNDLE_ENV, BUNDLE_PATTERN, f"an EFS bundle name matching {BUNDLE_PATTERN} (set per run by deploy-dags)")
    if bundle and bundles and re.match(BUNDLE_PATTERN, bundle) and bundle not in bundles:
        problems.append(f"{BUNDLE_ENV} = {bundle!r} is not an EFS bundle of this environment; {BUNDLES_ENV} allows {', '.join(bundles)}")
    version = matching(VERSION_ENV, VERSION_PATTERN, f"a release version matching {VERSION_PATTERN} (set per run by deploy-dags)")

    if problems:
        raise ConfigError("; ".join(problems))
    region = (environ.get("AWS_REGION") or "").strip() or (environ.get("AWS_DEFAULT_REGION") or "").strip() or None
    return Config(bucket, prefix, root, tuple(bundles), keep, bundle, version, region)


# S3 ----------------------------------------------------------------------------------------------------------------


class _FakeS3Error(Exception):
    """Shaped like botocore's ClientError (``response["Error"]["Code"]``) so both take the same path."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"An error occurred ({code}): {message}")
        self.response = {"Error": {"Code": code, "Message": message}}


class DirectoryS3:
    """The test seam: ``<dir>/<bucket>/<key>`` with its user metadata in ``<key>.metadata.json``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _paths(self, bucket: str, key: str) -> Tuple[str, str]:
        path = os.path.join(self.directory, bucket, key)
        if not os.path.isfile(path):
            raise _FakeS3Error("NoSuchKey", "The specified key does not exist.")
        return path, path + ".metadata.json"

    def _metadata(self, path: str) -> dict:
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            return {}

    def head_object(self, Bucket: str, Key: str) -> dict:
        path, metadata = self._paths(Bucket, Key)
        return {"ContentLength": os.path.getsize(path), "Metadata": self._metadata(metadata)}

    def get_object(self, Bucket: str, Key: str) -> dict:
        path, metadata = self._paths(Bucket, Key)
        return {"ContentLength": os.path.getsize(path), "Metadata": self._metadata(metadata), "Body": open(path, "rb")}


def default_s3_client(config: Config, environ: Mapping[str, str]) -> Any:
    fake_dir = (environ.get(FAKE_S3_DIR_ENV) or "").strip()
    if fake_dir:
        return DirectoryS3(fake_dir)
    import boto3  # in the image only; unit tests inject a client

    return boto3.client("s3", region_name=config.region)


def _s3_error(error: Exception, config: Config, action: str) -> SyncError:
    """Maps a client error to the exit status; anything unrecognized stays a plain failure with its text."""
    code = str((getattr(error, "response", None) or {}).get("Error", {}).get("Code", ""))
    if code in ("NoSuchKey", "404", "NotFound"):
        return ReleaseNotFound(f"{config.url} does not exist: deploy-dags must upload the release archive before the sync task runs")
    if code in ("AccessDenied", "403", "Forbidden"):
        return SyncError(
            f"{action} {config.url} was denied ({error}); the sync task role needs s3:GetObject on it (and kms:Decrypt). "
            "Without s3:ListBucket S3 also answers 403 for an object that does not exist: check that deploy-dags uploaded it"
        )
    return SyncError(f"{action} {config.url} failed: {error}")


def _expected_sha256(metadata: Optional[Mapping[str, str]], config: Config) -> str:
    value = str((metadata or {}).get(SHA256_METADATA, "")).strip().lower()
    if not re.match(r"^[0-9a-f]{64}$", value):
        raise BadArchive(f"{config.url} has no valid '{SHA256_METADATA}' object metadata (hex SHA-256 of the archive, set by deploy-dags): {value!r}")
    return value


def head_sha256(s3: Any, config: Config) -> str:
    try:
        answer = s3.head_object(Bucket=config.bucket, Key=config.key)
    except Exception as error:
        raise _s3_error(error, config, "reading the metadata of") from None
    return _expected_sha256(answer.get("Metadata"), config)


def download(s3: Any, config: Config, target: str) -> str:
    """Streams the object to ``target``; returns the verified SHA-256. Body and metadata come from one GET."""
    try:
        answer = s3.get_object(Bucket=config.bucket, Key=config.key)
    except Exception as error:
        raise _s3_error(error, config, "downloading") from None
    expected = _expected_sha256(answer.get("Metadata"), config)
    body = answer["Body"]
    digest, size = hashlib.sha256(), 0
    try:
        with open(target, "wb") as handle:
            while True:
                chunk = body.read(CHUNK_BYTES)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_ARCHIVE_BYTES:
                    raise BadArchive(f"{config.url} is larger than {MAX_ARCHIVE_BYTES} bytes")
                digest.update(chunk)
                handle.write(chunk)
    finally:
        body.close()
    actual = digest.hexdigest()
    if actual != expected:
        raise BadArchive(f"{config.url}: SHA-256 of the downloaded archive is {actual}, its '{SHA256_METADATA}' metadata says {expected}; refusing it")
    log(f"downloaded {config.url} ({size} bytes, SHA-256 verified)")
    return actual


# Archive -----------------------------------------------------------------------------------------------------------


def _relative_name(member: tarfile.TarInfo) -> str:
    """The member's path inside the release ("" for the archive's root entry); raises BadArchive when unsafe."""
    name = member.name
    if name.startswith("/"):
        raise BadArchive(f"member {name!r} has an absolute name")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise BadArchive(f"member {name!r} has a '..' component")
    return "/".join(parts)


def _kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return f"a symlink (to {member.linkname!r})"
    if member.islnk():
        return f"a hard link (to {member.linkname!r})"
    if member.ischr() or member.isblk():
        return "a device"
    if member.isfifo():
        return "a fifo"
    return f"of unsupported type {member.type!r}"


def file_mode(member: tarfile.TarInfo) -> int:
    """0755 for directories and files with any execute bit, else 0644: no setuid, sticky or group/other write."""
    return 0o755 if member.isdir() or member.mode & 0o111 else 0o644


def check_members(tar: tarfile.TarFile) -> Tuple[List[tarfile.TarInfo], int]:
    """Reads every member header before anything is extracted; returns the members to extract and the file count.

    Limits are checked while reading, so a huge archive is refused without decompressing all of it.
    """
    members: List[tarfile.TarInfo] = []
    files, directories = set(), set()
    count, total = 0, 0
    while True:
        member = tar.next()
        if member is None:
            break
        count += 1
        if count > MAX_MEMBERS:
            raise BadArchive(f"the archive has more than {MAX_MEMBERS} members")
        name = _relative_name(member)
        if not (member.isreg() or member.isdir()):
            raise BadArchive(f"member {member.name!r} is {_kind(member)}; only regular files and directories are allowed")
        total += member.size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise BadArchive(f"the archive holds more than {MAX_UNCOMPRESSED_BYTES} bytes uncompressed")
        if not name:
            continue  # the archive's root ("." or "./"): the release folder itself
        if name == MARKER:
            raise BadArchive(f"member {member.name!r} uses the name of the release marker, which the sync task writes")
        parts = name.split("/")
        directories.update("/".join(parts[:i]) for i in range(1, len(parts)))
        if member.isreg():
            if name in files:
                raise BadArchive(f"member {member.name!r} appears twice")
            files.add(name)
        else:
            directories.add(name)
        members.append(member)
    clash = sorted(files & directories)
    if clash:
        raise BadArchive(f"{clash[0]!r} is both a file and a directory in the archive")
    if not files:
        raise BadArchive("the archive contains no files (an empty release would remove every DAG of the bundle)")
    return members, len(files)


def _release_filter(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo:
    """tarfile's "data" filter (defence in depth behind check_members), then our modes, ownership dropped."""
    return tarfile.data_filter(member, destination).replace(mode=file_mode(member), uid=None, gid=None, uname=None, gname=None, deep=False)


def extract(archive: str, destination: str) -> int:
    """Checks and extracts ``archive`` into the existing folder ``destination``; returns the number of files."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members, files = check_members(tar)
            if hasattr(tarfile, "data_filter"):  # Python 3.12 (and 3.8-3.11 security releases since 2023)
                tar.extractall(destination, members=members, filter=_release_filter)
            else:
                for member in members:
                    member.mode = file_mode(member)
                tar.extractall(destination, members=members)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        # Other OSErrors (EFS full, permissions) are file-system problems, not a bad archive: they propagate.
        if isinstance(error, getattr(tarfile, "FilterError", ())):
            raise BadArchive(f"refused by tarfile's data filter: {error}") from None
        raise BadArchive(f"not a valid gzip-compressed tar archive: {error}") from None
    # Directories implied by member paths get the umask's mode and the incoming folder mkdtemp's 0700: every
    # directory becomes 0755 (components run as the same uid today, but must not depend on it).
    os.chmod(destination, 0o755)
    # Archives carry a fixed timestamp (they are reproducible); the files take the deploy time instead, so Airflow's
    # modified-time ordering ([dag_processor] file_parsing_sort_mode) parses a new release's files first.
    now = time.time()
    for folder, subfolders, names in os.walk(destination):
        for sub in subfolders:
            os.chmod(os.path.join(folder, sub), 0o755)
        for name in names:
            os.utime(os.path.join(folder, name), (now, now))
    return files


# The bundle on the file system -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    root: str
    name: str

    @property
    def path(self) -> str:
        return os.path.join(self.root, self.name)

    @property
    def releases(self) -> str:
        return os.path.join(self.path, RELEASES)

    @property
    def current(self) -> str:
        return os.path.join(self.path, CURRENT)

    def release(self, version: str) -> str:
        return os.path.join(self.releases, version)

    def current_version(self) -> Optional[str]:
        """The version ``current`` points to, None when there is none yet (first deploy)."""
        try:
            target = os.readlink(self.current)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.EINVAL:
                raise SyncError(f"{self.current} exists but is not a symlink; move it away (it must be the symlink to the current release)") from None
            raise
        match = re.match(rf"^{RELEASES}/([^/]+)/?$", target)
        if match and re.match(VERSION_PATTERN, match.group(1)):
            return match.group(1)
        log(f"{self.current} points to {target!r}, not to {RELEASES}/<version>; it will be replaced", "WARNING")
        return None


def read_marker(release: str) -> Optional[dict]:
    try:
        with open(os.path.join(release, MARKER), encoding="utf-8") as handle:
            marker = json.load(handle)
    except (FileNotFoundError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def write_marker(release: str, marker: dict) -> None:
    path = os.path.join(release, MARKER)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(marker, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(path, 0o644)


def switch_current(bundle: Bundle, version: str) -> None:
    """Points ``current`` at ``releases/<version>``: a new symlink renamed over the old one (atomic, also on NFSv4).

    The target is relative, so the link resolves wherever the file system is mounted.
    """
    temporary = os.path.join(bundle.path, CURRENT_TMP_PREFIX + secrets.token_hex(8))
    os.symlink(f"{RELEASES}/{version}", temporary)
    try:
        os.replace(temporary, bundle.current)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _deployed_at(release: str) -> float:
    """When a release was deployed: its marker's ``deployed_at``, else the folder's mtime."""
    marker = read_marker(release) or {}
    try:
        return datetime.fromisoformat(str(marker["deployed_at"])).timestamp()
    except (KeyError, ValueError):
        return os.lstat(release).st_mtime


def prune(bundle: Bundle, keep: int, protected: Sequence[str], now: Optional[float] = None) -> List[str]:
    """Removes old releases and stale leftovers; returns the removed versions. Never raises.

    Kept: the ``protected`` versions (current and previous), then the newest others until ``keep`` remain.
    """
    now = time.time() if now is None else now
    removed: List[str] = []
    try:
        entries = list(os.scandir(bundle.releases))
    except OSError as error:
        log(f"pruning skipped: cannot list {bundle.releases}: {error}", "WARNING")
        return removed
    releases = [entry for entry in entries if entry.is_dir(follow_symlinks=False) and re.match(VERSION_PATTERN, entry.name)]
    newest_first = sorted(releases, key=lambda entry: (_deployed_at(entry.path), entry.name), reverse=True)
    kept = [version for version in protected if version]
    for entry in newest_first:
        if entry.name in kept:
            continue
        if len(set(kept)) < keep:
            kept.append(entry.name)
            continue
        try:
            shutil.rmtree(entry.path)
            removed.append(entry.name)
            log(f"pruned release {entry.name}")
        except OSError as error:
            log(f"could not remove release {entry.path}: {error}", "WARNING")

    # Leftovers of interrupted runs: incoming folders and temporary symlinks older than an hour.
    leftovers = [entry for entry in entries if entry.name.startswith(INCOMING_PREFIX)]
    with contextlib.suppress(OSError):
        leftovers += [entry for entry in os.scandir(bundle.path) if entry.name.startswith(CURRENT_TMP_PREFIX)]
    for entry in leftovers:
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < LEFTOVER_AGE_SECONDS:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            log(f"removed the leftover {entry.path} of an interrupted run")
        except OSError as error:
            log(f"could not remove the leftover {entry.path}: {error}", "WARNING")
    return removed


@contextlib.contextmanager
def bundle_lock(bundle: Bundle) -> Iterator[None]:
    """One run per bundle at a time (EFS supports NFSv4 locks): a concurrent run could prune the release another
    run is about to switch to. A lock held by a stopped task is released when its NFS lease expires."""
    with open(os.path.join(bundle.path, LOCK_FILE), "a", encoding="utf-8") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        waiting = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SyncError(f"another sync of bundle {bundle.name} still holds {handle.name} after {LOCK_TIMEOUT_SECONDS} s") from None
                if not waiting:
                    log(f"waiting for another sync of bundle {bundle.name} to finish")
                    waiting = True
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_folder(path: str) -> None:
    if not os.path.isdir(path):
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o755)  # makedirs' mode is subject to the umask


# The run -------------------------------------------------------------------------------------------------------------


def install_release(s3: Any, config: Config, bundle: Bundle) -> Tuple[str, int]:
    """Makes ``releases/<version>`` exist and hold the S3 object's content; returns its SHA-256 and file count."""
    release = bundle.release(config.version)
    if os.path.lexists(release):
        marker = read_marker(release)
        if not os.path.isdir(release) or os.path.islink(release) or marker is None:
            raise SyncError(f"{release} exists but is not a complete release (no readable {MARKER}); remove it and deploy again")
        expected = head_sha256(s3, config)
        if marker.get("sha256") != expected:
            raise BadArchive(
                f"release {config.version} of bundle {config.bundle} already exists with SHA-256 {marker.get('sha256')}, but {config.url} "
                f"has {expected}: versions are immutable, deploy the change as a new version"
            )
        log(f"release {config.version} already exists with the same SHA-256: switching without downloading")
        return expected, int(marker.get("files") or 0)

    incoming = tempfile.mkdtemp(prefix=f"{INCOMING_PREFIX}{config.version}-", dir=bundle.releases)
    try:
        with tempfile.TemporaryDirectory(prefix="airflow-ecs-dag-sync-") as scratch:
            # The archive goes to the task's own /tmp: it vanishes with the task instead of lingering on shared EFS.
            archive = os.path.join(scratch, "release" + ARCHIVE_SUFFIX)
            sha256 = download(s3, config, archive)
            files = extract(archive, incoming)
        # The marker is written last: a folder with a marker is a complete release.
        deployed_at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        write_marker(incoming, {"version": config.version, "sha256": sha256, "files": files, "deployed_at": deployed_at})
        os.rename(incoming, release)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    log(f"release {config.version} installed in {release} ({files} files)")
    return sha256, files


def sync(s3: Any, config: Config) -> dict:
    bundle = Bundle(config.root, config.bundle)
    _ensure_folder(bundle.path)
    _ensure_folder(bundle.releases)
    with bundle_lock(bundle):
        previous = bundle.current_version()
        _, files = install_release(s3, config, bundle)
        switch_current(bundle, config.version)
        log(f"{bundle.current} -> {RELEASES}/{config.version} (was {RELEASES + '/' + previous if previous else 'unset'})")
        pruned = prune(bundle, config.keep, [config.version, previous] if previous else [config.version])
    return {"bundle": config.bundle, "version": config.version, "release": bundle.release(config.version), "previous": previous, "pruned": pruned, "files": files}


def main(argv: Optional[Sequence[str]] = None, environ: Optional[Mapping[str, str]] = None, s3_client: Any = None) -> int:
    """Runs the sync; returns the exit status. ``s3_client`` (tests) replaces boto3's client."""
    argv = sys.argv[1:] if argv is None else list(argv)
    environ = os.environ if environ is None else environ
    if argv in (["-h"], ["--help"]):
        print(__doc__.strip())
        return EXIT_OK
    try:
        if argv:
            raise ConfigError(f"unexpected arguments {' '.join(argv)!r}: the sync task takes none, it is configured by its environment ({BUNDLE_ENV}, {VERSION_ENV}, ...)")
        config = load_config(environ)
        log(f"syncing bundle {config.bundle} to version {config.version} from {config.url}")
        summary = sync(s3_client if s3_client is not None else default_s3_client(config, environ), config)
    except SyncError as error:
        log(str(error), "ERROR")
        return error.exit_code
    except Exception as error:  # S3 transport errors, EFS errors: reported with their text
        log(f"failed: {type(error).__name__}: {error}", "ERROR")
        return EXIT_FAILURE
    print(json.dumps(summary), flush=True)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
