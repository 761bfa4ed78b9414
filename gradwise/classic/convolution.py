"""2-D convolution as the plain loop of seed 004 ("the kernel slides over the image")."""

import numpy as np


def convolve2d(image, kernel, stride=1, padding=0):
    """Slide `kernel` over `image`; each output pixel is sum(window * kernel).

    out[i, j] = sum_{u, v} image_p[i*stride + u, j*stride + v] * kernel[u, v],
    where image_p is the image with `padding` rows/columns of zeros on every
    side. Output size: (H + 2 padding - kh) // stride + 1 (same for width).

    What deep learning calls "convolution" is really cross-correlation: the
    kernel is NOT flipped (a mathematician's convolution would use
    kernel[::-1, ::-1]). Since the kernel is learned, the flip makes no
    difference to what a network can represent.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    assert image.ndim == 2 and kernel.ndim == 2, "convolve2d works on 2-D arrays"
    assert stride >= 1 and padding >= 0
    if padding:
        image = np.pad(image, padding)  # zero-padding on all four sides
    kh, kw = kernel.shape
    out_h = (image.shape[0] - kh) // stride + 1
    out_w = (image.shape[1] - kw) // stride + 1
    assert out_h > 0 and out_w > 0, "kernel larger than the (padded) image"
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride
            window = image[top : top + kh, left : left + kw]
            out[i, j] = np.sum(window * kernel)  # weighted sum of the covered pixels
    return out
