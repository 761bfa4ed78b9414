"""Callbacks that write training to disk: ModelCheckpoint (models or weights worth keeping)
and BackupAndRestore (the latest training state, to resume an interrupted fit).

Every file is written atomically (gradwise.saving writes a temporary file, then renames it),
so a crash or a Ctrl-C never leaves half a checkpoint. Both answer Ctrl-C during fit
(`on_interrupt`) by saying, or writing, where training can be resumed from.
"""

import os
import warnings

from .base import Callback
from .monitor import MonitorCallback


class _NaNForMissing(dict):
    """Format values for a file name; a log missing at this point (e.g. val_loss in the middle
    of an epoch) is formatted as nan instead of failing."""

    def __missing__(self, key):
        return float("nan")


def _with_suffix(path, tag):
    """"run/ckpt-03.gw" -> "run/ckpt-03.interrupted.gw"."""
    root, ext = os.path.splitext(path)
    return f"{root}.{tag}{ext}"


class ModelCheckpoint(MonitorCallback):
    """Save the model (or only its weights) during training (Keras 3's `ModelCheckpoint`).

    `filepath` may hold format fields filled from the epoch's logs: "{epoch}" (1-based, as
    in Keras), "{batch}" (1-based, with an integer save_freq) and any logged value, e.g.
    "ckpt-{epoch:02d}-{val_loss:.2f}.gw". Without fields, each save overwrites the file.

    Args:
        filepath: where to save (a model file, `.gw` recommended; with save_weights_only,
            an `.npz` archive of the weights).
        monitor: the quantity for save_best_only (default "val_loss").
        verbose: 1 prints each save (default 0).
        save_best_only: save only when `monitor` improves on its best (see MonitorCallback);
            if `monitor` is missing from the logs, saves with a warning (as Keras).
        save_weights_only: `model.save_weights` instead of `model.save`.
        mode: "auto" (default), "min" or "max".
        save_freq: "epoch" (default: at the end of each epoch) or an integer N: every N
            batches (the logs then are the running epoch's).
        initial_value_threshold: the best value to beat at first (save_best_only).

    Ctrl-C during fit writes the current state (mid-epoch) next to the regular checkpoints,
    named with ".interrupted" before the suffix (e.g. "ckpt-03.interrupted.gw" for an
    interruption during epoch 3), and fit prints that path. The model file keeps the
    optimizer state and the random state, so `gw.models.load_model(path,
    restore_random_state=True)` followed by `fit(..., initial_epoch=epoch)` continues from a
    regular (end-of-epoch) checkpoint exactly.

    Example:
        >>> save = gw.callbacks.ModelCheckpoint("best.gw", monitor="val_accuracy",
        ...                                     save_best_only=True)
        >>> model.fit(x, y, validation_split=0.1, epochs=10, callbacks=[save])
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, baseline=initial_value_threshold)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq is "
                             "'epoch' or a positive integer (a number of batches).")
        self.save_freq = save_freq
        self._batches_since_save = 0
        self._current_epoch = 0

    # --- when to save ---------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def on_interrupt(self, epoch, batch, logs=None):
        """Ctrl-C: write the current state to "<checkpoint>.interrupted<suffix>"; return it."""
        values = _NaNForMissing(logs or {})
        values.update(epoch=epoch + 1, batch=batch + 1)
        try:
            path = _with_suffix(self.filepath.format_map(values), "interrupted")
        except (ValueError, IndexError):  # a field the logs cannot fill: drop the fields
            path = _with_suffix(self.filepath.replace("{", "").replace("}", ""), "interrupted")
        self._write(path)
        return path

    # --- saving ---------------------------------------------------------------------------
    def _file_path(self, epoch, batch, logs):
        logs = dict(logs or {})
        fields = dict(logs, epoch=epoch + 1)
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as exc:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {exc} is '
                f"not in the logs ({', '.join(fields)}). Use one of those names, or monitor "
                "validation values only when fit has validation data."
            ) from None

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}", flush=True)
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        current = float(current)
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {filepath}", flush=True)
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}", flush=True)
        return False

    def _save(self, epoch, batch, logs):
        filepath = self._file_path(epoch, batch, logs)
        if self._should_save(epoch, logs, filepath):
            self._write(filepath)

    def _write(self, filepath):
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"ModelCheckpoint: {filepath!r} is a directory; give a file "
                                    "path, e.g. os.path.join(folder, 'ckpt-{epoch:02d}.gw').")
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)


class BackupAndRestore(Callback):
    """Back up the training state at the end of every epoch, and resume from it when fit is
    run again after an interruption (Keras 3's `BackupAndRestore`).

    The backup is one model file, `backup_dir/latest.gw`, holding the weights, the optimizer
    state (slots and iteration count, so schedules continue), the learning rate, gradwise's
    random state (so shuffling and dropout continue the same stream) and the epoch reached.
    At the start of fit, an existing backup is loaded into the model and training starts at
    the first unfinished epoch: resuming from an end-of-epoch backup gives the same weights,
    bit for bit, as a run that was never interrupted.

    If fit completes (normally or by a callback such as EarlyStopping), the backup is
    deleted (delete_checkpoint=True). If it ends by an error or Ctrl-C, the backup stays.

    Args:
        backup_dir: a folder used only for this backup.
        save_freq: "epoch" (default) or an integer N: also back up every N batches. A
            mid-epoch backup restarts that epoch from the mid-epoch weights (as Keras does),
            so only end-of-epoch backups resume exactly.
        double_checkpoint: keep the previous backup too (`latest.gw.bkp`) and fall back to
            it if the latest cannot be read (default False).
        delete_checkpoint: delete the backup when fit completes (default True).

    On Ctrl-C: with save_freq="epoch", the last end-of-epoch backup is the resume point and
    its path is returned (a backup of the current state is written if no epoch has finished
    yet); with an integer save_freq the current state is backed up.

    Example:
        >>> backup = gw.callbacks.BackupAndRestore("run/backup")
        >>> model.fit(x, y, epochs=20, callbacks=[backup])   # Ctrl-C, then run it again
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: empty `backup_dir` argument passed; give a "
                             "folder used only for this backup.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq!r}. Expected either 'epoch' or a positive "
                             "integer.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, "latest.gw")
        self._previous_path = self._path + ".bkp"
        self._batches_since_save = 0
        self._epochs_done = 0
        self._interrupted = False

    @property
    def backup_path(self):
        """The backup file (it exists between epochs of an unfinished fit)."""
        return self._path

    def on_train_begin(self, logs=None):
        self._interrupted = False
        self._batches_since_save = 0
        self._epochs_done = 0
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, the model must be built "
                             "before fit() restores it; call it on a batch of data first.")
        for path in (self._path, self._previous_path):
            if not os.path.exists(path):
                continue
            try:
                self._restore(path)
                return
            except (OSError, ValueError) as exc:
                if path == self._previous_path or not self.double_checkpoint \
                        or not os.path.exists(self._previous_path):
                    raise
                warnings.warn(f"BackupAndRestore: the latest backup cannot be read ({exc}); "
                              "restoring the previous one.", stacklevel=2)

    def _restore(self, path):
        from ..saving import restore_training_state

        metadata = restore_training_state(self.model, path).get("backup_and_restore", {})
        self._epochs_done = int(metadata.get("epoch", 0))
        self.model._initial_epoch = self._epochs_done

    def on_epoch_end(self, epoch, logs=None):
        self._epochs_done = epoch + 1
        if self.save_freq == "epoch":
            self._save(batch=0)

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(batch=batch + 1)

    def on_interrupt(self, epoch, batch, logs=None):
        """Ctrl-C: keep the backup (return its path), writing one first if needed."""
        self._interrupted = True
        if self.save_freq != "epoch" or not os.path.exists(self._path):
            self._save(batch=batch + 1)
        return self._path

    def _save(self, batch):
        from ..saving import save_model

        if self.double_checkpoint and os.path.exists(self._path):
            os.replace(self._path, self._previous_path)
        metadata = {"backup_and_restore": {"epoch": self._epochs_done, "batch": batch}}
        save_model(self.model, self._path, metadata=metadata)

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint or self._interrupted:
            return
        for path in (self._path, self._previous_path):
            if os.path.exists(path):
                os.remove(path)
        try:
            os.rmdir(self.backup_dir)  # only if nothing else is in it
        except OSError:
            pass
