"""Image augmentation layers (Keras 3's names and arguments), active only in training.

Each layer changes its input only when called with training=True (as `fit` does) and is
the identity otherwise. Every image of the batch gets its own random parameters, drawn
from gradwise's generator (`gw.random.seed(n)`) or, when `seed` is given, from the layer's
own; the batch is transformed at once, with no Python loop over images.

They are meant to come first in a model: the output is a new tensor with no graph (no
gradient flows back through an augmentation, and none is needed for the data).

Images are NHWC (batch, height, width, channels), or one HWC image. The geometric layers
(RandomTranslation, RandomRotation, RandomZoom, RandomShear) share `affine_transform`:
a 2×3 matrix per image maps each output pixel to the input point it samples, points
outside the image are brought back by the fill mode, and the value is read by nearest or
bilinear interpolation. Fill modes (Keras's pictures, for input a b c d):

    reflect   d c b a | a b c d | d c b a     (about the edge of the last pixel)
    wrap      a b c d | a b c d | a b c d
    nearest   a a a a | a b c d | d d d d
    constant  k k k k | a b c d | k k k k     (k = fill_value)
"""

import math
import numbers

import numpy as np

from .. import random
from ..autodiff.tensor import Tensor
from ..errors import ShapeError
from .base import Layer
from .regularization import layer_generator

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


# --- sampling ------------------------------------------------------------------------------
def _fold(index, size, fill_mode):
    """Integer pixel indices (any, possibly outside [0, size)) brought inside by the fill mode.

    Computed once per distinct index through a small lookup table (integer modulo on every
    pixel would cost more than the whole interpolation).
    """
    lo = int(index.min())
    table = np.arange(lo, int(index.max()) + 1)
    if fill_mode == "reflect":  # period 2·size: 0 1 .. size-1 size-1 .. 1 0
        table = np.mod(table, 2 * size)
        table = np.where(table >= size, 2 * size - 1 - table, table)
    elif fill_mode == "wrap":
        table = np.mod(table, size)
    else:  # nearest; constant weights the outside by zero and adds fill_value instead
        table = np.clip(table, 0, size - 1)
    return np.take(table, index - lo)


def _neighbours(coord, size, interpolation, fill_mode, dtype):
    """Per axis: [(folded integer index, weight)] of the one (nearest) or two (bilinear) pixels
    a coordinate reads; with fill_mode "constant", a pixel outside the image has weight 0."""
    if interpolation == "nearest":
        pairs = [(np.floor(coord + 0.5).astype(np.intp), None)]
    else:
        below = np.floor(coord)
        frac = (coord - below).astype(dtype)
        below = below.astype(np.intp)
        pairs = [(below, 1 - frac), (below + 1, frac)]
    out = []
    for index, weight in pairs:
        if fill_mode == "constant":
            inside = ((index >= 0) & (index < size)).astype(dtype)
            weight = inside if weight is None else weight * inside
        out.append((_fold(index, size, fill_mode), weight))
    return out


def affine_transform(images, matrices, interpolation="bilinear", fill_mode="reflect", fill_value=0.0):
    """Resample NHWC `images` through one affine map per image.

    matrices: (N, 2, 3). The output pixel in column x, row y takes the input value at
        (x_in, y_in) = matrices[n] @ (x, y, 1), in pixels with pixel centres at integers,
        so the identity matrix returns the images unchanged (exactly).
    Bilinear reads the four pixels around (x_in, y_in), each weighted by the area of the
    opposite rectangle; nearest reads the closest one.
    """
    n, height, width, channels = images.shape
    xs = np.arange(width, dtype=np.float64)[None, None, :]
    ys = np.arange(height, dtype=np.float64)[None, :, None]
    m = np.asarray(matrices, dtype=np.float64)[:, :, :, None, None]
    x_in = m[:, 0, 0] * xs + m[:, 0, 1] * ys + m[:, 0, 2]  # (N, H, W) source coordinates
    y_in = m[:, 1, 0] * xs + m[:, 1, 1] * ys + m[:, 1, 2]
    flat = images.reshape(n * height * width, channels)
    start = (np.arange(n) * (height * width))[:, None, None]
    dtype = images.dtype
    columns = _neighbours(x_in, width, interpolation, fill_mode, dtype)
    out, covered = None, None
    for yi, wy in _neighbours(y_in, height, interpolation, fill_mode, dtype):
        rows = start + yi * width
        for xi, wx in columns:
            values = np.take(flat, rows + xi, axis=0)
            weight = wy if wx is None else wx if wy is None else wy * wx
            if weight is not None:
                values *= weight[..., None]
            out = values if out is None else out + values
            if fill_mode == "constant":
                covered = weight if covered is None else covered + weight
    if fill_mode == "constant" and fill_value != 0:  # the weight that fell outside reads fill_value
        out += dtype.type(fill_value) * (1 - covered)[..., None]
    return out


