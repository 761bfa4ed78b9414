import warnings

import numpy as np
import pytest

from gradwise.classic import (
    McCullochPittsUnit,
    Perceptron,
    mp_and,
    mp_and_not,
    mp_identity,
    mp_not,
    mp_or,
    mp_xor,
    step,
    truth_table,
)

X_BOOL = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def test_mp_truth_tables():
    assert truth_table(mp_identity, 1) == {(0,): 0, (1,): 1}
    assert truth_table(mp_not, 1) == {(0,): 1, (1,): 0}
    assert truth_table(mp_and, 2) == {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 1}
    assert truth_table(mp_or, 2) == {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 1}
    assert truth_table(mp_and_not, 2) == {(0, 0): 0, (0, 1): 0, (1, 0): 1, (1, 1): 0}
    assert truth_table(mp_xor, 2) == {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}


def test_mp_unit_threshold_counts_connections():
    unit = McCullochPittsUnit(threshold=2, excitatory=(1, 1, 1))  # "at least 2 of 3"
    assert [unit(*b) for b in [(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 0, 0)]] == [0, 1, 1, 0]
    single = McCullochPittsUnit(threshold=2, excitatory=(1,))  # one wire cannot reach 2
    assert (single(0), single(1)) == (0, 0)


def test_mp_inhibition_vetoes():
    unit = McCullochPittsUnit(threshold=1, excitatory=(1, 1), inhibitory=1)
    assert unit(1, 1, 0) == 1
    assert unit(1, 1, 1) == 0  # one active inhibitory input silences the unit


def test_mp_rejects_non_binary_and_wrong_arity():
    with pytest.raises(AssertionError):
        mp_and(2, 1)
    with pytest.raises(AssertionError):
        McCullochPittsUnit(threshold=2, excitatory=(1, 1))(1)


def test_step():
    np.testing.assert_array_equal(step([-0.5, 0.0, 3.0]), [0, 1, 1])


def test_perceptron_first_epoch_by_hand():
    # eta = 1, w = 0, b = 0, step(0) = 1:
    # (0,0),y=0: y_hat=1 -> b=-1; (0,1),(1,0): z=-1 ok; (1,1),y=1: z=-1 -> w=(1,1), b=0
    with pytest.warns(RuntimeWarning):
        p = Perceptron(learning_rate=1.0, max_epochs=1).fit(X_BOOL, [0, 0, 0, 1])
    np.testing.assert_array_equal(p.coef_, [1.0, 1.0])
    assert p.intercept_ == 0.0
    assert p.errors_ == [2]
    assert p.converged_ is False


@pytest.mark.parametrize("y", [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], ids=["and", "or", "nand"])
def test_perceptron_learns_linearly_separable_gates(y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a converging fit must not warn
        p = Perceptron(learning_rate=1.0, max_epochs=50).fit(X_BOOL, y)
    assert p.converged_
    assert p.errors_[-1] == 0
    assert p.n_epochs_ < 50
    np.testing.assert_array_equal(p.predict(X_BOOL), y)


def test_perceptron_xor_stops_and_reports_not_separable():
    with pytest.warns(RuntimeWarning, match="not linearly separable"):
        p = Perceptron(learning_rate=1.0, max_epochs=25).fit(X_BOOL, [0, 1, 1, 0])
    assert p.converged_ is False
    assert p.n_epochs_ == 25
    assert len(p.errors_) == 25 and min(p.errors_) > 0
    assert "not linearly separable" in p.message_
    assert p.score(X_BOOL, [0, 1, 1, 0]) < 1.0


def test_perceptron_iris_setosa_vs_rest():
    try:
        from sklearn.datasets import load_iris
    except ImportError:
        pytest.skip("scikit-learn not installed (pip install scikit-learn)")
    iris = load_iris()
    y = (iris.target == 0).astype(int)
    p = Perceptron(learning_rate=0.1, max_epochs=100, shuffle=True, random_state=0)
    p.fit(iris.data, y)
    assert p.converged_
    assert p.score(iris.data, y) == 1.0
