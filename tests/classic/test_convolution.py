import numpy as np
import pytest

from gradwise.classic import convolve2d

SEED004_IMAGE = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
)
SEED004_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])


def test_seed004_feature_map():
    out = convolve2d(SEED004_IMAGE, SEED004_KERNEL)
    np.testing.assert_array_equal(out, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


def test_seed004_sharpen_pixel():
    sharpen = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    pixels = [[5, 6, 7], [3, 4, 6], [2, 3, 5]]
    # 0*5 + (-1)*6 + 0*7 + (-1)*3 + 5*4 + (-1)*6 + 0*2 + (-1)*3 + 0*5 = 2
    np.testing.assert_array_equal(convolve2d(pixels, sharpen), [[2]])


def test_no_kernel_flip():
    # cross-correlation: a true convolution would flip the kernel and give 84 here
    image = np.arange(9).reshape(3, 3)
    kernel = np.arange(9).reshape(3, 3)
    assert convolve2d(image, kernel)[0, 0] == np.sum(image * kernel) == 204
    assert np.sum(image * kernel[::-1, ::-1]) == 84  # the flipped (mathematical) version


def test_stride_two_by_hand():
    image = np.arange(25).reshape(5, 5)  # rows 0..4, 5..9, ...
    kernel = np.array([[1, 0], [0, -1]])  # x[r, c] - x[r+1, c+1] = -6 everywhere
    out = convolve2d(image, kernel, stride=2)
    assert out.shape == (2, 2)  # (5 - 2) // 2 + 1
    np.testing.assert_array_equal(out, [[-6, -6], [-6, -6]])
    kernel = np.ones((3, 3))
    out = convolve2d(image, kernel, stride=2)
    # windows at (0,0), (0,2), (2,0), (2,2): 9 * centre value
    np.testing.assert_array_equal(out, [[54, 72], [144, 162]])


def test_padding_one_by_hand():
    image = [[1, 2], [3, 4]]
    out = convolve2d(image, np.ones((3, 3)), padding=1)
    # zero-padded 4x4; each 3x3 window covers the whole 2x2 image -> 10
    np.testing.assert_array_equal(out, [[10, 10], [10, 10]])
    out = convolve2d(image, [[0, 0, 0], [0, 0, 0], [0, 0, 1]], padding=1)
    # the kernel picks the bottom-right neighbour: shift up-left, zeros come in
    np.testing.assert_array_equal(out, [[4, 0], [0, 0]])


def test_same_padding_keeps_size_and_matches_direct_sum():
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(6, 7)), rng.normal(size=(3, 3))
    out = convolve2d(image, kernel, stride=1, padding=1)
    assert out.shape == (6, 7)
    padded = np.pad(image, 1)
    assert out[2, 3] == pytest.approx(np.sum(padded[2:5, 3:6] * kernel))
    assert out[0, 0] == pytest.approx(np.sum(image[:2, :2] * kernel[1:, 1:]))


def test_stride_and_padding_together():
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    out = convolve2d(image, np.ones((2, 2)), stride=2, padding=1)
    # padded 5x5, windows at rows/cols 0 and 2: (0,0)->1, (0,2)->2+3, (2,0)->4+7, (2,2)->5+6+8+9
    np.testing.assert_array_equal(out, [[1, 5], [11, 28]])


def test_kernel_too_large():
    with pytest.raises(AssertionError):
        convolve2d(np.ones((2, 2)), np.ones((3, 3)))
