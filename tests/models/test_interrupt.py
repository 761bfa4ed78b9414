"""Ctrl-C during fit stops after the current batch, keeps the weights, no traceback."""

import signal
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


RESUMABLE = textwrap.dedent("""
    import os, time
    import numpy as np
    import gradwise as gw

    out, epochs, pause = os.environ["OUT"], int(os.environ["EPOCHS"]), float(os.environ["PAUSE"])

    class Report(gw.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(pause)                     # slow enough for the test to press Ctrl-C
        def on_epoch_end(self, epoch, logs=None):
            print("finished epoch", epoch, flush=True)

    gw.random.seed(0)
    x = np.random.default_rng(0).normal(size=(640, 8)).astype("float32")
    y = (x[:, 0] > 0).astype(int)
    model = gw.Sequential([gw.layers.Dense(8, activation="relu"), gw.layers.Dropout(0.2),
                           gw.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    callbacks = [Report(), gw.callbacks.ModelCheckpoint(os.path.join(out, "ck-{epoch:02d}.gw")),
                 gw.callbacks.BackupAndRestore(os.path.join(out, "backup"))]
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=callbacks)
    print("epochs run:", history.epoch)
    print("iterations:", model.optimizer.iterations)
    np.save(os.path.join(out, "final.npy"), np.concatenate([w.ravel() for w in model.get_weights()]))
""")


def run_resumable(out, pause, interrupt=False):
    env = {"OUT": str(out), "EPOCHS": "3", "PAUSE": str(pause), "PATH": "",
           "PYTHONPATH": ":".join(sys.path)}
    if not interrupt:
        proc = subprocess.run([sys.executable, "-c", RESUMABLE], capture_output=True, text=True,
                              timeout=300, env=env)
        return proc.returncode, proc.stdout, proc.stderr
    proc = subprocess.Popen([sys.executable, "-c", RESUMABLE], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    for line in proc.stdout:  # wait until the first epoch has finished (Ctrl-C acts after a batch)
        lines.append(line)
        if line.startswith("finished epoch 0"):
            proc.send_signal(signal.SIGINT)  # the user presses Ctrl-C during epoch 2
            break
    rest, err = proc.communicate(timeout=300)
    return proc.returncode, "".join(lines) + rest, err


def test_sigint_writes_checkpoints_and_a_rerun_resumes_bit_identically(tmp_path):
    import re

    import numpy as np

    import gradwise as gw

    reference, interrupted = tmp_path / "reference", tmp_path / "interrupted"
    code, out, err = run_resumable(reference, pause=0.0)
    assert code == 0, err
    assert not (reference / "backup").exists()  # a completed fit deletes its backup

    code, out, err = run_resumable(interrupted, pause=0.1, interrupt=True)
    assert code == 0, err
    assert "Traceback" not in err
    finished = [int(line.split()[-1]) for line in out.splitlines() if line.startswith("finished epoch")]
    assert finished and finished == list(range(len(finished))) and len(finished) < 3, out
    match = re.search(r"interrupted by the user at epoch (\d+), batch (\d+).*checkpoint written to (.+)\.$",
                      out, re.MULTILINE)
    assert match, out
    epoch, batch = int(match.group(1)), int(match.group(2))
    assert epoch == len(finished) + 1
    paths = match.group(3).split(", ")
    interrupt_ckpt = str(interrupted / f"ck-{epoch:02d}.interrupted.gw")
    backup = str(interrupted / "backup" / "latest.gw")
    assert paths == [interrupt_ckpt, backup]
    # the mid-epoch checkpoint holds every finished batch; the regular ones every finished epoch
    assert gw.models.load_model(interrupt_ckpt).optimizer.iterations == 20 * len(finished) + batch
    for e in finished:
        assert gw.models.load_model(interrupted / f"ck-{e + 1:02d}.gw").optimizer.iterations == 20 * (e + 1)

    # running the same script again resumes after the last finished epoch: nothing is lost, and
    # the result is bit for bit the uninterrupted one (weights, optimizer and random state)
    code, out, err = run_resumable(interrupted, pause=0.0)
    assert code == 0, err
    assert f"epochs run: {list(range(len(finished), 3))}" in out
    assert "iterations: 60" in out
    np.testing.assert_array_equal(np.load(interrupted / "final.npy"), np.load(reference / "final.npy"))
    assert not (interrupted / "backup").exists()
