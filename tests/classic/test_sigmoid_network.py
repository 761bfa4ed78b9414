from contextlib import nullcontext

import numpy as np
import pytest

from gradwise.classic import (
    SigmoidNetwork,
    convert_y_to_vect,
    f_deriv,
    load_digits_flat,
    matrix_feed_forward_calc,
    sigmoid,
    simple_looped_nn_calc,
    standard_scale,
    train_test_split,
)

# seed 003 §3.1-3.2
W1 = np.array([[0.2, 0.2, 0.2], [0.4, 0.4, 0.4], [0.6, 0.6, 0.6]])
W2 = np.array([[0.5, 0.5, 0.5]])
B1 = np.array([0.8, 0.8, 0.8])
B2 = np.array([0.2])
X_EX = [1.5, 2.0, 3.0]


def four_digits(v):
    """The seed prints values cut (not rounded) to 4 decimals: 0.99099 -> 0.9909."""
    return np.trunc(np.asarray(v, dtype=float) * 1e4) / 1e4


@pytest.fixture(scope="module")
def digits():
    try:
        return load_digits_flat()
    except ImportError as exc:
        pytest.skip(f"digits data unavailable ({exc})")


def test_seed003_forward_example_looped_and_vectorised():
    looped = simple_looped_nn_calc(3, X_EX, [W1, W2], [B1, B2])
    fast = matrix_feed_forward_calc(3, np.array(X_EX), [W1, W2], [B1, B2])
    assert looped.shape == (1,)
    assert four_digits(looped[0]) == 0.8354
    assert looped[0] == pytest.approx(0.83546, abs=1e-5)
    np.testing.assert_allclose(fast, looped, rtol=1e-14)


def test_seed003_forward_example_hidden_values():
    net = SigmoidNetwork.from_weights([W1, W2], [B1, B2])
    assert net.layer_sizes == (3, 3, 1)
    h, z = net.feed_forward(X_EX)
    np.testing.assert_allclose(z[2], [2.1, 3.4, 4.7], rtol=1e-12)  # 0.2 * 6.5 + 0.8, ...
    np.testing.assert_array_equal(four_digits(h[2]), [0.8909, 0.9677, 0.9909])
    np.testing.assert_allclose(h[2], [0.8909, 0.9677, 0.9909], atol=1e-4)
    assert four_digits(h[3][0]) == 0.8354
    # a batch of identical rows gives the same answer per row
    h_batch, _ = net.feed_forward(np.array([X_EX, X_EX]))
    np.testing.assert_allclose(h_batch[3], [h[3], h[3]])


