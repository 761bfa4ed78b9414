import os

import numpy as np
import pytest

import gradwise as gw


def test_to_categorical_matches_keras_layout():
    np.testing.assert_array_equal(gw.utils.to_categorical([1, 0, 2]), [[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    out = gw.utils.to_categorical(np.array([[3], [1]]), num_classes=5)
    assert out.shape == (2, 5) and out.dtype == np.float32 and out[0, 3] == 1
    assert gw.utils.to_categorical(np.array([[1, 2], [0, 1]])).shape == (2, 2, 3)


def test_to_categorical_errors():
    with pytest.raises(ValueError, match="num_classes=3"):
        gw.utils.to_categorical([0, 5], num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        gw.utils.to_categorical([-1, 0])


def test_pad_sequences_pads_and_truncates_at_either_end():
    seqs = [[1, 2], [3], [4, 5, 6, 7], []]
    np.testing.assert_array_equal(gw.utils.pad_sequences(seqs), [[0, 0, 1, 2], [0, 0, 0, 3], [4, 5, 6, 7], [0, 0, 0, 0]])
    out = gw.utils.pad_sequences(seqs, maxlen=3, padding="post", truncating="post", value=-1)
    np.testing.assert_array_equal(out, [[1, 2, -1], [3, -1, -1], [4, 5, 6], [-1, -1, -1]])
    np.testing.assert_array_equal(gw.utils.pad_sequences(seqs, maxlen=2)[2], [6, 7])  # "pre" drops the start
    assert gw.utils.pad_sequences(seqs).dtype == np.int32
    vectors = gw.utils.pad_sequences([[[1, 1], [2, 2]], [[3, 3]]], dtype="float32")
    assert vectors.shape == (2, 2, 2) and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors[1], [[0, 0], [3, 3]])


def test_pad_sequences_errors_name_the_problem():
    with pytest.raises(ValueError, match='padding must be "pre" or "post"'):
        gw.utils.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="sequence 1 is not a sequence"):
        gw.utils.pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="items of sequence 1 have shape"):
        gw.utils.pad_sequences([[[1, 1]], [[1, 1, 1]]])


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_pad_sequences_matches_keras():
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    seqs = [list(rng.integers(1, 9, rng.integers(0, 7))) for _ in range(12)]
    for kwargs in ({}, {"maxlen": 4}, {"maxlen": 8, "padding": "post"}, {"maxlen": 3, "truncating": "post"},
                   {"maxlen": 5, "dtype": "float32", "value": 0.5, "padding": "post", "truncating": "post"}):
        ours, theirs = gw.utils.pad_sequences(seqs, **kwargs), keras.utils.pad_sequences(seqs, **kwargs)
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype


def test_normalize_divides_by_the_norm_and_keeps_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(gw.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0], [2 ** -0.5, -(2 ** -0.5)]])
    np.testing.assert_allclose(gw.utils.normalize(x, axis=0, order=1), x / np.array([4.0, 5.0]))
