"""Ctrl-C during fit stops after the current batch, keeps the weights, no traceback."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, signal
    import numpy as np
    import gradwise as gw

    class PressCtrlC(gw.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 1 and batch == 2:
                os.kill(os.getpid(), signal.SIGINT)   # the user presses Ctrl-C
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    gw.random.seed(0)
    x = np.random.default_rng(0).normal(size=(640, 8)).astype("float32")
    y = (x[:, 0] > 0).astype(int)
    model = gw.Sequential([gw.layers.Dense(8, activation="relu"), gw.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[PressCtrlC()])
    print("finished epochs:", history.epoch)
    print("iterations:", model.optimizer.iterations)
    model.save(os.environ["OUT"])
""")


def test_sigint_stops_cleanly_after_the_current_batch(tmp_path):
    out = tmp_path / "after.gw"
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                          env={"OUT": str(out), "PATH": "", "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "interrupted by the user at epoch 2, batch 3" in proc.stdout
    assert "finished epochs: [0]" in proc.stdout          # epoch 1 finished and was recorded
    assert "iterations: 23" in proc.stdout                # 20 batches of epoch 1 + 3 of epoch 2
    import gradwise as gw

    assert gw.models.load_model(out).optimizer.iterations == 23
