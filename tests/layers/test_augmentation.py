"""Augmentation layers: identity at zero strength and at inference, seeds, exact geometry
(a translated pixel, flips, a quarter turn as np.rot90, zoom and shear of a ramp), the fill
modes, the brightness and contrast formulas, and no per-image Python loop."""

import time

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers.augmentation import (
    RandomBrightness, RandomContrast, RandomFlip, RandomRotation, RandomShear, RandomTranslation, RandomZoom,
)

rng = np.random.default_rng(0)
batch = rng.uniform(0, 255, size=(6, 7, 9, 3)).astype(np.float32)

STRONG = [
    lambda **k: RandomFlip(**k),
    lambda **k: RandomTranslation(0.3, 0.3, **k),
    lambda **k: RandomRotation(0.2, **k),
    lambda **k: RandomZoom(0.4, **k),
    lambda **k: RandomShear(0.4, 0.4, **k),
    lambda **k: RandomBrightness(0.3, **k),
    lambda **k: RandomContrast(0.5, **k),
]
NAMES = ["flip", "translation", "rotation", "zoom", "shear", "brightness", "contrast"]


@pytest.mark.parametrize("make", STRONG, ids=NAMES)
def test_changes_inputs_only_in_training(make):
    layer = make(seed=1)
    x = gw.constant(batch)
    assert layer(x) is x and layer(x, training=False) is x
    out = layer(x, training=True)
    assert out.shape == batch.shape and out.dtype == np.float32
    assert not np.allclose(out.numpy(), batch)


@pytest.mark.parametrize("make", STRONG, ids=NAMES)
def test_same_seed_same_output_and_gw_seed_for_unseeded(make):
    np.testing.assert_array_equal(make(seed=5)(batch, training=True).numpy(),
                                  make(seed=5)(batch, training=True).numpy())
    layer = make()
    gw.random.seed(11)
    first = layer(batch, training=True).numpy()
    gw.random.seed(11)
    np.testing.assert_array_equal(layer(batch, training=True).numpy(), first)


@pytest.mark.parametrize("layer", [
    RandomTranslation(0.0, 0.0), RandomRotation(0.0), RandomZoom(0.0), RandomShear(0.0, 0.0),
    RandomBrightness(0.0), RandomTranslation(0.0, 0.0, interpolation="nearest", fill_mode="constant"),
], ids=["translation", "rotation", "zoom", "shear", "brightness", "translation-nearest"])
def test_identity_at_zero_strength(layer):
    np.testing.assert_array_equal(layer(batch, training=True).numpy(), batch)


def test_contrast_identity_at_zero_strength():
    out = RandomContrast(0.0)(batch, training=True).numpy()
    np.testing.assert_allclose(out, batch, atol=1e-4)  # (x - μ)·1 + μ rounds in float32


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_translated_pixel_lands_one_pixel_down_and_left(interpolation):
    image = np.zeros((1, 5, 5, 1), np.float32)
    image[0, 2, 2, 0] = 1.0
    # 0.2 of 5 pixels = exactly 1: positive height moves down, negative width moves left
    layer = RandomTranslation((0.2, 0.2), (-0.2, -0.2), fill_mode="constant", interpolation=interpolation)
    out = layer(image, training=True).numpy()[0, :, :, 0]
    want = np.zeros((5, 5))
    want[3, 1] = 1.0
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("fill_mode,right,left", [
    ("reflect", [1, 0, 0, 1, 2], [2, 3, 4, 4, 3]),   # d c b a | a b c d | d c b a
    ("wrap", [3, 4, 0, 1, 2], [2, 3, 4, 0, 1]),      # a b c d | a b c d | a b c d
    ("nearest", [0, 0, 0, 1, 2], [2, 3, 4, 4, 4]),   # a a a a | a b c d | d d d d
    ("constant", [9, 9, 0, 1, 2], [2, 3, 4, 9, 9]),  # k k k k | a b c d | k k k k
])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_fill_modes_on_a_row_shifted_two_pixels(fill_mode, right, left, interpolation):
    row = np.arange(5, dtype=np.float32).reshape(1, 1, 5, 1)
    for factor, want in ((0.4, right), (-0.4, left)):
        layer = RandomTranslation(0.0, (factor, factor), fill_mode=fill_mode, interpolation=interpolation,
                                  fill_value=9.0)
        np.testing.assert_array_equal(layer(row, training=True).numpy().ravel(), want)


