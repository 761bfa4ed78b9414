import gzip
import hashlib
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from gradwise.datasets import DatasetError, DatasetFormatError, DownloadError, fashion_mnist

from .conftest import leftovers
from .test_idx import idx_bytes

# Dev-machine copy (see shared/data/README.md): /work/shared, or shared/ beside the clone (CI).
_CANDIDATES = [Path("/work/shared/data/fashion-mnist"),
               Path(__file__).resolve().parents[3] / "shared" / "data" / "fashion-mnist"]
SHARED = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
NAMES = {key: name for key, (name, _) in fashion_mnist.FILES.items()}


@pytest.fixture
def tiny(monkeypatch):
    """A 6 + 4 image stand-in for Fashion-MNIST (the module's counts are patched)."""
    rng = np.random.default_rng(0)
    monkeypatch.setattr(fashion_mnist, "N_TRAIN", 6)
    monkeypatch.setattr(fashion_mnist, "N_TEST", 4)
    return {
        "x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "y_train": np.array([9, 0, 0, 3, 0, 2], np.uint8),
        "x_test": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "y_test": np.array([9, 2, 1, 1], np.uint8),
    }


def gz_files(arrays):
    return {NAMES[key]: gzip.compress(idx_bytes(a)) for key, a in arrays.items()}


def write_dir(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def official(monkeypatch, files):
    """Declare these fixture files to be 'the official archives' (patch the MD5s)."""
    table = {key: (name, hashlib.md5(files[name]).hexdigest())
             for key, (name, _) in fashion_mnist.FILES.items()}
    monkeypatch.setattr(fashion_mnist, "FILES", table)


def assert_same(loaded, expected):
    (x, y), (xt, yt) = loaded
    for got, key in ((x, "x_train"), (y, "y_train"), (xt, "x_test"), (yt, "y_test")):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, expected[key])


# ---- a folder named by the user ---------------------------------------------------------

def test_user_folder_is_read_and_flagged_as_unofficial(tiny, tmp_path):
    folder = write_dir(tmp_path / "fm", gz_files(tiny))
    with pytest.warns(UserWarning, match="not the official archive"):
        assert_same(fashion_mnist.load_data(path=folder), tiny)


def test_official_files_in_user_folder_give_no_warning(tiny, tmp_path, monkeypatch):
    files = gz_files(tiny)
    official(monkeypatch, files)
    folder = write_dir(tmp_path / "fm", files)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(fashion_mnist.load_data(path=str(folder)), tiny)


def test_uncompressed_files_are_accepted(tiny, tmp_path):
    files = {name[:-3]: gzip.decompress(data) for name, data in gz_files(tiny).items()}
    folder = write_dir(tmp_path / "fm", files)
    with pytest.warns(UserWarning):
        assert_same(fashion_mnist.load_data(path=folder), tiny)


def test_missing_file_is_named(tiny, tmp_path):
    files = gz_files(tiny)
    del files["t10k-labels-idx1-ubyte.gz"]
    folder = write_dir(tmp_path / "fm", files)
    with pytest.raises(DatasetError, match="lacks t10k-labels-idx1-ubyte.gz"):
        fashion_mnist.load_data(path=folder)
    with pytest.raises(DatasetError, match="is not a folder"):
        fashion_mnist.load_data(path=tmp_path / "nowhere")


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda d: {**d, "y_test": np.array([9, 2, 10, 1], np.uint8)}, "labels above 9"),
        (lambda d: {**d, "y_train": d["y_train"][:5]}, r"\(5,\), expected uint8 \(6,\)"),
        (lambda d: {**d, "x_test": d["x_test"][:, :27]}, r"\(4, 27, 28\)"),
        (lambda d: {**d, "x_train": d["x_train"].astype(np.int16)}, "int16"),
    ],
    ids=["label-range", "label-count", "image-size", "dtype"],
)
def test_structure_is_checked(tiny, tmp_path, tamper, message):
    folder = write_dir(tmp_path / "fm", gz_files(tamper(tiny)))
    with pytest.raises(DatasetFormatError, match=message):
        fashion_mnist.load_data(path=folder)


def test_env_folder_is_used_when_cache_is_empty(tiny, tmp_path, monkeypatch, isolated):
    folder = write_dir(tmp_path / "fm", gz_files(tiny))
    monkeypatch.setenv("GRADWISE_FASHION_MNIST_DIR", str(folder))
    with pytest.warns(UserWarning, match="not the official archive"):
        assert_same(fashion_mnist.load_data(), tiny)
    assert leftovers(isolated) == []  # unofficial files never enter the cache


# ---- download and cache ----------------------------------------------------------------