def affine_matrices(height, width, n, angle=None, zoom=None, shear=None, shift=None):
    """Per-image 2×3 maps (output pixel -> input point) about the image centre.

    angle: (N,) radians, counter-clockwise as the image is displayed (rows going down).
    zoom: (zx, zy), each (N,): > 1 samples a larger area, so the content shrinks (zooms out).
    shear: (sx, sy), each (N,): x_in moves by sx per row from the centre, y_in by sy per column.
    shift: (tx, ty), each (N,): the content moves right by tx and down by ty pixels.
    """
    a = np.broadcast_to(np.eye(2), (n, 2, 2)).copy()
    if zoom is not None:
        a = a * np.stack([zoom[0], zoom[1]], axis=-1)[:, None, :]  # scale the columns: A · diag(zx, zy)
    if shear is not None:
        s = np.stack([np.stack([np.ones(n), shear[0]], -1), np.stack([shear[1], np.ones(n)], -1)], 1)
        a = s @ a
    if angle is not None:  # with y pointing down, counter-clockwise on screen samples at R(θ)·p
        cos, sin = np.cos(angle), np.sin(angle)
        r = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], 1)
        a = r @ a
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    offset = centre - a @ centre
    if shift is not None:
        offset = offset - np.stack([shift[0], shift[1]], axis=-1)
    return np.concatenate([a, offset[:, :, None]], axis=2)


# --- arguments -------------------------------------------------------------------------------
def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def factor_range(factor, name, owner, low=None, high=None):
    """Keras's convention: a number f means the range [-|f|, |f|], a pair (a, b) means [a, b]."""
    if _is_number(factor):
        lo, hi = -abs(float(factor)), abs(float(factor))
    elif isinstance(factor, (tuple, list)) and len(factor) == 2 and all(_is_number(v) for v in factor):
        lo, hi = sorted(float(v) for v in factor)
    else:
        raise ValueError(f"{owner}: {name} must be a number or a pair (lower, upper), got {factor!r}.")
    if (low is not None and lo < low) or (high is not None and hi > high):
        raise ValueError(f"{owner}: {name} must lie in [{low}, {high}], got {factor!r}.")
    return lo, hi


def _check_choice(value, choices, name, owner):
    if value not in choices:
        raise ValueError(f"{owner}: unknown {name} {value!r}; expected one of {', '.join(choices)}.")
    return value


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


