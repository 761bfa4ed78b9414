"""Data helpers: to_categorical, pad_sequences, set_random_seed (Keras's names); train_test_split, shuffle,
standardize (scikit-learn's shapes of call and result); PyDataset (alias Sequence), batches
computed by Python code for fit/evaluate/predict (py_dataset.py)."""

import numpy as np

from .. import backend, random as gw_random
from .py_dataset import PyDataset, Sequence  # noqa: F401


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels: [1, 0] -> [[0, 1], [1, 0]] (as Keras).

    Args:
        y: integer labels of any shape (a trailing axis of size 1 is dropped).
        num_classes: number of classes (default: max label + 1).
    Returns: array of shape y.shape + (num_classes,).
    """
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.array_equal(y, np.round(y)):
            raise ValueError("to_categorical needs integer class labels; y holds fractions.")
        y = y.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {y.min()}.")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(f"to_categorical: label {y.max()} does not fit num_classes={num_classes}.")
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None].astype(np.int64), 1, axis=-1)
    return out


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Sequences of different lengths as one (samples, maxlen, ...) array (as Keras).

    Shorter sequences are filled with `value` before ("pre", the default) or after ("post")
    their items; longer ones lose items at the start ("pre") or the end ("post").
    maxlen defaults to the longest length. Items may themselves be arrays of one shape.
    Example: pad_sequences([[1, 2], [3]]) -> [[1, 2], [0, 3]].
    """
    for name, mode in (("padding", padding), ("truncating", truncating)):
        if mode not in ("pre", "post"):
            raise ValueError(f'{name} must be "pre" or "post", got {mode!r}.')
    try:
        sequences = list(sequences)
    except TypeError:
        raise ValueError(f"pad_sequences: `sequences` must be a list of sequences, got {type(sequences).__name__}.") from None
    lengths = []
    for i, seq in enumerate(sequences):
        try:
            lengths.append(len(seq))
        except TypeError:
            raise ValueError(f"pad_sequences: sequence {i} is not a sequence ({seq!r}); pass a list of lists.") from None
    if maxlen is None:
        maxlen = max(lengths, default=0)
    elif maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be >= 0, got {maxlen}.")
    item_shape = next((np.asarray(seq).shape[1:] for seq, n in zip(sequences, lengths) if n), ())
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for i, (seq, n) in enumerate(zip(sequences, lengths)):
        if not n or not maxlen:
            continue
        kept = np.asarray(seq, dtype=dtype)
        kept = kept[-maxlen:] if truncating == "pre" else kept[:maxlen]
        if kept.shape[1:] != item_shape:
            raise ValueError(f"pad_sequences: the items of sequence {i} have shape {kept.shape[1:]}, "
                             f"the first sequence's {item_shape}; all items need one shape.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out


def normalize(x, axis=-1, order=2):
    """x divided by its `order`-norm along `axis` (keras.utils.normalize); all-zero rows stay 0."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def set_random_seed(seed):
    """Keras's spelling of gw.random.seed: one call seeds everything random in gradwise."""
    gw_random.seed(seed)


# --- data preparation (scikit-learn's shapes of call and result) -----------------------------
def _as_arrays(arrays, caller):
    """The arguments as NumPy arrays of one length (> 0), or an error naming the lengths."""
    out = [np.asarray(a.numpy() if hasattr(a, "numpy") else a) for a in arrays]
    if any(a.ndim == 0 for a in out):
        raise ValueError(f"{caller}: every array needs a first (sample) axis; got a scalar.")
    lengths = [len(a) for a in out]
    if len(set(lengths)) > 1:
        raise ValueError(f"{caller}: the arrays hold different numbers of samples {lengths}; "
                         "x and y must have one entry per sample.")
    if lengths and lengths[0] == 0:
        raise ValueError(f"{caller}: the arrays are empty (0 samples).")
    return out


def _permutation(n, seed):
    """A permutation of range(n): from its own generator when `seed` is given, else from gw.random."""
    if seed is None:
        return np.asarray(backend.to_numpy(gw_random.permutation(n)))
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int or None, got {seed!r}.")
    return np.random.default_rng(int(seed)).permutation(n)


def shuffle(*arrays, seed=None):
    """The arrays with their samples (first axis) reordered by one random permutation.

    The same permutation for all, so pairs (x[i], y[i]) stay together. seed: an int for a
    fixed order; None draws from gradwise's generator (reproducible with gw.random.seed).
    Returns one array for one argument, else a list (as sklearn.utils.shuffle).
    """
    if not arrays:
        raise ValueError("shuffle: give at least one array.")
    arrays = _as_arrays(arrays, "shuffle")
    order = _permutation(len(arrays[0]), seed)
    out = [a[order] for a in arrays]
    return out[0] if len(out) == 1 else out


def _test_count(test_size, n):
    if isinstance(test_size, bool) or not isinstance(test_size, (int, np.integer, float, np.floating)):
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a count, got {test_size!r}.")
    if isinstance(test_size, (float, np.floating)):
        if not 0 < test_size < 1:
            raise ValueError(f"train_test_split: test_size={test_size} must be in (0, 1) as a fraction.")
        n_test = int(np.ceil(test_size * n))  # as scikit-learn: the test part is rounded up
    else:
        n_test = int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size!r} leaves {n_test} of {n} samples for testing; "
                         "both parts need at least one sample.")
    return n_test


