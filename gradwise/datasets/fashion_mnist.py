"""Fashion-MNIST, returned exactly as ``keras.datasets.fashion_mnist.load_data()`` does.

Sources:

- ``load_data(path=DIR)`` reads the four IDX files in DIR and nothing else;
- otherwise: the cache (``fashion-mnist/`` in :func:`gradwise.datasets.cache_dir`),
  then the folder named by ``$GRADWISE_FASHION_MNIST_DIR``, then the canonical
  download (Keras's copy of the official archives).

Downloaded files must match the official MD5s before they enter the cache. Files
from a folder the user names are checked by structure only; if they are not
byte-identical to the official archives a UserWarning says so.
"""

import os
import warnings
from pathlib import Path

from ._fetch import (
    DatasetError,
    DatasetFormatError,
    DownloadError,
    cache_dir,
    file_digest,
    http_download,
    verify_file,
)
from .idx import read_idx

__all__ = ["load_data", "fetch"]

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
HTTP_TIMEOUT = 60
#: Array name -> (file name, MD5 of the official archive).
FILES = {
    "x_train": ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    "y_train": ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
    "x_test": ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
    "y_test": ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
}
CACHE_SUBDIR = "fashion-mnist"
DIR_ENV = "GRADWISE_FASHION_MNIST_DIR"
N_TRAIN, N_TEST = 60000, 10000


def _read(key, path):
    """Read one IDX file and check it is the ``key`` array of Fashion-MNIST."""
    a = read_idx(path)
    n = N_TRAIN if key.endswith("train") else N_TEST
    shape = (n, 28, 28) if key.startswith("x") else (n,)
    if a.dtype.name != "uint8" or a.shape != shape:
        raise DatasetFormatError(f"{path}: holds {a.dtype} {a.shape}, expected uint8 {shape}")
    if key.startswith("y") and a.max(initial=0) > 9:
        raise DatasetFormatError(f"{path}: labels above 9 (max {int(a.max())})")
    return a


def _find(directory, name):
    for candidate in (directory / name, directory / name[: -len(".gz")]):
        if candidate.is_file():
            return candidate
    return None


def _load_user_dir(directory, origin):
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise DatasetError(f"{origin}: {directory} is not a folder")
    paths = {key: _find(directory, name) for key, (name, _) in FILES.items()}
    missing = [FILES[key][0] for key, p in paths.items() if p is None]
    if missing:
        raise DatasetError(
            f"{origin}: {directory} lacks {', '.join(missing)} (gzipped or not); "
            "it must hold the four Fashion-MNIST IDX files"
        )
    arrays = {key: _read(key, p) for key, p in paths.items()}
    unofficial = [p.name for key, p in paths.items() if file_digest(p, "md5") != FILES[key][1]]
    if unofficial:
        warnings.warn(
            f"{directory}: {', '.join(unofficial)}: not the official archive (MD5 differs "
            "from the published one); using it because its structure is valid",
            UserWarning, stacklevel=3,
        )
    return arrays


def _load_cache(cache):
    """Return (valid arrays found in the cache, keys still missing)."""
    arrays, missing = {}, []
    for key, (name, md5) in FILES.items():
        path = cache / name
        if not path.is_file():
            missing.append(key)
            continue
        try:
            verify_file(path, md5, "md5")
            arrays[key] = _read(key, path)
        except DatasetError as e:
            warnings.warn(f"{e}; deleting it and fetching it again", UserWarning, stacklevel=4)
            path.unlink()
            missing.append(key)
    return arrays, missing


def _download(cache, keys):
    arrays, causes = {}, []
    for key in keys:
        name, md5 = FILES[key]

        def validate(tmp, key=key):
            arrays[key] = _read(key, tmp)

        try:
            http_download(BASE_URL + name, cache / name, md5, "md5",
                          timeout=HTTP_TIMEOUT, validate=validate)
        except DatasetError as e:
            arrays.pop(key, None)
            causes.append((name, e))
    if causes:
        lines = "".join(f"\n  - {e}" for _, e in causes)
        raise DownloadError(
            f"could not get Fashion-MNIST:{lines}\nCheck your network, or put the four IDX "
            f"files ({', '.join(n for n, _ in FILES.values())}) in {cache}, or in a folder "
            f"given as load_data(path=...) or ${DIR_ENV}.",
            causes=causes,
        ) from causes[-1][1]
    return arrays


def _ensure_cache():
    cache = cache_dir() / CACHE_SUBDIR
    arrays, missing = _load_cache(cache)
    if missing:
        arrays.update(_download(cache, missing))
    return cache, arrays


def fetch():
    """Make sure the official files are in the cache; return the cache folder."""
    return _ensure_cache()[0]


def load_data(path=None):
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras.

    uint8 images (60000, 28, 28) and (10000, 28, 28), uint8 labels 0..9.
    ``path``: a folder holding the four IDX files (``train-images-idx3-ubyte.gz``,
    ...); when given, only that folder is read.
    """
    if path is not None:
        arrays = _load_user_dir(path, "path=")
    else:
        cache = cache_dir() / CACHE_SUBDIR
        arrays, missing = _load_cache(cache)
        if missing and os.environ.get(DIR_ENV):
            arrays = _load_user_dir(os.environ[DIR_ENV], f"${DIR_ENV}")
        elif missing:
            arrays.update(_download(cache, missing))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
