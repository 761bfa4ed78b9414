"""Data preparation in gw.utils: train_test_split (sizes, stratification, seeds), shuffle
(one permutation for all arrays) and standardize (statistics, reuse on test data, epsilon)."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.utils import shuffle, standardize, train_test_split

X = np.arange(200).reshape(100, 2)
Y = np.arange(100) % 4


def test_split_returns_sklearn_order_and_sizes():
    x_train, x_test, y_train, y_test = train_test_split(X, Y, test_size=0.25, seed=0)
    assert x_train.shape == (75, 2) and x_test.shape == (25, 2) and len(y_train) == 75 and len(y_test) == 25
    np.testing.assert_array_equal(x_train[:, 0] // 2 % 4, y_train)  # pairs stay together
    np.testing.assert_array_equal(x_test[:, 0] // 2 % 4, y_test)
    assert sorted(np.concatenate([x_train[:, 0], x_test[:, 0]]) // 2) == list(range(100))  # a partition
    assert len(train_test_split(X, test_size=0.101)[1]) == 11  # a fraction is rounded up, as sklearn
    assert len(train_test_split(X, test_size=7)[1]) == 7  # an int is a count
    assert len(train_test_split(X)) == 2  # without y: x_train, x_test


def test_split_is_reproducible_and_shuffled():
    a = train_test_split(X, Y, seed=3)
    b = train_test_split(X, Y, seed=3)
    c = train_test_split(X, Y, seed=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert (a[1] != c[1]).any()
    assert (np.diff(a[0][:, 0]) < 0).any()  # not in the original order
    gw.random.seed(5)
    first = train_test_split(X, Y)
    gw.random.seed(5)
    np.testing.assert_array_equal(train_test_split(X, Y)[1], first[1])


def test_split_without_shuffle_keeps_the_order():
    x_train, x_test = train_test_split(X, test_size=0.2, shuffle=False)
    np.testing.assert_array_equal(x_train, X[:80])
    np.testing.assert_array_equal(x_test, X[80:])


def test_stratify_keeps_class_proportions():
    y = np.array([0] * 90 + [1] * 10)
    _, _, y_train, y_test = train_test_split(np.zeros((100, 1)), y, test_size=0.2, stratify=y, seed=0)
    assert np.bincount(y_test).tolist() == [18, 2] and np.bincount(y_train).tolist() == [72, 8]
    # uneven shares: the leftover places go to the largest remainders, the total is exact
    y = np.array([0] * 7 + [1] * 7 + [2] * 6)
    _, _, _, y_test = train_test_split(np.zeros((20, 1)), y, test_size=0.3, stratify=y, seed=1)
    assert len(y_test) == 6 and np.bincount(y_test).tolist() == [2, 2, 2]
    onehot = np.eye(2)[np.array([0] * 90 + [1] * 10)]
    _, _, _, y_test = train_test_split(np.zeros((100, 1)), onehot, test_size=0.2, stratify=onehot, seed=0)
    assert y_test.sum(0).tolist() == [18, 2]
    # without stratify a 10 % class often misses its share in a small test set; with it, never
    for seed in range(20):
        y = np.array([0] * 45 + [1] * 5)
        _, _, _, y_test = train_test_split(np.zeros((50, 1)), y, test_size=0.2, stratify=y, seed=seed)
        assert y_test.sum() == 1


def test_split_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"different numbers of samples \[100, 99\]"):
        train_test_split(X, Y[:99])
    with pytest.raises(ValueError, match="must be in \\(0, 1\\)"):
        train_test_split(X, test_size=1.5)
    with pytest.raises(ValueError, match="leaves 100 of 100"):
        train_test_split(X, test_size=100)
    with pytest.raises(ValueError, match="class 1 has only 1 sample"):
        train_test_split(X[:5], stratify=np.array([0, 0, 0, 0, 1]))
    with pytest.raises(ValueError, match="stratify needs shuffle=True"):
        train_test_split(X, Y, stratify=Y, shuffle=False)
    with pytest.raises(ValueError, match="empty"):
        train_test_split(np.zeros((0, 2)))


def test_shuffle_applies_one_permutation_to_all_arrays():
    a, b = shuffle(X, Y, seed=0)
    np.testing.assert_array_equal(a[:, 0] // 2 % 4, b)
    assert sorted(a[:, 0]) == sorted(X[:, 0]) and (a != X).any()
    np.testing.assert_array_equal(shuffle(X, seed=0), a)  # one array in, one array out
    gw.random.seed(2)
    first = shuffle(Y)
    gw.random.seed(2)
    np.testing.assert_array_equal(shuffle(Y), first)
    with pytest.raises(ValueError, match=r"\[100, 3\]"):
        shuffle(X, Y[:3])


def test_standardize_gives_mean_zero_std_one_per_feature():
    x = np.random.default_rng(0).normal([10.0, -3.0], [5.0, 0.1], size=(1000, 2)).astype(np.float32)
    out, mean, std = standardize(x, return_stats=True)
    assert out.dtype == np.float32 and mean.shape == (1, 2) and std.shape == (1, 2)
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(0), 1, rtol=1e-4)
    np.testing.assert_allclose(mean[0], x.mean(0), rtol=1e-5)
    # test data is scaled with the training statistics, not its own
    test = np.array([[10.0, -3.0], [15.0, -2.9]], np.float32)
    np.testing.assert_allclose(standardize(test, mean=mean, std=std), (test - mean) / std, rtol=1e-6)
    assert standardize(test).shape == (2, 2)  # without return_stats: only the array


def test_standardize_axis_none_integers_and_constant_features():
    img = np.arange(16, dtype=np.uint8).reshape(2, 8)
    out = standardize(img, axis=None)
    assert out.dtype == np.float32 and abs(out.mean()) < 1e-6 and abs(out.std() - 1) < 1e-5
    constant = standardize(np.array([[1.0, 5.0], [3.0, 5.0]]))
    np.testing.assert_array_equal(constant[:, 1], 0)  # std 0: divided by epsilon, gives 0 not NaN
    with pytest.raises(ValueError, match="both mean and std"):
        standardize(img, mean=1.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        standardize(np.array([[1.0], [np.inf]]))
