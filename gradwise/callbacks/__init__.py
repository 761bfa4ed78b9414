"""Callbacks: hooks into fit/evaluate/predict with Keras 3's names and behaviour.

    base.py           Callback (the hooks), CallbackList, History, ProgbarLogger, LambdaCallback
    monitor.py        MonitorCallback (compare a logged value with its best), EarlyStopping,
                      TerminateOnNaN
    learning_rate.py  LearningRateScheduler, ReduceLROnPlateau
    checkpoint.py     ModelCheckpoint, BackupAndRestore (atomic files; resume after Ctrl-C)
    csv_logger.py     CSVLogger

    model.fit(x, y, validation_split=0.1, epochs=50, callbacks=[
        gw.callbacks.EarlyStopping(patience=3, restore_best_weights=True),
        gw.callbacks.ModelCheckpoint("ckpt-{epoch:02d}.gw", save_best_only=True),
        gw.callbacks.BackupAndRestore("backup"),
    ])
"""

from .base import Callback, CallbackList, History, LambdaCallback, ProgbarLogger
from .checkpoint import BackupAndRestore, ModelCheckpoint
from .csv_logger import CSVLogger
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .monitor import EarlyStopping, MonitorCallback, TerminateOnNaN

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "LambdaCallback",
           "MonitorCallback", "EarlyStopping", "TerminateOnNaN", "LearningRateScheduler",
           "ReduceLROnPlateau", "ModelCheckpoint", "BackupAndRestore", "CSVLogger"]


_GAPS = {
    "TensorBoard": "gradwise writes no TensorFlow event files. Log each epoch with "
                   "CSVLogger('log.csv') (or keep fit's History) and plot it with gw.viz.plot_history.",
    "RemoteMonitor": "gradwise sends nothing over the network; use a LambdaCallback to report logs yourself.",
    "SwapEMAWeights": "gradwise optimizers keep no moving average of the weights (use_ema).",
}


def __getattr__(name):
    from ..errors import missing_name

    raise missing_name(__name__, name, _GAPS)
