"""A grid of data-set images with their labels (seed 000 Fig. 2.1 and 2.2).

    (train_images, train_labels), _ = gw.datasets.mnist.load_data()
    gw.viz.plot_images(train_images[4], train_labels[4])        # Fig. 2.2: the fourth digit
    gw.viz.plot_images(train_images[:16], train_labels[:16])    # a 4 x 4 grid
"""

import math

import numpy as np

from . import _mpl

MAX_IMAGES = 100


def _as_batch(images):
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr[None]  # one grey image (a single colour image is passed as img[None])
    if arr.ndim not in (3, 4) or (arr.ndim == 4 and arr.shape[-1] not in (1, 3, 4)):
        raise ValueError(
            f"plot_images expects images shaped (h, w), (n, h, w) or (n, h, w, c) with c in "
            f"1, 3, 4; received shape {arr.shape}."
        )
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    return arr


def plot_images(images, labels=None, class_names=None, ncols=None, cmap="binary", path=None, title=None):
    """Show images in a grid, each titled with its label (the seed uses plt.cm.binary).

    Args:
        images: one grey image (h, w) or a batch (n, h, w) / (n, h, w, c) with c = 1, 3 or
            4, at most 100 of them; uint8 or float, NumPy arrays or gradwise tensors.
        labels: one label per image (ints or strings), or None.
        class_names: names for integer labels (e.g. Fashion-MNIST's "T-shirt/top", ...).
        ncols: images per row (default: a square-ish grid).
        cmap: colour map for grey images; "binary" draws dark ink on white, as the seed.
        path: save the figure there as well.
        title: a title over the grid.

    Returns:
        the Figure; `fig.gradwise_data` = {"images": (n, h, w[, c]) array, "labels": [str]}.
    """
    batch = _as_batch(images)
    n = len(batch)
    if n == 0 or n > MAX_IMAGES:
        raise ValueError(f"plot_images draws 1 to {MAX_IMAGES} images; received {n}. Pass a slice, e.g. images[:25].")
    if labels is not None:
        labels = np.atleast_1d(np.asarray(labels))
        if len(labels) != n:
            raise ValueError(f"plot_images: {n} images but {len(labels)} labels.")
        texts = [str(class_names[int(v)]) if class_names is not None else str(v) for v in labels.tolist()]
    else:
        texts = [""] * n
    ncols = int(ncols or math.ceil(math.sqrt(n)))
    nrows = math.ceil(n / ncols)
    fig = _mpl.figure(figsize=(1.6 * ncols, 1.8 * nrows + (0.4 if title else 0)))
    for i in range(n):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(batch[i], cmap=cmap if batch[i].ndim == 2 else None)
        ax.set_xticks([])
        ax.set_yticks([])
        if texts[i]:
            ax.set_title(texts[i], fontsize=10)
    if title:
        fig.suptitle(title)
    return _mpl.finish(fig, {"images": batch, "labels": texts if labels is not None else None}, path)
