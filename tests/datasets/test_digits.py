import subprocess
import sys

import numpy as np
import pytest

from gradwise.datasets import digits

# Read once from sklearn.datasets.load_digits() (scikit-learn 1.9.1): np.bincount(target).
# They equal the UCI optdigits test-set class counts.
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_shape_dtype_range():
    images, labels = digits.load_data()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (1797,) and labels.dtype == np.uint8
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels, minlength=10).tolist() == CLASS_COUNTS
    assert labels[:10].tolist() == list(range(10))  # sklearn's order starts 0, 1, ..., 9


def test_each_call_returns_fresh_arrays():
    images, labels = digits.load_data()
    images[:] = 0
    labels[:] = 0
    images2, labels2 = digits.load_data()
    assert images2.max() == 16 and labels2.max() == 9


def test_matches_scikit_learn():
    sk = pytest.importorskip("sklearn.datasets")
    ref = sk.load_digits()
    images, labels = digits.load_data()
    np.testing.assert_array_equal(images, ref.images)
    np.testing.assert_array_equal(labels, ref.target)


def test_works_without_scikit_learn():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"  # any sklearn import would now fail
        "from gradwise.datasets import digits\n"
        "x, y = digits.load_data(); print(x.shape, int(y.sum()))\n"
        "assert 'sklearn' not in [m.split('.')[0] for m in sys.modules if sys.modules[m]]\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["(1797,", "8,", "8)", str(sum(i * n for i, n in enumerate(CLASS_COUNTS)))]
