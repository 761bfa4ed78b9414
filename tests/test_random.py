import numpy as np

import gradwise as gw


def test_seed_makes_draws_reproducible():
    gw.random.seed(7)
    a = gw.random.normal((3, 2)).numpy(), gw.random.uniform((4,)).numpy(), gw.random.shuffle(np.arange(10)).numpy()
    gw.random.seed(7)
    b = gw.random.normal((3, 2)).numpy(), gw.random.uniform((4,)).numpy(), gw.random.shuffle(np.arange(10)).numpy()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    gw.random.seed(8)
    assert not np.array_equal(gw.random.normal((3, 2)).numpy(), a[0])


def test_global_numpy_state_is_untouched():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    gw.random.seed(1)
    gw.random.normal((100,))
    assert np.random.rand() == expected


def test_distributions():
    gw.random.seed(0)
    n = gw.random.normal((20000,), mean=2.0, stddev=0.5).numpy()
    assert n.dtype == np.float32 and abs(n.mean() - 2.0) < 0.02 and abs(n.std() - 0.5) < 0.02
    u = gw.random.uniform((20000,), minval=-1, maxval=3).numpy()
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1.0) < 0.05
    t = gw.random.truncated_normal((20000,), stddev=1.0).numpy()
    assert np.abs(t).max() <= 2.0
    assert sorted(gw.random.shuffle(np.arange(10)).numpy().tolist()) == list(range(10))


def test_state_round_trip():
    gw.random.seed(3)
    state = gw.random.get_state()
    first = gw.random.uniform((5,)).numpy()
    gw.random.set_state(state)
    np.testing.assert_array_equal(gw.random.uniform((5,)).numpy(), first)
