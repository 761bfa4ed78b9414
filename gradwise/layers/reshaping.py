"""Reshaping layers: Reshape, Permute, RepeatVector, UpSampling1D/2D, Cropping1D/2D and
ZeroPadding1D/2D. None has weights; each is one movement op (or two), so its gradient is the
inverse movement: transpose back, sum the copies, zero-pad what was cropped, crop the padding.
Images and sequences are channels-last, (batch, steps, channels) and (batch, rows, cols, channels).
"""

import numpy as np

from ..autodiff.ops import add, pad, reshape, transpose, zeros
from ..errors import ShapeError
from .base import Layer


class Reshape(Layer):
    """Gives each sample a new shape: (batch, *in) -> (batch, *target_shape).

    Args:
        target_shape: the shape of one sample, without the batch axis; one entry may be -1,
            inferred from the sample's size.

    Input shape: (batch, ...) with any sample shape of the same size.
    Output shape: (batch, *target_shape).
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = tuple(target_shape) if isinstance(target_shape, (tuple, list)) else None
        if not target or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in target):
            raise ValueError(f"Reshape: target_shape must be a tuple of ints, got {target_shape!r}.")
        if target.count(-1) > 1 or any(n < -1 or n == 0 for n in target):
            raise ValueError(
                f"Reshape: target_shape must have positive sizes and at most one -1, got {target_shape!r}."
            )
        self.target_shape = tuple(int(n) for n in target)

    def _resolve(self, sample_shape):
        """target_shape with the -1 filled in for samples of `sample_shape` (None if unknown)."""
        if any(n is None for n in sample_shape):
            return tuple(None if n == -1 else n for n in self.target_shape)
        size = int(np.prod(sample_shape, dtype=np.int64))
        known = int(np.prod([n for n in self.target_shape if n != -1], dtype=np.int64))
        if -1 in self.target_shape:
            if size % known:
                raise self._mismatch(sample_shape)
            return tuple(size // known if n == -1 else n for n in self.target_shape)
        if size != known:
            raise self._mismatch(sample_shape)
        return self.target_shape

    def _mismatch(self, sample_shape):
        return ShapeError(
            f"Reshape '{self.name}': cannot reshape samples of shape {tuple(sample_shape)} "
            f"({int(np.prod(sample_shape))} values) into target_shape {self.target_shape}; "
            "the number of values must stay the same."
        )

    def build(self, input_shape):
        self._resolve(tuple(input_shape[1:]))  # fail early, before any data flows

    def call(self, inputs):
        return reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def _check_shape(self, shape):
        pass  # any sample of the right size; _resolve names a wrong one

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


def _pair(value):
    """An int n or a pair of ints as a (before, after) pair of non-negative ints (Keras's forms)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        pair = tuple(value)
    else:
        raise TypeError
    if any(v < 0 for v in pair):
        raise ValueError
    return int(pair[0]), int(pair[1])


def _padding_pairs(padding):
    """A 2-D padding or cropping as ((top, bottom), (left, right)) of non-negative ints: from an
    int (all four sides), (h, w) (symmetric) or ((top, bottom), (left, right)), as Keras."""
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        padding = (padding, padding)
    if not isinstance(padding, (tuple, list)) or len(padding) != 2:
        raise TypeError
    return _pair(padding[0]), _pair(padding[1])


def _channels_last(layer_name, data_format):
    """Check data_format: None or "channels_last" (the only layout gradwise's layers use)."""
    if data_format is None or str(data_format).lower() == "channels_last":
        return "channels_last"
    raise ValueError(
        f"{layer_name}: data_format={data_format!r} is not supported; gradwise layers are channels-last "
        "only (batch, ..., channels). Transpose the inputs (e.g. Permute) and use data_format=\"channels_last\"."
    )


def _check_rank(layer, shape, rank, layout):
    if len(shape) != rank:
        raise ShapeError(f"{type(layer).__name__} '{layer.name}' expects inputs of rank {rank} {layout}, "
                         f"got shape {tuple(shape)}.")


def _times(n, factor):
    return None if n is None else n * factor


def _upsample(x, sizes):
    """Repeat every entry of x `sizes[i]` times along axis 1 + i (np.repeat on each axis).

    Each such axis gets a length-1 axis after it, broadcast to the repeat count by adding zeros,
    then the pairs are merged: (N, H, W, C) -> (N, H, 1, W, 1, C) + zeros(1, 1, sh, 1, sw, 1)
    -> (N, H*sh, W*sw, C). The add's backward sums over the broadcast axes, so each input entry
    receives the sum of the gradients of its copies, the gradient of a repeat.
    """
    n, *spatial, c = x.shape
    expanded, zeros_shape = [n], [1]
    for length, size in zip(spatial, sizes):
        expanded += [length, 1]
        zeros_shape += [1, size]
    copies = add(reshape(x, expanded + [c]), zeros(zeros_shape + [1], dtype=x.dtype))
    return reshape(copies, [n] + [length * size for length, size in zip(spatial, sizes)] + [c])


class Permute(Layer):
    """Reorders the axes of each sample; the batch axis stays first.

    `Permute((2, 1))` swaps the two axes of (batch, steps, features) samples, e.g. to run a
    Dense layer along the time axis. The gradient is transposed back by the inverse permutation.

    Args:
        dims: a permutation of 1, ..., rank - 1 (1-based; 0 would be the batch axis): output
            axis i is input axis dims[i - 1].

    Input shape: (batch, d1, ..., dk) with k = len(dims).
    Output shape: (batch, d_dims[0], ..., d_dims[k-1]).
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        ok = isinstance(dims, (tuple, list)) and all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims)
        if not ok or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f"Permute: dims must be a permutation of 1, ..., k (1-based, the batch axis 0 excluded), "
                f"e.g. (2, 1); got {dims!r}."
            )
        self.dims = tuple(int(d) for d in dims)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the rank before any data flows

    def _check_shape(self, shape):
        self.compute_output_shape(shape)

    def call(self, inputs):
        return transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, len(self.dims) + 1, f"(batch axis + one per entry of dims={self.dims})")
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config


class RepeatVector(Layer):
    """Repeats each input vector n times: (batch, features) -> (batch, n, features).

    Typical use: feed an encoder's summary vector to every step of a decoder. The gradient of
    each feature is the sum of the gradients of its n copies.

    Args:
        n: positive int, the number of copies.

    Input shape: (batch, features). Output shape: (batch, n, features).
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"RepeatVector: n must be a positive integer, got {n!r}.")
        self.n = int(n)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the rank before any data flows

    def _check_shape(self, shape):
        self.compute_output_shape(shape)

    def call(self, inputs):
        return _upsample(reshape(inputs, (inputs.shape[0], 1, inputs.shape[1])), (self.n,))

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, 2, "(batch, features)")
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class UpSampling1D(Layer):
    """Repeats each time step `size` times: (batch, steps, channels) -> (batch, steps·size, channels).

    Nearest-neighbour upsampling of sequences (a decoder's way back to full length); no weights.
    The gradient of a step is the sum of the gradients of its copies.

    Args:
        size: positive int, the repeat count (default 2).

    Input shape: (batch, steps, channels). Output shape: (batch, steps * size, channels).
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size <= 0:
            raise ValueError(f"UpSampling1D: size must be a positive integer, got {size!r}.")
        self.size = int(size)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the rank before any data flows

    def _check_shape(self, shape):
        self.compute_output_shape(shape)

    def call(self, inputs):
        return _upsample(inputs, (self.size,))

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, 3, "(batch, steps, channels)")
        n, steps, c = input_shape
        return (n, _times(steps, self.size), c)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


_RESIZE_METHODS = ("bilinear", "bicubic", "lanczos3", "lanczos5", "area")  # Keras's others


class UpSampling2D(Layer):
    """Repeats each row `size[0]` times and each column `size[1]` times in NHWC images.

    Nearest-neighbour upsampling (each pixel becomes a size[0] x size[1] block), the cheap
    inverse of pooling in decoders and U-Nets; no weights. The gradient of a pixel is the sum
    of the gradients over its block.

    Args:
        size: int or (rows, cols) of positive ints (default (2, 2)).
        data_format: None or "channels_last" (gradwise is channels-last only).
        interpolation: "nearest" (the only one gradwise implements).

    Input shape: (batch, height, width, channels).
    Output shape: (batch, height * size[0], width * size[1], channels).
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        sizes = (size, size) if isinstance(size, (int, np.integer)) else size
        if not (isinstance(sizes, (tuple, list)) and len(sizes) == 2 and all(
                isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in sizes)):
            raise ValueError(f"UpSampling2D: size must be a positive int or a tuple of 2 positive ints "
                             f"(rows, cols), got {size!r}.")
        self.size = (int(sizes[0]), int(sizes[1]))
        self.data_format = _channels_last("UpSampling2D", data_format)
        method = str(interpolation).lower()
        if method in _RESIZE_METHODS:
            raise NotImplementedError(
                f"UpSampling2D: interpolation={interpolation!r} is not implemented in gradwise; only "
                "interpolation=\"nearest\" (repeat each pixel) is."
            )
        if method != "nearest":
            raise ValueError(f"UpSampling2D: interpolation must be \"nearest\", got {interpolation!r}.")
        self.interpolation = method

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the rank before any data flows

    def _check_shape(self, shape):
        self.compute_output_shape(shape)

    def call(self, inputs):
        return _upsample(inputs, self.size)

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, 4, "(NHWC)")
        n, h, w, c = input_shape
        return (n, _times(h, self.size[0]), _times(w, self.size[1]), c)

    def get_config(self):
        config = super().get_config()
        config.update(size=list(self.size), data_format=self.data_format, interpolation=self.interpolation)
        return config