def test_bilinear_blends_neighbours_and_constant_fill_by_area():
    row = np.array([0.0, 10.0, 20.0, 30.0], np.float32).reshape(1, 1, 4, 1)
    out = RandomTranslation(0.0, (0.125, 0.125), fill_mode="constant", fill_value=-8.0)(row, training=True)
    np.testing.assert_allclose(out.numpy().ravel(), [-4.0, 5.0, 15.0, 25.0])  # half a pixel right


@pytest.mark.parametrize("mode,variants", [
    ("horizontal", lambda x: [x, x[:, ::-1]]),
    ("vertical", lambda x: [x, x[::-1]]),
    ("horizontal_and_vertical", lambda x: [x, x[:, ::-1], x[::-1], x[::-1, ::-1]]),
])
def test_flip_is_exact_and_random_per_image(mode, variants):
    images = rng.normal(size=(64, 4, 5, 2)).astype(np.float32)
    out = RandomFlip(mode, seed=3)(images, training=True).numpy()
    seen = set()
    for x, y in zip(images, out):
        matches = [k for k, v in enumerate(variants(x)) if np.array_equal(y, v)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == set(range(len(variants(images[0]))))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_quarter_turn_is_rot90_counter_clockwise(interpolation):
    """Keras: positive factor turns counter-clockwise, as np.rot90 (first row -> first column reversed)."""
    images = rng.normal(size=(3, 5, 5, 2)).astype(np.float32)
    ccw = RandomRotation((0.25, 0.25), interpolation=interpolation)(images, training=True).numpy()
    np.testing.assert_allclose(ccw, np.rot90(images, k=1, axes=(1, 2)), atol=1e-5)
    cw = RandomRotation((-0.25, -0.25), interpolation=interpolation)(images, training=True).numpy()
    np.testing.assert_allclose(cw, np.rot90(images, k=-1, axes=(1, 2)), atol=1e-5)
    half = RandomRotation((0.5, 0.5), interpolation=interpolation)(images, training=True).numpy()
    np.testing.assert_allclose(half, images[:, ::-1, ::-1], atol=1e-5)


def ramp(height, width):
    """I(y, x) = x + 10 y: bilinear interpolation reproduces a linear image exactly."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    return (x + 10 * y)[None, :, :, None]


def test_zoom_scales_coordinates_about_the_centre():
    image = ramp(8, 8)
    c = 3.5
    y, x = np.mgrid[0:8, 0:8]
    zoom_in = RandomZoom((-0.5, -0.5))(image, training=True).numpy()[0, :, :, 0]  # samples at c + 0.5 (p - c)
    np.testing.assert_allclose(zoom_in, (c + 0.5 * (x - c)) + 10 * (c + 0.5 * (y - c)), atol=1e-4)
    out = RandomZoom((0.5, 0.5), width_factor=(0.0, 0.0))(image, training=True).numpy()[0, :, :, 0]
    rows = slice(2, 6)  # zoom out by 1.5 vertically: these rows still sample inside the image
    np.testing.assert_allclose(out[rows], (x + 10 * (c + 1.5 * (y - c)))[rows], atol=1e-4)


def test_shear_moves_columns_in_proportion_to_the_row():
    image = ramp(9, 9)
    out = RandomShear(x_factor=(0.25, 0.25), seed=0)(np.repeat(image, 8, axis=0), training=True).numpy()[..., 0]
    y, x = np.mgrid[0:9, 1:8]
    signs = set()
    for img in out[:, :, 1:8]:  # x_in = x ± 0.25 (y - 4) stays inside for these columns
        s = 1.0 if np.allclose(img, x + 0.25 * (y - 4) + 10 * y, atol=1e-4) else -1.0
        np.testing.assert_allclose(img, x + s * 0.25 * (y - 4) + 10 * y, atol=1e-4)
        signs.add(s)
    assert signs == {1.0, -1.0}


def test_brightness_adds_a_fraction_of_the_value_range_and_clips():
    x = np.array([0.0, 100.0, 240.0], np.float32).reshape(1, 1, 3, 1)
    out = RandomBrightness((0.1, 0.1))(x, training=True).numpy().ravel()
    np.testing.assert_allclose(out, [25.5, 125.5, 255.0])
    scaled = np.array([0.1, 0.5, 0.9], np.float32).reshape(1, 1, 3, 1)
    out = RandomBrightness((-0.2, -0.2), value_range=(0, 1))(scaled, training=True).numpy().ravel()
    np.testing.assert_allclose(out, [0.0, 0.3, 0.7], atol=1e-6)
    np.testing.assert_array_equal(RandomBrightness((-1.0, -1.0))(batch, training=True).numpy(), 0)
    np.testing.assert_array_equal(RandomBrightness((1.0, 1.0))(batch, training=True).numpy(), 255)
    deltas = (RandomBrightness(0.2, seed=1)(np.full((200, 2, 2, 1), 100, np.float32), training=True).numpy()
              - 100)[:, 0, 0, 0]
    assert np.abs(deltas).max() <= 0.2 * 255 + 1e-3 and deltas.std() > 10  # one delta per image


def test_contrast_scales_each_channel_about_its_mean():
    x = rng.uniform(100, 150, size=(50, 4, 4, 3)).astype(np.float64)
    out = RandomContrast(0.5, seed=2)(gw.Tensor(x, dtype="float64"), training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out.mean(axis=(1, 2), keepdims=True), mean, rtol=1e-12)
    c = ((out - mean) * (x - mean)).sum(axis=(1, 2, 3)) / ((x - mean) ** 2).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(out, (x - mean) * c[:, None, None, None] + mean, rtol=1e-12)  # one c per image
    assert c.min() >= 0.5 and c.max() <= 1.5 and c.min() < 0.7 and c.max() > 1.3
    clipped = RandomContrast((0.9, 0.9), value_range=(0, 1))(rng.uniform(0, 1, (20, 4, 4, 1)), training=True)
    assert clipped.numpy().min() >= 0 and clipped.numpy().max() <= 1


def test_single_image_integer_input_and_no_graph():
    image = rng.integers(0, 256, size=(6, 6, 3)).astype(np.uint8)
    out = RandomRotation(0.1, seed=0)(image, training=True)
    assert out.shape == (6, 6, 3) and out.dtype == np.float32
    x = gw.Variable(batch)
    assert not RandomZoom(0.2)(x, training=True).requires_grad


@pytest.mark.parametrize("make", STRONG, ids=NAMES)
def test_a_batch_of_256_images_is_vectorised(make):
    images = rng.uniform(0, 255, size=(256, 32, 32, 3)).astype(np.float32)
    layer = make(seed=0)
    layer(images[:2], training=True)
    start = time.perf_counter()
    layer(images, training=True)
    assert time.perf_counter() - start < 0.5  # a Python loop per image would not be "well under a second"


@pytest.mark.parametrize("make,message", [
    (lambda: RandomTranslation(0.1, 0.1, fill_mode="mirror"), "unknown fill_mode 'mirror'; expected one of reflect"),
    (lambda: RandomRotation(0.1, interpolation="bicubic"), "unknown interpolation 'bicubic'"),
    (lambda: RandomTranslation(1.5, 0.1), r"height_factor must lie in \[-1.0, 1.0\], got 1.5"),
    (lambda: RandomRotation("big"), "factor must be a number or a pair"),
    (lambda: RandomZoom((-1.5, 0.2)), "height_factor must lie in"),
    (lambda: RandomShear(x_factor=(-0.1, 0.2)), r"x_factor values must lie in \[0, 1\]"),
    (lambda: RandomFlip("diagonal"), "unknown mode 'diagonal'"),
    (lambda: RandomBrightness(0.2, value_range=(0, 1, 2)), "value_range must be a pair"),
    (lambda: RandomContrast(1.5), r"factor must lie in \[0, 1\]"),
    (lambda: RandomFlip(seed=-1), "seed must be a non-negative int"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_rank_is_named():
    with pytest.raises(ShapeError, match=r"RandomFlip 'flip_me' expects images.*got shape \(4, 5\)"):
        RandomFlip(name="flip_me")(np.zeros((4, 5), np.float32), training=True)


@pytest.mark.parametrize("make", STRONG, ids=NAMES)
def test_config_round_trip_keeps_behaviour(make):
    layer = make(seed=9)
    clone = type(layer).from_config(layer.get_config())
    np.testing.assert_array_equal(clone(batch, training=True).numpy(), make(seed=9)(batch, training=True).numpy())
