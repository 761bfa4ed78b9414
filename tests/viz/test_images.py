"""A grid of data-set images with labels (seed 000 Fig. 2.2: the fourth training digit)."""

import numpy as np
import pytest

import gradwise as gw

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def digits():
    return gw.datasets.digits.load_data()


def test_one_image_as_fig_2_2(digits, tmp_path):
    images, labels = digits
    fig = gw.viz.plot_images(images[4], labels[4], path=tmp_path / "digit.png")
    data = fig.gradwise_data
    assert data["images"].shape == (1, 8, 8) and data["labels"] == ["4"]
    np.testing.assert_array_equal(data["images"][0], images[4])
    assert fig.axes[0].get_title() == "4"
    assert (tmp_path / "digit.png").read_bytes()[:4] == b"\x89PNG"


def test_grid_with_class_names(digits):
    images, labels = digits
    names = [f"class {i}" for i in range(10)]
    fig = gw.viz.plot_images(images[:10], labels[:10], class_names=names, ncols=5)
    assert len(fig.axes) == 10
    assert fig.gradwise_data["labels"] == [names[v] for v in labels[:10]]
    assert [ax.get_title() for ax in fig.axes[:3]] == names[:3]


def test_tensors_and_channel_axis_are_accepted():
    fig = gw.viz.plot_images(gw.constant(np.zeros((2, 4, 4, 1), "float32")))
    assert fig.gradwise_data["images"].shape == (2, 4, 4) and fig.gradwise_data["labels"] is None


@pytest.mark.parametrize("images, labels, message", [
    (np.zeros((101, 4, 4)), None, "1 to 100 images"),
    (np.zeros((3, 4, 4)), [1, 2], "3 images but 2 labels"),
    (np.zeros(5), None, "expects images shaped"),
])
def test_bad_input_is_explained(images, labels, message):
    with pytest.raises(ValueError, match=message):
        gw.viz.plot_images(images, labels)
