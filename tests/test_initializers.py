"""Initializers: Keras 3's formulas (checked by the statistics of large draws), fans, seeding,
lookup by name, configs and errors."""

import math

import numpy as np
import pytest

import gradwise as gw
from gradwise import initializers as init
from gradwise.errors import DTypeError, ShapeError, UnknownNameError

TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


@pytest.mark.parametrize("shape,fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((784, 512), (784, 512)),
    ((3, 3, 16, 32), (3 * 3 * 16, 3 * 3 * 32)),  # conv2d kernel (kh, kw, in, out)
    ((5, 4, 8), (5 * 4, 5 * 8)),  # conv1d kernel (k, in, out)
    ((2, 3, 3, 4, 6), (2 * 3 * 3 * 4, 2 * 3 * 3 * 6)),  # conv3d kernel
])
def test_fans_follow_keras(shape, fans):
    assert init.compute_fans(shape) == fans


def test_fans_from_explicit_axes():
    assert init.compute_fans((4, 5, 6), input_axes=[0, 1], output_axes=[2]) == (20, 6)


# (initializer, shape, n used by the formula, scale, distribution)
VARIANCE_SCALING = [
    (init.GlorotUniform, (400, 600), (400 + 600) / 2, 1.0, "uniform"),
    (init.GlorotNormal, (400, 600), (400 + 600) / 2, 1.0, "truncated"),
    (init.HeNormal, (1000, 300), 1000, 2.0, "truncated"),
    (init.HeUniform, (1000, 300), 1000, 2.0, "uniform"),
    (init.LecunNormal, (500, 600), 500, 1.0, "truncated"),
    (init.LecunUniform, (500, 600), 500, 1.0, "uniform"),
    (init.HeNormal, (3, 3, 32, 64), 3 * 3 * 32, 2.0, "truncated"),
    (init.GlorotUniform, (3, 3, 32, 64), (3 * 3 * 32 + 3 * 3 * 64) / 2, 1.0, "uniform"),
]


@pytest.mark.parametrize("cls,shape,n,scale,dist", VARIANCE_SCALING,
                         ids=[f"{c.__name__}{s}" for c, s, *_ in VARIANCE_SCALING])
def test_variance_scaling_statistics(cls, shape, n, scale, dist):
    x = cls(seed=1)(shape)
    assert x.shape == shape and x.dtype == np.float32
    std = math.sqrt(scale / n)  # every member targets variance scale / n
    assert abs(x.mean()) < 0.02 * std
    assert x.std() == pytest.approx(std, rel=0.02)
    if dist == "uniform":  # U[-limit, limit], limit = sqrt(3 * scale / n)
        limit = math.sqrt(3 * scale / n)
        assert np.abs(x).max() <= limit and np.abs(x).max() > 0.999 * limit
    else:  # truncated at 2 stddev of the untruncated N(0, (std / 0.8796)^2)
        bound = 2 * std / TRUNC
        assert np.abs(x).max() <= bound * (1 + 1e-6) and np.abs(x).max() > 0.99 * bound


def test_variance_scaling_modes_and_untruncated_normal():
    shape = (300, 1200)
    assert init.VarianceScaling(1.0, "fan_out", "uniform", seed=0)(shape).std() == \
        pytest.approx(math.sqrt(1 / 1200), rel=0.02)
    assert init.VarianceScaling(3.0, "fan_avg", "uniform", seed=0)(shape).std() == \
        pytest.approx(math.sqrt(3 / 750), rel=0.02)
    x = init.VarianceScaling(0.5, "fan_in", "untruncated_normal", seed=0)(shape)
    std = math.sqrt(0.5 / 300)
    assert x.std() == pytest.approx(std, rel=0.02)
    assert np.abs(x).max() > 3 * std  # not truncated
    assert init.VarianceScaling(distribution="normal").distribution == "truncated_normal"


def test_scale_uses_at_least_one_for_n():
    x = init.VarianceScaling(1.0, "fan_in", "uniform", seed=0)(())  # n = max(1, 1)
    assert abs(float(x)) <= math.sqrt(3.0)