def _stratified_test_indices(labels, n_test, order):
    """Indices of a test part holding each class in proportion to its share of the data.

    Each class gets floor(n_test · share) places, and the places left over go to the classes
    with the largest remainders; within a class the samples follow `order` (a permutation).
    """
    if labels.ndim > 1:  # one-hot or (n, 1) labels: one class id per sample
        labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
    classes, counts = np.unique(labels, return_counts=True)
    if counts.min() < 2:
        rare = classes[counts.argmin()].item()
        raise ValueError(f"train_test_split: class {rare!r} has only 1 sample; stratify needs at least 2 per "
                         "class (one for each part). Drop the class or use stratify=None.")
    exact = n_test * counts / counts.sum()
    share = np.floor(exact).astype(int)
    leftover = n_test - share.sum()
    share[np.argsort(-(exact - share), kind="stable")[:leftover]] += 1
    ranked = labels[order]
    picked = [order[ranked == c][:k] for c, k in zip(classes, share)]
    return np.concatenate(picked)


def train_test_split(x, y=None, test_size=0.25, stratify=None, seed=None, shuffle=True):
    """Split samples into a training and a test part (scikit-learn's order of results).

        x_train, x_test, y_train, y_test = gw.utils.train_test_split(x, y, test_size=0.2, seed=0)
        x_train, x_test = gw.utils.train_test_split(x)               # without labels

    Args:
        x, y: arrays with the samples on the first axis (y optional).
        test_size: fraction of the samples for the test part (rounded up), or a count.
        stratify: class labels (usually y) whose proportions both parts keep, so a rare
            class is not missing from the test part. Needs shuffle=True.
        seed: int for a fixed split; None draws from gradwise's generator (gw.random.seed).
        shuffle: False keeps the order: the test part is the last samples.
    """
    arrays = [x] if y is None else [x, y]
    if stratify is not None:
        arrays.append(stratify)
    arrays = _as_arrays(arrays, "train_test_split")
    n = len(arrays[0])
    n_test = _test_count(test_size, n)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split: stratify needs shuffle=True (a stratified split picks samples "
                             "from each class at random).")
        train, test = np.arange(n - n_test), np.arange(n - n_test, n)
    else:
        order = _permutation(n, seed)
        chosen = order[:n_test] if stratify is None else _stratified_test_indices(arrays[-1], n_test, order)
        in_test = np.zeros(n, dtype=bool)
        in_test[chosen] = True
        test, train = order[in_test[order]], order[~in_test[order]]  # both parts in shuffled order
    out = []
    for a in arrays[: 1 if y is None else 2]:
        out += [a[train], a[test]]
    return out


def standardize(x, axis=0, mean=None, std=None, epsilon=1e-7, return_stats=False):
    """(x - mean) / max(std, epsilon): each feature to mean 0 and standard deviation 1.

    The statistics are taken along `axis` (0: over the samples, one per feature) unless given.
    Standardise test data with the training data's statistics, never its own:

        x_train, mean, std = gw.utils.standardize(x_train, return_stats=True)
        x_test = gw.utils.standardize(x_test, mean=mean, std=std)

    Args:
        x: array (integers become float32; float64 stays float64).
        axis: int, tuple or None (None: one mean and std for all values).
        mean, std: fixed statistics (broadcastable to x with `axis` kept as size 1).
        epsilon: smallest std divided by: a constant feature becomes 0, not NaN (as
            gw.layers.Normalization and Keras).
        return_stats: also return (mean, std) with the reduced axes kept, for reuse.
    Returns: the standardised array; with return_stats, (array, mean, std).
    """
    x = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    if x.size == 0:
        raise ValueError("standardize: x is empty.")
    if (mean is None) != (std is None):
        raise ValueError("standardize: give both mean and std (e.g. from the training data), or neither.")
    if mean is None:
        if not np.isfinite(x).all():
            raise ValueError("standardize: x holds NaN or inf; clean the data first.")
        mean = x.mean(axis=axis, keepdims=True, dtype=np.float64).astype(x.dtype)
        std = x.std(axis=axis, keepdims=True, dtype=np.float64).astype(x.dtype)
    else:
        mean, std = np.asarray(mean, dtype=x.dtype), np.asarray(std, dtype=x.dtype)
        if (std < 0).any():
            raise ValueError("standardize: std must be >= 0.")
    out = (x - mean) / np.maximum(std, x.dtype.type(epsilon))
    return (out, mean, std) if return_stats else out


_GAPS = {
    "plot_model": "gradwise draws no model diagrams (Keras needs pydot and graphviz for it); "
                  "print model.summary(), or draw a GradientTape's graph with gw.viz.graph.",
    "image_dataset_from_directory": "gradwise reads no image folders; load the images into a NumPy "
                                    "array (e.g. with Pillow) and pass it to fit, or wrap them in a PyDataset.",
    "text_dataset_from_directory": "gradwise reads no text folders; tokenize into integer arrays and pass them to fit.",
}


def __getattr__(name):
    from ..errors import missing_name

    raise missing_name(__name__, name, _GAPS)