class _Augmentation(Layer):
    """Shared behaviour: the training switch, the random stream, batching, the config."""

    _config_keys = ("seed",)

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = layer_generator(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        images = inputs.data
        if images.ndim not in (3, 4):
            raise ShapeError(f"{type(self).__name__} '{self.name}' expects images (batch, height, width, "
                             f"channels) or (height, width, channels), got shape {tuple(images.shape)}.")
        if images.dtype.kind != "f":
            images = images.astype(self.dtype)
        batch = images[None] if images.ndim == 3 else images
        out = self.augment(batch, self._rng or random.generator())
        return Tensor._from_array(out[0] if images.ndim == 3 else out, None)

    def augment(self, images, rng):
        """The augmented batch (N, H, W, C) as an array of images' dtype."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _check_shape(self, shape):
        pass  # any image size; call() checks the rank

    def get_config(self):
        config = super().get_config()
        config.update({k: _jsonable(getattr(self, k)) for k in self._config_keys})
        return config


class _Geometric(_Augmentation):
    """An augmentation that moves pixels: a 2×3 matrix per image, then `affine_transform`."""

    _config_keys = ("fill_mode", "interpolation", "seed", "fill_value")

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        owner = type(self).__name__
        self.fill_mode = _check_choice(fill_mode, FILL_MODES, "fill_mode", owner)
        self.interpolation = _check_choice(interpolation, INTERPOLATIONS, "interpolation", owner)
        self.fill_value = float(fill_value)

    def augment(self, images, rng):
        n, height, width, _ = images.shape
        matrices = self.matrices(height, width, n, rng)
        return affine_transform(images, matrices, self.interpolation, self.fill_mode, self.fill_value)

    def matrices(self, height, width, n, rng):
        raise NotImplementedError


# --- layers --------------------------------------------------------------------------------
class RandomFlip(_Augmentation):
    """Flips each image left-right and/or top-bottom, each with probability 1/2.

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or "horizontal_and_vertical"
            (default; the two coins are independent).
        seed: int for the layer's own random stream (None: gradwise's generator).
    """

    _config_keys = ("mode", "seed")
    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.mode = _check_choice(mode, self.MODES, "mode", "RandomFlip")

    def augment(self, images, rng):
        n = images.shape[0]
        if self.mode != "vertical":
            flip = rng.random(n) < 0.5
            images = np.where(flip[:, None, None, None], images[:, :, ::-1], images)
        if self.mode != "horizontal":
            flip = rng.random(n) < 0.5
            images = np.where(flip[:, None, None, None], images[:, ::-1], images)
        return images


class RandomTranslation(_Geometric):
    """Shifts each image by a random fraction of its height and width.

    Args:
        height_factor: f (shift in [-f, f] of the height) or (lower, upper); values in
            [-1, 1]; positive moves the content down.
        width_factor: the same for the width; positive moves the content right.
        fill_mode: "reflect" (default), "wrap", "constant" or "nearest".
        interpolation: "bilinear" (default) or "nearest".
        seed: int for the layer's own random stream. fill_value: the constant (default 0.0).
    """

    _config_keys = ("height_factor", "width_factor") + _Geometric._config_keys

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = factor_range(height_factor, "height_factor", "RandomTranslation", -1.0, 1.0)
        self._width = factor_range(width_factor, "width_factor", "RandomTranslation", -1.0, 1.0)

    def matrices(self, height, width, n, rng):
        dy = rng.uniform(*self._height, size=n) * height
        dx = rng.uniform(*self._width, size=n) * width
        return affine_matrices(height, width, n, shift=(dx, dy))


class RandomRotation(_Geometric):
    """Rotates each image about its centre by a random angle, given as a fraction of 2π.

    Args:
        factor: f (angle in [-f·2π, f·2π]) or (lower, upper); positive turns the image
            counter-clockwise, so (0.25, 0.25) is np.rot90(image) (a quarter turn).
        fill_mode, interpolation, seed, fill_value: as RandomTranslation.
    """

    _config_keys = ("factor",) + _Geometric._config_keys

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self._range = factor_range(factor, "factor", "RandomRotation")

    def matrices(self, height, width, n, rng):
        angle = rng.uniform(*self._range, size=n) * 2 * math.pi
        return affine_matrices(height, width, n, angle=angle)


class RandomZoom(_Geometric):
    """Zooms each image in or out about its centre by a random amount.

    Args:
        height_factor: f (in [-f, f]) or (lower, upper), values >= -1: the image height is
            scaled by 1 / (1 + value); positive zooms out (content shrinks), negative zooms in.
        width_factor: the same for the width; None (default) uses the height's value for
            both, preserving the aspect ratio.
        fill_mode, interpolation, seed, fill_value: as RandomTranslation.
    """

    _config_keys = ("height_factor", "width_factor") + _Geometric._config_keys

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = factor_range(height_factor, "height_factor", "RandomZoom", -1.0)
        self._width = None if width_factor is None else factor_range(width_factor, "width_factor", "RandomZoom", -1.0)

    def matrices(self, height, width, n, rng):
        zy = 1 + rng.uniform(*self._height, size=n)
        zx = zy if self._width is None else 1 + rng.uniform(*self._width, size=n)
        return affine_matrices(height, width, n, zoom=(zx, zy))


class RandomShear(_Geometric):
    """Shears each image about its centre by a random amount along x and/or y.

    Args:
        x_factor: f (a shear of magnitude in [0, f]) or (lower, upper) with values in [0, 1],
            given a random sign per image: the input column sampled moves by the value per
            row away from the centre (0.3: the bottom row shifts 30% of the height sideways
            relative to the top). Default 0.0 (no shear along x).
        y_factor: the same along y.
        fill_mode, interpolation, seed, fill_value: as RandomTranslation.
    """

    _config_keys = ("x_factor", "y_factor") + _Geometric._config_keys

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 seed=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.x_factor, self.y_factor = x_factor, y_factor
        self._x = self._magnitudes(x_factor, "x_factor")
        self._y = self._magnitudes(y_factor, "y_factor")

    @staticmethod
    def _magnitudes(factor, name):
        lo, hi = factor_range(factor, name, "RandomShear", -1.0, 1.0)
        if _is_number(factor):
            return 0.0, hi
        if lo < 0:
            raise ValueError(f"RandomShear: {name} values must lie in [0, 1], got {factor!r}.")
        return lo, hi

    def matrices(self, height, width, n, rng):
        sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        sx = rng.uniform(*self._x, size=n) * sign
        sy = rng.uniform(*self._y, size=n) * sign
        return affine_matrices(height, width, n, shear=(sx, sy))


class RandomBrightness(_Augmentation):
    """Adds a random amount to every pixel of each image, then clips to `value_range`.

        y = clip(x + δ, low, high),   δ = u · (high - low),  u uniform in the factor's range

    Args:
        factor: f (u in [-f, f]) or (lower, upper), in [-1, 1]: -1 makes the image black,
            1 white.
        value_range: (low, high) of the input values (default (0, 255); (0, 1) for scaled
            images).
        seed: int for the layer's own random stream.
    """

    _config_keys = ("factor", "value_range", "seed")

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self._range = factor_range(factor, "factor", "RandomBrightness", -1.0, 1.0)
        self.value_range = _value_range(value_range, "RandomBrightness")

    def augment(self, images, rng):
        low, high = self.value_range
        delta = rng.uniform(*self._range, size=(images.shape[0], 1, 1, 1)) * (high - low)
        return np.clip(images + delta.astype(images.dtype), low, high)


class RandomContrast(_Augmentation):
    """Scales each channel of each image about its mean by a random factor, then clips.

        y = clip((x - μ) · c + μ, low, high),   μ = mean of the channel over the image,
        c uniform in [1 - lower, 1 + upper]

    Args:
        factor: f (c in [1 - f, 1 + f]) or (lower, upper), values in [0, 1].
        value_range: (low, high) to clip to (default (0, 255)).
        seed: int for the layer's own random stream.
    """

    _config_keys = ("factor", "value_range", "seed")

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        if _is_number(factor):
            lower = upper = abs(float(factor))
        else:
            lower, upper = factor_range(factor, "factor", "RandomContrast")
        if not (0 <= lower <= 1 and 0 <= upper <= 1):
            raise ValueError(f"RandomContrast: factor must lie in [0, 1], got {factor!r}.")
        self._range = (1 - lower, 1 + upper)
        self.value_range = _value_range(value_range, "RandomContrast")

    def augment(self, images, rng):
        c = rng.uniform(*self._range, size=(images.shape[0], 1, 1, 1)).astype(images.dtype)
        mean = images.mean(axis=(1, 2), keepdims=True)
        return np.clip((images - mean) * c + mean, *self.value_range)


def _value_range(value_range, owner):
    if not (isinstance(value_range, (tuple, list)) and len(value_range) == 2 and all(map(_is_number, value_range))):
        raise ValueError(f"{owner}: value_range must be a pair (low, high), got {value_range!r}.")
    low, high = sorted(float(v) for v in value_range)
    return low, high
