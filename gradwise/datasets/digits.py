"""The 8x8 handwritten digits of scikit-learn's ``load_digits()``, shipped in the package.

A small data set (1,797 images, 45 KB) for examples and tests that must run
offline and fast, without scikit-learn. Provenance and licence:
``DIGITS_LICENSE.txt`` next to this module (UCI optdigits test set, CC BY 4.0).
"""

from importlib import resources

import numpy as np

from ._fetch import DatasetFormatError

__all__ = ["load_data"]

FILENAME = "digits.npz"
N_SAMPLES = 1797


def load_data():
    """Return ``(images, labels)``: uint8 (1797, 8, 8) with values 0..16, uint8 (1797,).

    Same samples and order as ``sklearn.datasets.load_digits()``. Each call
    returns fresh arrays, so callers may modify them.
    """
    source = resources.files(__package__).joinpath(FILENAME)
    try:
        with source.open("rb") as f, np.load(f, allow_pickle=False) as data:
            images, labels = data["images"], data["labels"]
    except Exception as e:  # missing from the install, damaged, ...
        raise DatasetFormatError(f"cannot read the packaged {FILENAME} ({e}); reinstall gradwise") from e
    if (images.dtype != np.uint8 or images.shape != (N_SAMPLES, 8, 8) or images.max() > 16
            or labels.dtype != np.uint8 or labels.shape != (N_SAMPLES,) or labels.max() > 9):
        raise DatasetFormatError(f"the packaged {FILENAME} is damaged; reinstall gradwise")
    return images, labels
