"""Activation layers: values worked out by hand (and against PyTorch when installed), float64
gradient checks, PReLU learning its slope, RReLU's training/inference split, Maxout's groups,
config round trips and a save/load of a model holding every one of them."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers import ELU, LeakyReLU, Maxout, PReLU, ReLU, RReLU, Softmax
from gradwise.layers.activations import prelu

rng = np.random.default_rng(42)
X = np.array([[-10.0, -5.0, -0.5, 0.0, 0.5, 5.0, 10.0]])


def off_kinks(*shape):
    """|x| in [0.3, 2] with random signs: finite differences stay off the kink at 0."""
    return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def f64(x):
    return gw.Tensor(x, dtype="float64")


# --- forward values -------------------------------------------------------------------------
def test_relu_options_by_hand():
    np.testing.assert_allclose(ReLU()(X).numpy(), [[0, 0, 0, 0, 0.5, 5, 10]])
    np.testing.assert_allclose(ReLU(max_value=10, negative_slope=0.5)(X).numpy(),
                               [[-5, -2.5, -0.25, 0, 0.5, 5, 10]])
    np.testing.assert_allclose(ReLU(max_value=6.0)(X).numpy(), [[0, 0, 0, 0, 0.5, 5, 6]])
    # below or at the threshold: negative_slope · (x - threshold)
    np.testing.assert_allclose(ReLU(threshold=0.5, negative_slope=0.1)(X).numpy(),
                               [[-1.05, -0.55, -0.1, -0.05, 0, 5, 10]], rtol=1e-6)


def test_leaky_relu_default_slope_is_keras3s_and_alpha_is_accepted():
    np.testing.assert_allclose(LeakyReLU()(X).numpy(), [[-3, -1.5, -0.15, 0, 0.5, 5, 10]], rtol=1e-6)
    layer = LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    np.testing.assert_allclose(layer(X).numpy(), [[-1, -0.5, -0.05, 0, 0.5, 5, 10]], rtol=1e-6)


def test_elu_by_hand():
    out = ELU(alpha=2.0)(np.array([[-1.0, 0.0, 3.0]])).numpy()
    np.testing.assert_allclose(out, [[2 * (np.exp(-1) - 1), 0, 3]], rtol=1e-6)


def test_softmax_by_hand_and_along_an_axis():
    np.testing.assert_allclose(Softmax()(np.array([[1.0, 2.0, 1.0]])).numpy(),
                               [[0.21194156, 0.57611688, 0.21194156]], rtol=1e-6)
    x = rng.normal(size=(2, 3, 4))
    e = np.exp(x)
    np.testing.assert_allclose(Softmax(axis=1)(x).numpy(), e / e.sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(Softmax(axis=(1, 2))(x).numpy(), e / e.sum((1, 2), keepdims=True), rtol=1e-5)


def test_softmax_mask_gives_masked_entries_zero_and_renormalises_the_rest():
    x = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0]])
    mask = np.array([[True, False, True, False], [False, False, False, False]])
    out = Softmax()(x, mask=mask).numpy()
    e = np.exp([1.0, 3.0])
    np.testing.assert_allclose(out[0], [e[0] / e.sum(), 0, e[1] / e.sum(), 0], rtol=1e-6)
    np.testing.assert_array_equal(out[1], 0)  # a fully masked row gives zeros, not 1/4 each
    np.testing.assert_allclose(Softmax()(x, mask=mask.astype(float)).numpy(), out)  # 0/1 masks too
    with pytest.raises(ShapeError, match=r"mask of shape \(3,\).*\(2, 4\)"):
        Softmax()(x, mask=np.ones(3, bool))


def test_prelu_weight_shape_and_forward():
    layer = PReLU(alpha_initializer="ones")
    layer(np.zeros((2, 4, 5, 3), np.float32))
    assert layer.alpha.shape == (4, 5, 3)
    images = PReLU(shared_axes=[1, 2])
    images(np.zeros((2, 4, 5, 3), np.float32))
    assert images.alpha.shape == (1, 1, 3)  # one slope per channel
    images.set_weights([np.array([[[0.1, 0.2, 0.3]]])])
    x = -np.ones((1, 2, 2, 3), np.float32)
    np.testing.assert_allclose(images(x).numpy(), np.broadcast_to([-0.1, -0.2, -0.3], (1, 2, 2, 3)), rtol=1e-6)
    assert PReLU()(X).numpy().tolist() == ReLU()(X).numpy().tolist()  # alpha starts at 0: a ReLU


def test_prelu_errors_name_the_problem():
    with pytest.raises(ShapeError, match="shared axis 0 is out of range"):
        PReLU(shared_axes=0)(np.zeros((2, 3)))
    layer = PReLU()
    layer(np.zeros((2, 3)))
    with pytest.raises(ShapeError, match=r"built for inputs of shape \(None, 3\).*\(2, 4\)"):
        layer(np.zeros((2, 4)))
    shared = PReLU(shared_axes=1)
    shared(np.zeros((2, 3, 4)))
    assert shared(np.zeros((5, 7, 4))).shape == (5, 7, 4)  # the shared axis may change size


def test_rrelu_inference_uses_the_mean_slope():
    layer = RReLU(lower=0.1, upper=0.3)
    for training in (False, None):
        np.testing.assert_allclose(layer(X, training=training).numpy(), [[-2, -1, -0.1, 0, 0.5, 5, 10]], rtol=1e-6)


def test_rrelu_training_draws_a_slope_per_element_in_the_bounds():
    lower, upper = 1 / 8, 1 / 3
    x = -np.ones((200, 500), np.float32)
    out = RReLU(seed=0)(x, training=True).numpy()
    slopes = -out
    assert slopes.min() >= lower and slopes.max() <= upper
    assert len(np.unique(slopes)) > 1000  # one draw per element
    n = slopes.size  # uniform: mean (l+u)/2, std (u-l)/√12
    assert abs(slopes.mean() - (lower + upper) / 2) < 5 * (upper - lower) / np.sqrt(12 * n)
    positive = np.abs(rng.normal(size=(3, 4))) + 0.1
    np.testing.assert_allclose(RReLU()(positive, training=True).numpy(), positive, rtol=1e-6)


def test_rrelu_is_reproducible_with_seeds():
    x = rng.normal(size=(20, 30)).astype(np.float32)
    a, b, c = (RReLU(seed=s)(x, training=True).numpy() for s in (3, 3, 4))
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()
    layer = RReLU()
    gw.random.seed(11)
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert (first != second).any()  # new slopes at every call
    gw.random.seed(11)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), first)


def test_rrelu_training_gradient_is_the_drawn_slope():
    x = gw.Variable(off_kinks(6, 7).astype(np.float32))
    with gw.GradientTape() as tape:
        y = RReLU(seed=5)(x, training=True)
    slope = y.numpy() / x.numpy()
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), slope, rtol=1e-6)


def test_rrelu_rejects_bad_bounds():
    with pytest.raises(ValueError, match="lower must be <= upper"):
        RReLU(lower=0.5, upper=0.2)
    with pytest.raises(ValueError, match="lower must be >= 0"):
        RReLU(lower=-0.5, upper=0.2)


def test_maxout_takes_the_max_of_strided_groups():
    x = np.array([[1.0, 8.0, 3.0, 4.0, 5.0, 2.0]])
    # num_units=2, k=3: unit 0 = max(x0, x2, x4), unit 1 = max(x1, x3, x5)
    np.testing.assert_array_equal(Maxout(2)(x).numpy(), [[5, 8]])
    np.testing.assert_array_equal(Maxout(3)(x).numpy(), [[4, 8, 3]])  # max(x0,x3), max(x1,x4), max(x2,x5)
    feats = rng.normal(size=(2, 6, 5))
    out = Maxout(3, axis=1)(feats).numpy()
    assert out.shape == (2, 3, 5)
    np.testing.assert_allclose(out, np.maximum(feats[:, :3], feats[:, 3:]), rtol=1e-6)
    assert Maxout(3, axis=1).compute_output_shape((None, 6, 5)) == (None, 3, 5)


def test_maxout_after_dense_is_the_seeds_max_of_affine_maps():
    gw.random.seed(0)
    dense, maxout = gw.layers.Dense(4), Maxout(2)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    out = maxout(dense(x)).numpy()
    w, b = dense.get_weights()
    z = x @ w + b  # units j and j + 2 compete: max(w_jᵀx + b_j, w_{j+2}ᵀx + b_{j+2})
    np.testing.assert_allclose(out, np.maximum(z[:, :2], z[:, 2:]), rtol=1e-5)


def test_maxout_errors():
    with pytest.raises(ShapeError, match=r"10 features on axis -1 cannot be split into num_units=3.*\[1, 2, 5, 10\]"):
        Maxout(3)(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="num_units must be a positive integer"):
        Maxout(0)
    with pytest.raises(ShapeError, match="axis 0 is the batch"):
        Maxout(2, axis=0)(np.zeros((4, 4)))


@pytest.mark.parametrize("make,kwargs,message", [
    (ReLU, {"max_value": -1.0}, "max_value must be >= 0"),
    (ReLU, {"negative_slope": None}, "negative_slope must be a number"),
    (ReLU, {"threshold": -0.5}, "threshold must be >= 0"),
    (LeakyReLU, {"negative_slope": -0.1}, "negative_slope must be >= 0"),
    (ELU, {"alpha": "large"}, "alpha must be a number"),
    (Softmax, {"axis": 1.5}, "axis must be an int"),
])
def test_invalid_arguments_name_the_argument(make, kwargs, message):
    with pytest.raises(ValueError, match=f"{make.__name__}: {message}"):
        make(**kwargs)


# --- gradients (float64, central differences) -------------------------------------------------
LAYERS = {
    "relu": lambda: ReLU(),
    "relu-all-options": lambda: ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2),
    "leaky_relu": lambda: LeakyReLU(),
    "elu": lambda: ELU(alpha=0.7),
    "softmax": lambda: Softmax(),
    "softmax-axis0": lambda: Softmax(axis=0),
    "prelu": lambda: PReLU(alpha_initializer=gw.initializers.Constant(0.25), dtype="float64"),
    "rrelu-inference": lambda: RReLU(),
    "maxout": lambda: Maxout(2),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_input_gradient_matches_finite_differences(name):
    layer = LAYERS[name]()
    x = off_kinks(3, 4)
    if name == "relu-all-options":
        x = np.array([[-1.0, 0.7, 1.0, 1.9], [0.5, -0.3, 2.0, 1.2]])  # off 0.2 and 1.5
    if name == "maxout":
        x = (rng.permutation(12) * 0.37 - 2).reshape(3, 4)  # no ties within a group
    assert gw.check_gradients(lambda t: layer(t), [x]) is True


def test_softmax_with_mask_gradient():
    mask = np.array([[True, False, True, True], [True, True, False, True], [False, True, True, True]])
    assert gw.check_gradients(lambda t: Softmax()(t, mask=mask), [rng.normal(size=(3, 4))]) is True


def test_rrelu_training_gradient_with_the_same_draws():
    layer = RReLU()

    def fn(t):
        gw.random.seed(9)  # the same slopes at every evaluation of fn
        return layer(t, training=True)

    assert gw.check_gradients(fn, [off_kinks(4, 5)]) is True


@pytest.mark.parametrize("alpha_shape", [(4,), (1,), (3, 4)])
def test_prelu_gradient_for_input_and_alpha(alpha_shape):
    x = off_kinks(5, 3, 4)
    assert gw.check_gradients(prelu, [x, rng.uniform(0.0, 0.5, alpha_shape)]) is True


# --- PyTorch as an oracle ----------------------------------------------------------------------
def test_against_pytorch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = off_kinks(4, 6)
    x[0, :3] = 0.0  # kinks at 0: the gradient conventions must match PyTorch's too
    alpha = rng.uniform(0.05, 0.5, 6)
    cases = [
        (lambda t: ReLU()(t), lambda t: F.relu(t)),
        (lambda t: ReLU(max_value=6.0)(t * 4), lambda t: F.relu6(t * 4)),
        (lambda t: LeakyReLU(0.01)(t), lambda t: F.leaky_relu(t, 0.01)),
        (lambda t: ELU(alpha=1.5)(t), lambda t: F.elu(t, 1.5)),
        (lambda t: Softmax()(t), lambda t: torch.softmax(t, -1)),
        (lambda t: RReLU(0.1, 0.4)(t), lambda t: F.rrelu(t, 0.1, 0.4, training=False)),
    ]
    w = rng.normal(size=x.shape)
    for gw_fn, torch_fn in cases:
        t = torch.tensor(x, requires_grad=True)
        (torch_fn(t) * torch.from_numpy(w)).sum().backward()
        v = gw.Variable(x, dtype="float64")
        with gw.GradientTape() as tape:
            out = gw_fn(v)
            loss = gw.reduce_sum(out * w)
        np.testing.assert_allclose(out.numpy(), torch_fn(torch.tensor(x)).numpy(), rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(tape.gradient(loss, v).numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)
    # PReLU: gradients for the input and for the learned slope
    t, a = torch.tensor(x, requires_grad=True), torch.tensor(alpha, requires_grad=True)
    (F.prelu(t, a) * torch.from_numpy(w)).sum().backward()
    v, va = gw.Variable(x, dtype="float64"), gw.Variable(alpha, dtype="float64")
    with gw.GradientTape() as tape:
        out = prelu(v, va)
        loss = gw.reduce_sum(out * w)
    gx, ga = tape.gradient(loss, [v, va])
    np.testing.assert_allclose(out.numpy(), F.prelu(torch.tensor(x), torch.tensor(alpha)).numpy(), rtol=1e-7)
    np.testing.assert_allclose(gx.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(ga.numpy(), a.grad.numpy(), rtol=1e-7, atol=1e-12)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    x = off_kinks(3, 5).astype(np.float32)
    mask = x > -1
    pairs = [
        (ReLU(max_value=1.0, negative_slope=0.2, threshold=0.5), keras.layers.ReLU(1.0, 0.2, 0.5)),
        (LeakyReLU(), keras.layers.LeakyReLU()),
        (ELU(0.5), keras.layers.ELU(0.5)),
        (PReLU(alpha_initializer=gw.initializers.Constant(0.3)),
         keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.3))),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), rtol=1e-6)
    np.testing.assert_allclose(Softmax()(x, mask=mask).numpy(), np.asarray(keras.layers.Softmax()(x, mask=mask)),
                               rtol=1e-6)


# --- learning, config, saving --------------------------------------------------------------------
def test_prelu_alpha_is_trainable_and_learns_the_slope():
    gw.random.seed(0)
    x = rng.normal(size=(256, 3)).astype(np.float32)
    y = np.where(x > 0, x, 0.25 * x)  # a leaky relu with slope 0.25 to recover
    layer = PReLU()
    model = gw.Sequential([layer])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.5), loss="mse")
    model.fit(x, y, epochs=20, batch_size=64, verbose=0)
    assert [w.name for w in layer.trainable_weights] == [f"{layer.name}/alpha"]
    np.testing.assert_allclose(layer.alpha.numpy(), 0.25, atol=0.01)


def test_prelu_non_neg_constraint_keeps_alpha_at_or_above_zero():
    x = rng.normal(size=(128, 2)).astype(np.float32)
    layer = PReLU(alpha_initializer=gw.initializers.Constant(0.2), alpha_constraint="non_neg")
    model = gw.Sequential([layer])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.5), loss="mse")
    model.fit(x, np.where(x > 0, x, -0.5 * x), epochs=5, batch_size=32, verbose=0)  # pulls alpha below 0
    np.testing.assert_array_equal(layer(x).numpy(), np.maximum(x, 0))  # the projected slope: 0, not < 0
    np.testing.assert_array_equal(layer.alpha.numpy(), 0)
    assert layer.get_config()["alpha_constraint"] == {"class_name": "NonNeg", "config": {}}
    assert isinstance(PReLU.from_config(layer.get_config())._constraints["alpha"], gw.constraints.NonNeg)
    with pytest.raises(gw.errors.UnknownNameError, match="positive"):
        PReLU(alpha_constraint="positive")


CONFIGS = [
    ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5), LeakyReLU(0.2), ELU(0.5), Softmax(axis=(1, 2)),
    Softmax(axis=0), PReLU(alpha_initializer="ones", alpha_regularizer="l2", shared_axes=[1]),
    RReLU(0.2, 0.4, seed=3), Maxout(4, axis=1),
]


@pytest.mark.parametrize("layer", CONFIGS, ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


def test_model_with_every_activation_layer_saves_and_loads(tmp_path):
    gw.random.seed(1)
    model = gw.Sequential([
        gw.Input((6,)), gw.layers.Dense(8), ReLU(max_value=6.0), gw.layers.Dense(8), LeakyReLU(),
        gw.layers.Dense(8), PReLU(alpha_initializer=gw.initializers.Constant(0.2)), ELU(), RReLU(),
        gw.layers.Dense(8), Maxout(4), gw.layers.Dense(3), Softmax(),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = rng.normal(size=(32, 6)).astype(np.float32)
    model.fit(x, rng.integers(0, 3, 32), epochs=1, verbose=0)
    path = tmp_path / "acts.gw"
    model.save(path)
    clone = gw.models.load_model(path)
    assert [type(layer).__name__ for layer in clone.layers] == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
