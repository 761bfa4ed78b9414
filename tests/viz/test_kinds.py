"""`gradwise plot KIND --out FILE.png`: every kind writes a PNG; user errors are one line."""

import json
import shutil
import subprocess
import sys

import pytest

from gradwise import cli

PNG = b"\x89PNG\r\n\x1a\n"

CASES = {
    "history": ["--epochs", "2"],
    "images": ["--dataset", "digits", "--start", "4", "--count", "1"],  # seed 000 Fig. 2.2, on the digits
    "activations": [],
    "sigmoid": [],
    "optimizers": [],
    "learning-rates": [],
    "geometry": [],
    "graph": [],
}


def run(capsys, *args):
    code = cli.main(["plot", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_writes_a_png(kind, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / f"{kind}.png"
    code, stdout, err = run(capsys, kind, "--out", str(out), *CASES[kind])
    assert code == 0, err
    data = out.read_bytes()
    assert data.startswith(PNG) and len(data) > 1000
    assert stdout.startswith(f"{kind} plot saved to {out}")


def test_history_from_a_file(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7]}))
    code, stdout, _ = run(capsys, "history", "--history", str(path), "--out", str(tmp_path / "h.png"))
    assert code == 0 and f"from {path}" in stdout
    assert (tmp_path / "h.png").read_bytes().startswith(PNG)


def test_graph_without_graphviz_uses_matplotlib(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, stdout, _ = run(capsys, "graph", "--out", str(tmp_path / "g.png"))
    assert code == 0 and "drawn with matplotlib" in stdout
    assert (tmp_path / "g.png").read_bytes().startswith(PNG)


@pytest.mark.parametrize("args, message", [
    (["surface"], "unknown plot kind 'surface'; choose one of: history, images"),
    (["history", "--history", "missing.csv"], "No such file"),
    (["images", "--dataset", "digits", "--start", "5000"], "--start must be in [0, 1797)"),
])
def test_user_errors_are_one_line(tmp_path, capsys, args, message):
    pytest.importorskip("matplotlib")
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "x.png"))
    assert code == 1 and err.startswith("gradwise: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_matplotlib_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = run(capsys, "sigmoid", "--out", str(tmp_path / "s.png"))
    assert code == 1 and 'pip install "gradwise[plot]"' in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "s.png").exists()


def test_a_real_command_line_run(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "geometry.png"
    proc = subprocess.run([sys.executable, "-m", "gradwise.cli", "plot", "geometry", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(PNG)
    proc = subprocess.run([sys.executable, "-m", "gradwise.cli", "plot", "nope"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_help_lists_the_kinds(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["plot", "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "usage: gradwise plot" in out
    flat = "".join(out.split())  # argparse may wrap "learning-rates" at its hyphen
    assert all(kind in flat for kind in CASES)
