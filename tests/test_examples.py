"""The examples print the seeds' numbers."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_example(name, *args):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_seed000_gradient_tape_prints_seed_numbers():
    out = run_example("seed000_gradient_tape.py")
    assert "grad of y = 2x + 3 wrt x: 2.0" in out
    assert "grad(loss, w) = 2 " in out and "grad(loss, b) = 1 " in out
    assert "x1 = 6, x2 = 7, loss = 3" in out
