"""PyDataset: batches computed by Python code, fed to fit/evaluate/predict (Keras 3's
keras.utils.PyDataset; `Sequence` is its legacy name)."""

import itertools


class PyDataset:
    """A dataset that hands out whole batches by index; subclass it and write two methods.

    `__len__()` returns the number of batches in one epoch and `__getitem__(index)` returns
    batch `index` (0 <= index < len) as `(x, y)`, `(x, y, sample_weight)`, or `x` alone (or
    `(x,)`) for predict. `x` may be a list or dict of arrays for a model with several inputs.
    `on_epoch_begin()` and `on_epoch_end()` are optional hooks, e.g. to reshuffle the samples.

    How fit uses it (as Keras 3):
        - an epoch is `len(dataset)` batches, unless `steps_per_epoch` is given;
        - `shuffle=True` (fit's default) reorders the *batches* (which index comes when) at
          every epoch, never the samples inside a batch; `shuffle=False` reads 0, 1, 2, ...;
        - `on_epoch_begin()` runs before an epoch's first batch and `on_epoch_end()` after its
          last one (before validation and the callbacks' on_epoch_end); evaluate and predict
          call each once around their pass;
        - `batch_size`, `y` and `sample_weight` must not be given to fit: the dataset makes
          the batches and carries labels and weights in them.

    Args:
        workers: number of workers Keras would use to prefetch batches (default 1).
        use_multiprocessing: whether Keras would use processes instead of threads (default False).
        max_queue_size: how many prefetched batches Keras would keep (default 10).
    These three are stored so Keras code runs unchanged, but they have no effect: gradwise
    reads one batch at a time, in order, in the thread that trains (no workers, no queue).

    Example:
        >>> class Batches(gw.utils.PyDataset):
        ...     def __init__(self, x, y, batch_size, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x, self.y, self.batch_size = x, y, batch_size
        ...     def __len__(self):
        ...         return math.ceil(len(self.x) / self.batch_size)
        ...     def __getitem__(self, index):
        ...         part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        ...         return self.x[part], self.y[part]
        >>> model.fit(Batches(x_train, y_train, 64), epochs=5)
    """

    workers, use_multiprocessing, max_queue_size = 1, False, 10  # if a subclass skips super().__init__

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__(): the number of batches per epoch.")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index): batch `index` as "
                                  "(x, y) or (x, y, sample_weight).")

    @property
    def num_batches(self):
        """Batches per epoch: len(self). A subclass may return None for an endless dataset
        (fit then needs steps_per_epoch, as Keras)."""
        return len(self)

    def on_epoch_begin(self):
        """Called before the first batch of every epoch."""

    def on_epoch_end(self):
        """Called after the last batch of every epoch."""

    def __iter__(self):
        """The batches in order (forever if num_batches is None), as Keras's PyDataset."""
        n = self.num_batches
        for index in (itertools.count() if n is None else range(n)):
            yield self[index]


Sequence = PyDataset  # Keras's legacy name (keras.utils.Sequence)