def test_random_normal_uniform_truncated_statistics():
    x = init.RandomNormal(mean=1.0, stddev=0.5, seed=0)((200, 500))
    assert x.mean() == pytest.approx(1.0, abs=0.01) and x.std() == pytest.approx(0.5, rel=0.02)
    u = init.RandomUniform(minval=-1.0, maxval=3.0, seed=0)((200, 500))
    assert u.min() >= -1.0 and u.max() < 3.0 and u.mean() == pytest.approx(1.0, abs=0.02)
    assert u.std() == pytest.approx(4 / math.sqrt(12), rel=0.02)
    t = init.TruncatedNormal(mean=-2.0, stddev=0.1, seed=0)((200, 500))
    assert t.min() >= -2.2 - 1e-6 and t.max() <= -1.8 + 1e-6
    assert t.std() == pytest.approx(0.1 * TRUNC, rel=0.02)


def test_keras_default_arguments():
    assert init.RandomNormal().get_config() == {"seed": None, "mean": 0.0, "stddev": 0.05}
    assert init.RandomUniform().get_config() == {"seed": None, "minval": -0.05, "maxval": 0.05}
    assert init.TruncatedNormal().get_config() == {"seed": None, "mean": 0.0, "stddev": 0.05}
    assert init.VarianceScaling().get_config() == {
        "seed": None, "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal",
        "input_axes": None, "output_axes": None}
    assert init.GlorotUniform().get_config() == {"seed": None, "input_axes": None,
                                                 "output_axes": None}
    assert init.Constant().get_config() == {"value": 0.0}


def test_constants():
    np.testing.assert_array_equal(init.Zeros()((2, 3)), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(init.Ones()((4,), dtype="int32"), np.ones(4, np.int32))
    c = init.Constant(0.25)((2, 2), dtype="float64")
    assert c.dtype == np.float64 and (c == 0.25).all()
    assert init.Zeros()((3,)).dtype == np.float32
    np.testing.assert_array_equal(init.Identity(gain=2.0)((2, 3)), 2 * np.eye(2, 3))


def test_orthogonal():
    q = init.Orthogonal(seed=0)((6, 4))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)  # orthonormal columns
    r = init.Orthogonal(gain=3.0, seed=0)((4, 6))
    np.testing.assert_allclose(r @ r.T, 9 * np.eye(4), atol=1e-4)  # orthogonal rows, times gain^2
    k = init.Orthogonal(seed=0)((3, 3, 2, 8)).reshape(18, 8)
    np.testing.assert_allclose(k.T @ k, np.eye(8), atol=1e-5)
    with pytest.raises(ShapeError, match="rank"):
        init.Orthogonal()((5,))


def test_dtypes():
    assert init.HeNormal(seed=0)((3, 3), dtype="float64").dtype == np.float64
    assert init.RandomUniform(seed=0)((3,), dtype=np.float16).dtype == np.float16
    with pytest.raises(DTypeError, match="int32"):
        init.GlorotUniform()((3, 3), dtype="int32")


def test_gw_random_seed_makes_initializers_reproducible():
    gw.random.seed(123)
    a = [init.GlorotUniform()((20, 30)), init.HeNormal()((20, 30)), init.RandomNormal()((5,))]
    gw.random.seed(123)
    b = [init.GlorotUniform()((20, 30)), init.HeNormal()((20, 30)), init.RandomNormal()((5,))]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    gw.random.seed(124)
    assert not np.array_equal(init.GlorotUniform()((20, 30)), a[0])


def test_an_instance_repeats_its_values_like_keras_3():
    seeded = init.HeUniform(seed=7)
    np.testing.assert_array_equal(seeded((4, 5)), seeded((4, 5)))
    np.testing.assert_array_equal(seeded((4, 5)), init.HeUniform(seed=7)((4, 5)))
    assert not np.array_equal(seeded((4, 5)), init.HeUniform(seed=8)((4, 5)))
    unseeded = init.GlorotNormal()  # Keras 3: an unseeded instance repeats too
    np.testing.assert_array_equal(unseeded((4, 5)), unseeded((4, 5)))
    assert not np.array_equal(unseeded((4, 5)), init.GlorotNormal()((4, 5)))


