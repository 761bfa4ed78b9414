"""The gradwise command: help, one-line errors without tracebacks."""

import subprocess
import sys

import numpy as np
import pytest

import gradwise as gw
from gradwise import cli


def gradwise(*args):
    return subprocess.run([sys.executable, "-m", "gradwise.cli", *args], capture_output=True, text=True, timeout=120)


def test_help_everywhere():
    for args in ([], ["train"], ["evaluate"], ["data"]):
        proc = gradwise(*args, "--help")
        assert proc.returncode == 0 and "usage: gradwise" in proc.stdout


def test_user_error_is_one_line_without_traceback(tmp_path):
    proc = gradwise("evaluate", str(tmp_path / "missing.gw"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("gradwise: error: No model file")
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_bad_option_value():
    proc = gradwise("train", "--epochs", "0")
    assert proc.returncode == 1 and "--epochs" in proc.stderr and "Traceback" not in proc.stderr


def test_data_path_prints_cache_dir(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gradwise.cli", "data", "path"], capture_output=True, text=True,
                          env={"GRADWISE_DATA": str(tmp_path), "PATH": ""})
    assert proc.returncode == 0 and proc.stdout.strip() == str(tmp_path)


def tiny_digits(dataset):
    """A stand-in for MNIST: 256 noisy copies of ten 28x28 patterns (learnable in one epoch)."""
    rng = np.random.default_rng(0)
    patterns = rng.integers(0, 256, (10, 28, 28))
    y = rng.integers(0, 10, 320)
    x = np.clip(patterns[y] + rng.normal(0, 20, (320, 28, 28)), 0, 255).astype(np.uint8)
    return (x[:256], y[:256].astype(np.uint8)), (x[256:], y[256:].astype(np.uint8))


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_train_then_resume_continues_at_the_next_epoch(model, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_load", tiny_digits)
    path = str(tmp_path / "m.gw")
    common = ["--model", model, "--batch-size", "32", "--verbose", "0", "--seed", "1", "--save", path]
    assert cli.main(["train", "--epochs", "1", *common]) == 0
    first = gw.models.load_model(path)
    assert first.optimizer.iterations == 8  # 256 images / 32
    assert len(first.layers) == (2 if model == "mlp" else 7)

    assert cli.main(["train", "--epochs", "3", "--resume", path, *common]) == 0
    out = capsys.readouterr().out
    assert "resuming" in out and "at epoch 2 of 3" in out
    resumed = gw.models.load_model(path)
    assert resumed.optimizer.iterations == 24  # two more epochs, not three
    acc = float(out.strip().splitlines()[-2].split("test accuracy: ")[1].split()[0])
    assert acc > 0.5  # ten patterns, chance is 0.1

    assert cli.main(["train", "--epochs", "3", "--resume", path, *common]) == 1  # nothing left to do
    assert "already been trained for 3 epochs" in capsys.readouterr().err
