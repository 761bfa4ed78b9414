"""Seed 000 §2.3.5: translation, rotation, scaling, linear and affine maps, and relu."""

import math

import numpy as np
import pytest

import gradwise as gw

A = [[0.5, 1.0]]  # the seed's point A


def test_translation_adds_b():
    pts = gw.viz.transform_points(A)["points"]
    np.testing.assert_allclose(pts["translation"], [[1.5, 1.25]])  # A + B, B = [1, 0.25]


def test_rotation_turns_counter_clockwise_and_keeps_lengths():
    pts = gw.viz.transform_points([[1.0, 0.0], [0.0, 2.0]], theta=math.pi / 2)["points"]
    np.testing.assert_allclose(pts["rotation"], [[0.0, 1.0], [-2.0, 0.0]], atol=1e-12)
    f = gw.viz.transform_points()["points"]
    np.testing.assert_allclose(np.linalg.norm(f["rotation"], axis=1), np.linalg.norm(f["original"], axis=1))


def test_scaling_linear_affine_and_relu():
    data = gw.viz.transform_points(A, scale=(2.0, 0.5), linear=((1.0, 2.0), (3.0, -4.0)), bias=(0.5, -1.0))
    pts = data["points"]
    np.testing.assert_allclose(pts["scaling"], [[1.0, 0.5]])
    np.testing.assert_allclose(pts["linear"], [[2.5, -2.5]])  # W • A
    np.testing.assert_allclose(pts["affine"], [[3.0, -3.5]])  # W • A + b
    np.testing.assert_allclose(pts["affine + relu"], [[3.0, 0.0]])
    np.testing.assert_allclose(data["matrices"]["S"], [[2.0, 0.0], [0.0, 0.5]])


def test_the_default_object_folds_under_relu():
    pts = gw.viz.transform_points()["points"]
    assert list(pts) == ["original", "translation", "rotation", "scaling", "linear", "affine", "affine + relu"]
    affine, folded = pts["affine"], pts["affine + relu"]
    assert (affine < 0).any() and (folded >= 0).all()
    np.testing.assert_array_equal(folded, np.maximum(affine, 0))


def test_points_must_be_pairs():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        gw.viz.transform_points([[1.0, 2.0, 3.0]])


def test_plot_shows_each_map():
    pytest.importorskip("matplotlib")
    fig = gw.viz.plot_geometry(theta=0.3)
    assert len(fig.axes) == 8
    line = fig.axes[2].get_lines()[-1]
    np.testing.assert_allclose(line.get_xdata(), fig.gradwise_data["points"]["rotation"][:, 0])