def _cropped(layer, shape, axis, crop):
    """Length of axis `axis` of `shape` after removing crop = (before, after); checks it stays > 0."""
    length = shape[axis]
    if length is None:
        return None
    if sum(crop) >= length:
        raise ShapeError(
            f"{type(layer).__name__} '{layer.name}': cropping {crop} removes {sum(crop)} of the {length} "
            f"entries of axis {axis} (input shape {tuple(shape)}); it must leave at least one."
        )
    return length - sum(crop)


class Cropping1D(Layer):
    """Removes time steps at the start and end of each sequence (channels-last).

    `Cropping1D((1, 2))` keeps steps 1 .. steps-3. The gradient is zero on the removed steps
    (the output's gradient, zero-padded back to the input's length).

    Args:
        cropping: int c (c at each end) or (start, end), non-negative (default (1, 1)).

    Input shape: (batch, steps, channels). Output shape: (batch, steps - start - end, channels).
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        try:
            self.cropping = _pair(cropping)
        except (TypeError, ValueError):
            raise ValueError(
                f"Cropping1D: cropping must be a non-negative int or a tuple of 2 non-negative ints "
                f"(start, end), got {cropping!r}."
            ) from None

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks rank and cropping before any data flows

    def _check_shape(self, shape):
        self.compute_output_shape(shape)

    def call(self, inputs):
        start, end = self.cropping
        return inputs[:, start:inputs.shape[1] - end, :]

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, 3, "(batch, steps, channels)")
        return (input_shape[0], _cropped(self, input_shape, 1, self.cropping), input_shape[2])

    def get_config(self):
        config = super().get_config()
        config["cropping"] = list(self.cropping)
        return config


class Cropping2D(Layer):
    """Removes rows at the top and bottom and columns at the left and right of NHWC images.

    The inverse of ZeroPadding2D, e.g. to match an encoder's feature map to a decoder's in a
    U-Net. The gradient is the output's gradient zero-padded back to the input's size.

    Args:
        cropping: int c (c on all four sides), (h, w) (h rows at top and bottom, w columns at
            left and right) or ((top, bottom), (left, right)); default ((0, 0), (0, 0)).
        data_format: None or "channels_last" (gradwise is channels-last only).

    Input shape: (batch, height, width, channels).
    Output shape: (batch, height - top - bottom, width - left - right, channels).
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        try:
            self.cropping = _padding_pairs(cropping)
        except (TypeError, ValueError):
            raise ValueError(
                "Cropping2D: cropping must be a non-negative int, a tuple of 2 ints (height, width) or "
                f"2 tuples of 2 ints ((top, bottom), (left, right)), got {cropping!r}."
            ) from None
        self.data_format = _channels_last("Cropping2D", data_format)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks rank and cropping before any data flows

    def _check_shape(self, shape):
        self.compute_output_shape(shape)

    def call(self, inputs):
        (top, bottom), (left, right) = self.cropping
        _, h, w, _ = inputs.shape
        return inputs[:, top:h - bottom, left:w - right, :]

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, 4, "(NHWC)")
        rows, cols = self.cropping
        return (input_shape[0], _cropped(self, input_shape, 1, rows), _cropped(self, input_shape, 2, cols),
                input_shape[3])

    def get_config(self):
        config = super().get_config()
        config.update(cropping=[list(p) for p in self.cropping], data_format=self.data_format)
        return config