def test_a_generator_seed_gives_fresh_values_each_call():
    rng = np.random.default_rng(0)
    fresh = init.RandomNormal(seed=rng)
    assert not np.array_equal(fresh((10,)), fresh((10,)))


@pytest.mark.parametrize("name,cls", [
    ("glorot_uniform", init.GlorotUniform), ("GlorotUniform", init.GlorotUniform),
    ("glorot_normal", init.GlorotNormal), ("he_normal", init.HeNormal),
    ("he_uniform", init.HeUniform), ("lecun_normal", init.LecunNormal),
    ("lecun_uniform", init.LecunUniform), ("random_normal", init.RandomNormal),
    ("random_uniform", init.RandomUniform), ("truncated_normal", init.TruncatedNormal),
    ("variance_scaling", init.VarianceScaling), ("zeros", init.Zeros), ("ones", init.Ones),
    ("constant", init.Constant), ("orthogonal", init.Orthogonal), ("identity", init.Identity),
    ("normal", init.RandomNormal), ("uniform", init.RandomUniform), ("zero", init.Zeros),
    ("one", init.Ones),
])
def test_get_by_name(name, cls):
    assert type(init.get(name)) is cls


def test_get_makes_a_new_instance_per_call():
    assert init.get("glorot_uniform") is not init.get("glorot_uniform")


def test_get_other_identifiers():
    he = init.HeNormal(seed=3)
    assert init.get(he) is he
    assert init.get(None) is None
    assert isinstance(init.get(init.Ones), init.Ones)

    def fn(shape, dtype=None):
        return np.full(shape, 2.0, dtype or "float32")

    assert init.get(fn) is fn
    values = np.arange(6.0).reshape(2, 3)
    from_array = init.get(values)
    np.testing.assert_array_equal(from_array((2, 3)), values.astype(np.float32))
    with pytest.raises(ShapeError, match=r"\(2, 3\)"):
        from_array((3, 2))
    made = init.get({"class_name": "RandomUniform", "config": {"minval": 0.0, "maxval": 1.0,
                                                               "seed": 2}})
    assert isinstance(made, init.RandomUniform) and made.maxval == 1.0


def test_unknown_names_list_the_known_ones():
    with pytest.raises(UnknownNameError) as err:
        init.get("glorot_unifrom")
    message = str(err.value)
    assert "glorot_unifrom" in message and "glorot_uniform" in message and "he_normal" in message
    with pytest.raises(UnknownNameError):
        init.get("Glorot_Uniform")  # names are case-sensitive, as in Keras
    with pytest.raises(ValueError, match="Could not interpret"):
        init.get(3.5)


@pytest.mark.parametrize("original", [
    init.GlorotUniform(seed=5), init.HeNormal(seed=6), init.VarianceScaling(0.3, "fan_out", "uniform", seed=2),
    init.RandomNormal(0.5, 0.2, seed=3), init.RandomUniform(-2, 2, seed=4),
    init.TruncatedNormal(1.0, 0.3, seed=5), init.Constant(0.7), init.Orthogonal(2.0, seed=1),
    init.Zeros(), init.Identity(0.5),
], ids=lambda i: type(i).__name__)
def test_config_round_trip_reproduces_seeded_values(original):
    shape = (4, 3)
    clone = type(original).from_config(original.get_config())
    np.testing.assert_array_equal(clone(shape), original(shape))
    again = init.get(init.serialize(original))
    assert type(again) is type(original)
    np.testing.assert_array_equal(again(shape), original(shape))


def test_serialize_format():
    assert init.serialize(init.HeNormal(seed=3)) == {
        "module": "gradwise.initializers", "class_name": "HeNormal",
        "config": {"seed": 3, "input_axes": None, "output_axes": None}, "registered_name": None}


def test_argument_errors_quote_the_value():
    with pytest.raises(ValueError, match="scale=0"):
        init.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="fan_sum"):
        init.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="poisson"):
        init.VarianceScaling(distribution="poisson")
    with pytest.raises(ValueError, match="seed='abc'"):
        init.RandomNormal(seed="abc")


def test_global_numpy_random_state_is_untouched():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    init.GlorotUniform()((10, 10))
    init.RandomNormal(seed=1)((10,))
    assert np.random.rand() == expected
