"""Data sets as plain NumPy arrays, with Keras's ``load_data()`` return shapes.

- :mod:`mnist` and :mod:`fashion_mnist`: fetched once (checksums verified) and
  cached in :func:`cache_dir` (``$GRADWISE_DATA``, default ``~/.cache/gradwise``);
- :mod:`digits`: scikit-learn's 8x8 digits, shipped in the package (offline);
- :func:`read_idx`: reader for IDX files, e.g. your own copy of (Fashion-)MNIST.
"""

from . import digits, fashion_mnist, mnist
from ._fetch import (
    ChecksumError,
    DatasetError,
    DatasetFormatError,
    DownloadError,
    cache_dir,
)
from .idx import read_idx

__all__ = [
    "mnist",
    "fashion_mnist",
    "digits",
    "read_idx",
    "cache_dir",
    "DatasetError",
    "ChecksumError",
    "DatasetFormatError",
    "DownloadError",
]


_NOT_SHIPPED = ("gradwise loads mnist, fashion_mnist (downloaded once, checksums verified) and digits "
                "(bundled); load other data with NumPy and pass the arrays to fit.")
_GAPS = {name: _NOT_SHIPPED for name in ("cifar10", "cifar100", "imdb", "reuters", "boston_housing",
                                         "california_housing")}


def __getattr__(name):
    from ..errors import missing_name

    raise missing_name(__name__, name, _GAPS)
