"""Keras names gradwise leaves out on purpose fail with advice, not a bare AttributeError."""

import pytest

import gradwise as gw


@pytest.mark.parametrize("module, name, advice", [
    (gw.callbacks, "TensorBoard", "CSVLogger"),
    (gw.datasets, "cifar10", "fashion_mnist"),
    (gw.datasets, "imdb", "NumPy"),
    (gw.utils, "plot_model", "model.summary()"),
    (gw.layers, "TextVectorization", "pad_sequences"),
    (gw.layers, "MultiHeadAttention", "Keras"),
    (gw.layers, "RNN", "LSTM"),
    (gw.optimizers, "Ftrl", "Adam"),
])
def test_a_known_gap_names_what_to_use_instead(module, name, advice):
    with pytest.raises(AttributeError, match=f"{module.__name__}.{name} is not part of gradwise") as info:
        getattr(module, name)
    assert advice in str(info.value)
    assert not hasattr(module, name)


def test_any_other_missing_name_is_the_usual_attribute_error():
    with pytest.raises(AttributeError, match="module 'gradwise.callbacks' has no attribute 'EarlyStoping'"):
        gw.callbacks.EarlyStoping  # noqa: B018
