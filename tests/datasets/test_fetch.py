import hashlib
import os
import stat
from pathlib import Path

import pytest

from gradwise.datasets import (
    ChecksumError,
    DatasetError,
    DatasetFormatError,
    DownloadError,
    cache_dir,
)
from gradwise.datasets._fetch import atomic_writer, http_download, verify_file
from gradwise.errors import GradwiseError

from .conftest import DEAD, leftovers

PAYLOAD = bytes(range(256)) * 4000  # ~1 MB, more than one read chunk


def sha(data):
    return hashlib.sha256(data).hexdigest()


def test_cache_dir_follows_env_and_defaults_to_home_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADWISE_DATA", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("GRADWISE_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "gradwise"
    assert not cache_dir().exists()  # asking for the path creates nothing


def test_error_hierarchy():
    assert issubclass(DatasetError, GradwiseError)
    assert issubclass(ChecksumError, DatasetError)
    assert issubclass(DatasetFormatError, ValueError)
    assert issubclass(DownloadError, OSError) and issubclass(DownloadError, DatasetError)


def test_atomic_writer_keeps_old_file_when_block_fails(tmp_path):
    dest = tmp_path / "data.bin"
    dest.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_writer(dest) as f:
            f.write(b"half a new fi")
            raise RuntimeError("interrupted")
    assert dest.read_bytes() == b"old"
    assert leftovers(tmp_path) == ["data.bin"]


def test_atomic_writer_validate_failure_leaves_nothing(tmp_path):
    def refuse(tmp):
        assert Path(tmp).read_bytes() == b"content"  # sees the finished file
        raise DatasetFormatError("bad content")

    with pytest.raises(DatasetFormatError):
        with atomic_writer(tmp_path / "sub" / "x.bin", validate=refuse) as f:
            f.write(b"content")
    assert leftovers(tmp_path) == []


def test_atomic_writer_success_honours_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_writer(tmp_path / "x.bin") as f:
            f.write(b"ok")
    finally:
        os.umask(old)
    assert (tmp_path / "x.bin").read_bytes() == b"ok"
    assert stat.S_IMODE((tmp_path / "x.bin").stat().st_mode) == 0o644
    assert leftovers(tmp_path) == ["x.bin"]


def test_verify_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    verify_file(path, sha(b"abc").upper())  # case-insensitive
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        verify_file(path, sha(b"abd"))


def test_http_download_good_file(server, tmp_path):
    url = server.add("good.bin", PAYLOAD)
    dest = tmp_path / "out" / "good.bin"
    assert http_download(url, dest, sha(PAYLOAD)) == dest
    assert dest.read_bytes() == PAYLOAD
    assert leftovers(tmp_path / "out") == ["good.bin"]


def test_http_download_md5(server, tmp_path):
    url = server.add("good.bin", PAYLOAD)
    http_download(url, tmp_path / "g", hashlib.md5(PAYLOAD).hexdigest(), "md5")
    assert (tmp_path / "g").read_bytes() == PAYLOAD


def test_http_download_corrupt_file(server, tmp_path):
    corrupt = bytearray(PAYLOAD)
    corrupt[1000] ^= 0xFF
    url = server.add("f.bin", bytes(corrupt))
    with pytest.raises(ChecksumError, match="checksum mismatch for .*f.bin"):
        http_download(url, tmp_path / "out" / "f.bin", sha(PAYLOAD))
    assert leftovers(tmp_path / "out") == []


def test_http_download_truncated_file(server, tmp_path):
    # The server sends a short file honestly: only the hash can tell.
    url = server.add("f.bin", PAYLOAD[:-100])
    with pytest.raises(ChecksumError):
        http_download(url, tmp_path / "out" / "f.bin", sha(PAYLOAD))
    assert leftovers(tmp_path / "out") == []


def test_http_download_cut_transfer(server, tmp_path):
    url = server.add("f.bin", PAYLOAD)
    server.cut("f.bin")
    with pytest.raises(DownloadError, match="truncated: received 512000 of 1024000 bytes"):
        http_download(url, tmp_path / "out" / "f.bin", sha(PAYLOAD))
    assert leftovers(tmp_path / "out") == []


def test_http_download_missing_file_and_dead_server(server, tmp_path):
    with pytest.raises(DownloadError, match="404"):
        http_download(f"{server.url}/nothing.bin", tmp_path / "a", sha(b""))
    with pytest.raises(DownloadError, match="refused"):
        http_download(f"{DEAD}/x.bin", tmp_path / "b", sha(b""))
    assert leftovers(tmp_path) == []


def test_http_download_validate_hook_runs_after_checksum(server, tmp_path):
    url = server.add("f.bin", PAYLOAD)
    seen = []

    def validate(tmp):
        seen.append(Path(tmp).read_bytes() == PAYLOAD)
        raise DatasetFormatError("structure is wrong")

    with pytest.raises(DatasetFormatError, match="structure is wrong"):
        http_download(url, tmp_path / "out" / "f.bin", sha(PAYLOAD), validate=validate)
    assert seen == [True]
    assert leftovers(tmp_path / "out") == []