def test_sigmoid_and_derivative():
    assert sigmoid(0.0) == 0.5
    z = np.linspace(-4, 4, 9)
    numeric = (sigmoid(z + 1e-6) - sigmoid(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(f_deriv(z), numeric, rtol=1e-7)
    assert f_deriv(0.0) == 0.25


def test_convert_y_to_vect():
    v = convert_y_to_vect(np.array([1, 0, 9]))
    assert v.shape == (3, 10)
    np.testing.assert_array_equal(v[0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(v.argmax(axis=1), [1, 0, 9])
    assert v.sum() == 3


def test_standard_scale_by_hand():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    np.testing.assert_array_equal(standard_scale(X), [[-1.0, 0.0], [1.0, 0.0]])


def test_standard_scale_digits_matches_seed(digits):
    X, _ = digits
    assert X.shape == (1797, 64)
    Xs = standard_scale(X)
    # seed 003 §5.1 prints the first scaled image: 0., -0.33501649, -0.04308102, 0.27407152, ...
    np.testing.assert_allclose(Xs[0, :4], [0.0, -0.33501649, -0.04308102, 0.27407152], atol=1e-8)
    np.testing.assert_allclose(Xs[0, -3:], [-1.14664746, -0.5056698, -0.19600752], atol=1e-7)


def test_train_test_split_60_40():
    X = np.arange(1797 * 2).reshape(1797, 2)
    y = np.arange(1797)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, random_state=0)
    assert (len(y_tr), len(y_te)) == (1078, 719)
    assert set(y_tr).isdisjoint(y_te) and len(set(y_tr) | set(y_te)) == 1797
    np.testing.assert_array_equal(X_tr[:, 0] // 2, y_tr)  # rows stay paired with labels
    again = train_test_split(X, y, test_size=0.4, random_state=0)
    np.testing.assert_array_equal(again[2], y_tr)
    assert not np.array_equal(y_tr[:50], np.sort(y_tr)[:50])  # shuffled, not the first 60 %


def _toy(seed=3, m=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 6))
    Y = convert_y_to_vect(rng.integers(0, 4, m), n_classes=4)
    return X, Y


def test_vectorised_gradients_equal_seed_loop():
    X, Y = _toy()
    net = SigmoidNetwork((6, 5, 4), random_state=1)
    gW, gb, cost = net.gradients(X, Y)
    lW, lb, lcost = net.gradients_looped(X, Y)
    for l in (1, 2):
        np.testing.assert_allclose(gW[l], lW[l], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(gb[l], lb[l], rtol=1e-10, atol=1e-14)
    assert cost == pytest.approx(lcost, rel=1e-12)
    h, _ = net.feed_forward(X)
    assert cost == pytest.approx(np.mean(np.linalg.norm(Y - h[3], axis=1)))


def test_gradients_match_finite_differences_of_squared_error():
    X, Y = _toy(m=10)
    net = SigmoidNetwork((6, 5, 4), random_state=2)

    def J():  # sum over samples of 1/2 ||y - h||^2
        return 0.5 * np.sum((Y - net.predict_proba(X)) ** 2)

    gW, gb, _ = net.gradients(X, Y)
    eps = 1e-6
    for l, (i, j) in [(1, (2, 3)), (2, (1, 4)), (1, (0, 0))]:
        net.W[l][i, j] += eps
        up = J()
        net.W[l][i, j] -= 2 * eps
        down = J()
        net.W[l][i, j] += eps
        assert gW[l][i, j] == pytest.approx((up - down) / (2 * eps), rel=1e-5)
    net.b[1][2] += eps
    up = J()
    net.b[1][2] -= 2 * eps
    down = J()
    net.b[1][2] += eps
    assert gb[1][2] == pytest.approx((up - down) / (2 * eps), rel=1e-5)


def test_one_update_is_w_minus_alpha_mean_gradient_and_loop_agrees():
    X, Y = _toy()
    a = SigmoidNetwork((6, 5, 4), random_state=4)
    b = SigmoidNetwork((6, 5, 4), random_state=4)
    gW, gb, _ = a.gradients(X, Y)
    W1_before = a.W[1].copy()
    a.fit(X, Y, iterations=1, alpha=0.25)
    b.fit(X, Y, iterations=1, alpha=0.25, looped=True)
    np.testing.assert_allclose(a.W[1], W1_before - 0.25 * gW[1] / len(Y), rtol=1e-12)
    for l in (1, 2):
        np.testing.assert_allclose(a.W[l], b.W[l], rtol=1e-10)
        np.testing.assert_allclose(a.b[l], b.b[l], rtol=1e-10)
    assert a.cost_history_ == pytest.approx(b.cost_history_)


def test_seed003_digits_3000_iterations_reach_86_percent(digits):
    X, y = digits
    X = standard_scale(X)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, random_state=0)
    net = SigmoidNetwork((64, 30, 10), random_state=0)
    try:  # small matrices: one BLAS thread is faster than several competing ones
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(1)
    except ImportError:
        limit = nullcontext()
    with limit:
        net.fit(X_tr, convert_y_to_vect(y_tr), iterations=3000, alpha=0.25)
    costs = np.array(net.cost_history_)
    assert len(costs) == 3000
    assert costs[-1] < costs[0] / 4  # ~2.8 -> ~0.41
    assert costs[-1] <= costs[2000]  # still going down at the end, slowly
    acc = net.score(X_te, y_te)
    assert acc >= 0.86  # seed 003 §5.5: "86 %"
    assert acc < 0.997  # and below "today's deep learning" 99.7 %
