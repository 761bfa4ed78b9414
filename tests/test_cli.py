"""The gradwise command: help, one-line errors without tracebacks."""

import subprocess
import sys


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