@pytest.fixture
def served(tiny, server, monkeypatch):
    files = gz_files(tiny)
    official(monkeypatch, files)
    for name, data in files.items():
        server.add(f"ds/{name}", data)
    monkeypatch.setattr(fashion_mnist, "BASE_URL", f"{server.url}/ds/")
    return files


def test_download_verifies_and_caches(tiny, served, server, isolated):
    assert_same(fashion_mnist.load_data(), tiny)
    assert sorted(server.requests) == sorted(f"/ds/{n}" for n in served)
    assert leftovers(isolated) == sorted(f"fashion-mnist/{n}" for n in served)
    assert fashion_mnist.fetch() == isolated / "fashion-mnist"
    assert_same(fashion_mnist.load_data(), tiny)
    assert len(server.requests) == 4  # second load and fetch() used the cache only


def test_cache_wins_over_env_folder(tiny, served, server, tmp_path, monkeypatch):
    fashion_mnist.fetch()
    other = {**tiny, "y_train": np.array([1, 1, 1, 1, 1, 1], np.uint8)}
    monkeypatch.setenv("GRADWISE_FASHION_MNIST_DIR", str(write_dir(tmp_path / "o", gz_files(other))))
    assert_same(fashion_mnist.load_data(), tiny)


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "cut"])
def test_bad_download_leaves_nothing(tiny, served, server, isolated, damage):
    name = "train-images-idx3-ubyte.gz"
    data = served[name]
    if damage == "corrupt":
        server.add(f"ds/{name}", data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    elif damage == "truncated":
        server.add(f"ds/{name}", data[:-50])
    else:
        server.cut(f"ds/{name}")
    with pytest.raises(DownloadError) as info:
        fashion_mnist.load_data()
    msg = str(info.value)
    assert name in msg
    assert ("was truncated" if damage == "cut" else "checksum mismatch") in msg
    assert "Check your network" in msg and str(isolated / "fashion-mnist") in msg
    # The three good files are verified and kept; the bad one left no trace.
    assert leftovers(isolated) == sorted(f"fashion-mnist/{n}" for n in served if n != name)


def test_download_with_right_md5_but_wrong_structure(tiny, server, monkeypatch, isolated):
    files = gz_files({**tiny, "y_train": np.array([0, 1, 2, 3, 4, 99], np.uint8)})
    official(monkeypatch, files)
    for name, data in files.items():
        server.add(f"ds/{name}", data)
    monkeypatch.setattr(fashion_mnist, "BASE_URL", f"{server.url}/ds/")
    with pytest.raises(DownloadError, match="labels above 9"):
        fashion_mnist.load_data()
    assert "fashion-mnist/train-labels-idx1-ubyte.gz" not in leftovers(isolated)


def test_corrupt_cache_file_is_replaced(tiny, served, server, isolated):
    fashion_mnist.fetch()
    (isolated / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").write_bytes(b"junk")
    with pytest.warns(UserWarning, match="deleting it and fetching it again"):
        assert_same(fashion_mnist.load_data(), tiny)
    assert server.requests.count("/ds/t10k-images-idx3-ubyte.gz") == 2
    assert len(server.requests) == 5


def test_unreachable_download_says_what_to_do(isolated):
    with pytest.raises(DownloadError) as info:
        fashion_mnist.load_data()
    msg = str(info.value)
    assert "download of http://127.0.0.1:9/train-images-idx3-ubyte.gz failed" in msg
    assert "GRADWISE_FASHION_MNIST_DIR" in msg and "path=" in msg
    assert len(info.value.causes) == 4
    assert leftovers(isolated) == []


# ---- the real files shipped for this development machine --------------------------------

def _labels_by_hand(path):
    with gzip.open(path, "rb") as f:
        magic, n = struct.unpack(">II", f.read(8))
        return magic, n, np.frombuffer(f.read(), np.uint8)


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data/fashion-mnist (dev-machine copy) not present")
def test_shared_fashion_mnist_folder(monkeypatch):
    monkeypatch.setenv("GRADWISE_FASHION_MNIST_DIR", str(SHARED))
    with pytest.warns(UserWarning, match="not the official archive"):
        (x, y), (xt, yt) = fashion_mnist.load_data()
    assert x.shape == (60000, 28, 28) and y.shape == (60000,)
    assert xt.shape == (10000, 28, 28) and yt.shape == (10000,)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    magic, n, labels = _labels_by_hand(SHARED / "train-labels-idx1-ubyte.gz")
    assert (magic, n) == (2049, 60000)
    np.testing.assert_array_equal(y, labels)
    assert list(y[:10]) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    magic, n, labels = _labels_by_hand(SHARED / "t10k-labels-idx1-ubyte.gz")
    np.testing.assert_array_equal(yt, labels)
    assert np.bincount(y).tolist() == [6000] * 10
    assert abs(x.mean() / 255 - 0.2860) < 1e-4  # published training-set pixel mean
