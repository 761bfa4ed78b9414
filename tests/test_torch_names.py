"""PyTorch's tensor-and-autograd names: a torch program runs with `import gradwise as torch`."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import GradientError


def _linear_regression(torch, steps=50, lr=0.1):
    """torch's canonical manual-SGD loop, written once for both libraries."""
    rng = np.random.default_rng(0)
    features = rng.standard_normal((64, 3)).astype(np.float32)
    targets = (features @ np.array([[2.0], [-1.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    x, y = torch.from_numpy(features), torch.tensor(targets)
    w = torch.tensor(np.full((3, 1), 0.1, np.float32), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(steps):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return loss.item(), w.detach().numpy().copy(), b.item()


def test_manual_sgd_loop_finds_the_generating_weights():
    loss, w, b = _linear_regression(gw)
    np.testing.assert_allclose(w.ravel(), [2.0, -1.0, 0.5], atol=2e-3)
    assert b == pytest.approx(0.3, abs=2e-3) and loss < 1e-5


def test_manual_sgd_loop_matches_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = _linear_regression(gw), _linear_regression(torch)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-3)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5)
    assert ours[2] == pytest.approx(theirs[2], rel=1e-5)


def test_in_place_update_of_a_leaf_outside_no_grad_is_refused_and_changes_nothing():
    w = gw.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GradientError, match="no_grad"):
        w -= 0.5
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


def test_in_place_update_under_no_grad_keeps_the_same_leaf():
    w = gw.tensor([1.0, 2.0], requires_grad=True)
    before = w
    with gw.no_grad():
        w *= 3
        w += gw.tensor([1.0, 1.0])
        w /= 2
    assert w is before and w.requires_grad and w.is_leaf
    np.testing.assert_array_equal(w.numpy(), [2.0, 3.5])


def test_augmented_assignment_on_a_computed_tensor_makes_a_new_one_in_the_graph():
    x = gw.tensor([1.0, -2.0], requires_grad=True)
    y = x * 2
    y += x  # y = 3x, recorded
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_tensor_copies_and_from_numpy_shares():
    source = np.array([1.0, 2.0], np.float32)
    copied, shared = gw.tensor(source), gw.from_numpy(source)
    source[0] = 9.0
    assert copied.numpy()[0] == 1.0 and shared.numpy()[0] == 9.0
    assert gw.from_numpy(np.zeros(2)).dtype == np.float64  # as torch: the array's dtype stays
    assert gw.tensor([1.5]).dtype == gw.float32


def test_manual_seed_makes_randn_and_rand_repeat():
    gw.manual_seed(3)
    a, u = gw.randn(2, 3), gw.rand((4,))
    gw.manual_seed(3)
    np.testing.assert_array_equal(gw.randn(2, 3).numpy(), a.numpy())
    np.testing.assert_array_equal(gw.rand(4).numpy(), u.numpy())
    assert a.shape == (2, 3) and 0 <= u.numpy().min() and u.numpy().max() < 1
    assert gw.randn(2, requires_grad=True).requires_grad


def test_torch_style_methods():
    x = gw.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert x.view(3, 2).shape == (3, 2) and x.t().shape == (3, 2) and x.dim() == 2
    assert x.unsqueeze(0).shape == (1, 2, 3) and x.unsqueeze(0).squeeze(0).shape == (2, 3)
    assert gw.tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape == (4, 2, 3)
    np.testing.assert_array_equal(x.sum(dim=1).numpy(), [3.0, 12.0])
    assert x.mean(dim=0, keepdim=True).shape == (1, 3)
    np.testing.assert_array_equal(x.clamp(min=1.0, max=4.0).numpy(), [[1, 1, 2], [3, 4, 4]])
    np.testing.assert_array_equal(x.clamp(max=2.0).numpy(), [[0, 1, 2], [2, 2, 2]])
    np.testing.assert_array_equal(x.argmax(dim=1).numpy(), [2, 2])
    assert x.argmax(dim=1, keepdim=True).shape == (2, 1)
    assert x.long().dtype == np.int64 and x.double().dtype == np.float64 and x.long().float().dtype == np.float32
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    np.testing.assert_allclose(x.pow(2).sqrt().numpy(), x.numpy())
    np.testing.assert_array_equal(gw.cat([x, x], dim=1).shape, (2, 6))


def test_clone_stays_in_the_graph_and_grad_zero_resets():
    x = gw.tensor([1.0, 2.0], requires_grad=True)
    (x.clone() * x).sum().backward()  # d/dx x² = 2x
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    x.grad.zero_()
    (x * 5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_retain_grad_keeps_the_gradient_of_an_intermediate_result():
    a = gw.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    c = b * b
    b.retain_grad()
    assert b.retains_grad and not c.retains_grad and b.grad_fn is not None and a.grad_fn is None
    c.sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), 2 * b.numpy())  # d Σ b² / db = 2b
    np.testing.assert_allclose(a.grad.numpy(), 8 * a.numpy())  # d Σ 4a² / da = 8a
    assert c.grad is None  # not retained: as torch, only leaves and retained tensors keep one
    c.sum().backward()  # a second backward accumulates into both, as torch with retain_graph
    np.testing.assert_allclose(b.grad.numpy(), 4 * b.numpy())


def test_retain_grad_on_a_tensor_without_gradient_is_refused():
    with pytest.raises(GradientError, match="does not require a gradient"):
        gw.tensor([1.0]).retain_grad()


def test_retain_grad_matches_pytorch():
    torch = pytest.importorskip("torch")
    values = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)

    def run(lib):
        w = lib.tensor(values, requires_grad=True)
        h = (w @ w).tanh() if hasattr(w, "tanh") else lib.tanh(w @ w)
        h.retain_grad()
        (h * h).sum().backward()
        return h.grad.detach().numpy(), w.grad.detach().numpy()

    for ours, theirs in zip(run(gw), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_zeros_and_ones_take_torch_sizes_and_keras_shape_with_dtype():
    assert gw.zeros(2, 3).shape == (2, 3) and gw.ones(4).shape == (4,)
    assert gw.zeros((2, 3), "float64").dtype == np.float64 and gw.ones([2], dtype="int32").dtype == np.int32
    z = gw.zeros(2, 2, requires_grad=True)
    assert z.requires_grad and z.dtype == np.float32
    with pytest.raises(TypeError, match="shape, dtype"):
        gw.zeros(2, "float32", 3)


def test_size_is_numpys_count_and_torchs_call():
    x = gw.zeros(2, 3)
    assert x.size == 6 and x.size + 1 == 7
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-2) == 2


def test_max_and_min_with_dim_return_values_and_indices_as_torch():
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 5.0, 5.0], [7.0, -2.0, 0.0]], np.float32)
    for name in ("max", "min"):
        for keepdim in (False, True):
            ours = getattr(gw.tensor(data), name)(dim=1, keepdim=keepdim)
            theirs = getattr(torch.tensor(data), name)(dim=1, keepdim=keepdim)
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
            assert ours.indices.dtype == np.int64
            values, indices = ours  # unpacks like torch's return type
            assert values.shape == tuple(theirs.values.shape)
    assert gw.tensor(data).max(axis=1).shape == (2,)  # NumPy/Keras style: the values alone