class ZeroPadding1D(Layer):
    """Adds zero time steps at the start and end of each sequence (channels-last).

    Keeps a convolution's output as long as its input, or aligns sequences of different
    lengths. The gradient is the output's gradient with the padded steps cut off.

    Args:
        padding: int p (p steps at each end) or (start, end), non-negative (default 1).
        data_format: None or "channels_last" (gradwise is channels-last only).

    Input shape: (batch, steps, channels). Output shape: (batch, steps + start + end, channels).
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        try:
            self.padding = _pair(padding)
        except (TypeError, ValueError):
            raise ValueError(
                f"ZeroPadding1D: padding must be a non-negative int or a tuple of 2 non-negative ints "
                f"(start, end), got {padding!r}."
            ) from None
        self.data_format = _channels_last("ZeroPadding1D", data_format)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the rank before any data flows

    def _check_shape(self, shape):
        self.compute_output_shape(shape)

    def call(self, inputs):
        return pad(inputs, ((0, 0), self.padding, (0, 0)))

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, 3, "(batch, steps, channels)")
        n, steps, c = input_shape
        return (n, None if steps is None else steps + sum(self.padding), c)

    def get_config(self):
        config = super().get_config()
        config.update(padding=list(self.padding), data_format=self.data_format)
        return config


class ZeroPadding2D(Layer):
    """Adds rows of zeros at the top and bottom and columns at the left and right of NHWC images.

    Args:
        padding: int p (p on all four sides), (h, w) (h rows above and below, w columns left
            and right) or ((top, bottom), (left, right)). Default (1, 1).

    Input shape: (batch, height, width, channels).
    Output shape: (batch, height + top + bottom, width + left + right, channels).
    """

    def __init__(self, padding=(1, 1), **kwargs):
        super().__init__(**kwargs)
        try:
            self.padding = _padding_pairs(padding)
        except (TypeError, ValueError):
            raise ValueError(
                "ZeroPadding2D: padding must be a non-negative int, a tuple of 2 ints (height, width) or "
                f"2 tuples of 2 ints ((top, bottom), (left, right)), got {padding!r}."
            ) from None

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ShapeError(f"ZeroPadding2D '{self.name}' expects NHWC inputs of rank 4, got shape "
                             f"{tuple(input_shape)}.")

    def _check_shape(self, shape):
        if len(shape) != 4:
            raise ShapeError(f"ZeroPadding2D '{self.name}' expects NHWC inputs of rank 4, got shape {tuple(shape)}.")

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        return pad(inputs, ((0, 0), (top, bottom), (left, right), (0, 0)))

    def compute_output_shape(self, input_shape):
        (top, bottom), (left, right) = self.padding
        n, h, w, c = input_shape
        return (n, None if h is None else h + top + bottom, None if w is None else w + left + right, c)

    def get_config(self):
        config = super().get_config()
        config["padding"] = [list(p) for p in self.padding]
        return config
