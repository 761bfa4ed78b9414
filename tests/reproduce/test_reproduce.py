"""`gradwise reproduce`: the claim registry, the table, the exit status and the JSON rows.

Only fast claims run here (plus one small training, the seed 003 digits network); the MNIST
and Fashion-MNIST trainings belong to `gradwise reproduce` itself.
"""

import json
import re
import subprocess
import sys

import pytest

from gradwise import cli, reproduce
from gradwise.reproduce import CLAIMS, Claim

FAST = ["gd-1d", "chain-rule", "conv-by-hand", "sharpen", "forward-example"]
LONG = {"mnist-mlp", "mnist-mlp-train", "mnist-first-digit", "fashion-cnn"}


def rows_of(text):
    """The table rows printed by a run: {claim name: the row's words}."""
    rows = {}
    for line in text.splitlines():
        name = line.split(" ", 1)[0]
        if name in CLAIMS or name.startswith("test-"):
            rows[name] = line
    return rows


def test_list_names_every_claim(capsys):
    assert cli.main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(CLAIMS)
    for name in LONG:
        assert re.search(rf"^{name}\s+\S.*full", out, re.M), name


def test_registry_is_well_formed():
    assert len(CLAIMS) >= 50
    for name, c in CLAIMS.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
        assert re.match(r"00[0-4]", c.seed), (name, c.seed)
        assert c.description and c.show_expected() and c.show_tolerance(), name
    assert {c.name for c in CLAIMS.values() if c.full} == LONG
    # the worked examples of SPEC.md are all there
    for name in ("gd-1d", "forward-example", "conv-by-hand", "sharpen", "bowl-descent", "dot-shapes", "chain-rule",
                 "mcculloch-pitts", "perceptron", "normal-equation-vs-gd", "naive-ops", "naive-speed",
                 "digits-numpy", "digits-sequential", "mnist-mlp-1epoch"):
        assert name in CLAIMS and not CLAIMS[name].full, name


def test_selection():
    assert not any(c.full for c in reproduce.select())
    assert {c.name for c in reproduce.select(full=True)} == set(CLAIMS)
    assert [c.name for c in reproduce.select(["fashion-cnn"])] == ["fashion-cnn"]  # a long one, alone
    assert [c.name for c in reproduce.select(["sharpen", "gd-1d"])] == ["gd-1d", "sharpen"]  # registry order
    assert {c.name for c in reproduce.select(["optimizer-*"])} == {
        "optimizer-sgd", "optimizer-momentum", "optimizer-nesterov", "optimizer-adagrad", "optimizer-rmsprop",
        "optimizer-adam"}
    with pytest.raises(ValueError, match="unknown claim 'no-such-claim'.*--list"):
        reproduce.select(["no-such-claim"])


def test_only_fast_claims_pass_and_print_the_table(capsys):
    status = cli.main(["reproduce", "--only", ",".join(FAST[:3]), "--only", FAST[3], "--only", FAST[4]])
    out = capsys.readouterr().out
    assert status == 0, out
    header = next(line for line in out.splitlines() if line.startswith("claim"))
    assert header.split() == ["claim", "seed", "expected", "got", "tolerance", "ok", "s"]
    rows = rows_of(out)
    assert set(rows) == set(FAST)
    assert all(" ok " in row for row in rows.values()), rows
    assert "2.249965" in rows["gd-1d"] and "[[12,12,17],[10,17,19],[9,6,14]]" in rows["conv-by-hand"]
    assert f"{len(FAST)} claims: {len(FAST)} ok, 0 failed" in out


def test_a_failing_claim_makes_the_exit_status_non_zero(monkeypatch, capsys):
    wrong = Claim("test-wrong", "004", "a deliberately wrong claim", lambda c: (41, 41 == c.expected), expected=42)
    monkeypatch.setitem(CLAIMS, wrong.name, wrong)
    assert cli.main(["reproduce", "--only", "test-wrong,gd-1d"]) == 1
    out = capsys.readouterr().out
    rows = rows_of(out)
    assert "FAIL" in rows["test-wrong"] and " ok " in rows["gd-1d"]
    assert "1 failed (test-wrong)" in out


def test_a_claim_that_raises_is_a_failed_row_not_a_traceback(monkeypatch, capsys):
    def broken(c):
        raise RuntimeError("the data set is missing")

    monkeypatch.setitem(CLAIMS, "test-broken", Claim("test-broken", "001", "raises", broken, expected=1))
    assert cli.main(["reproduce", "--only", "test-broken"]) == 1
    captured = capsys.readouterr()
    assert "FAIL" in rows_of(captured.out)["test-broken"]
    assert "RuntimeError: the data set is missing" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_what_a_claim_prints_goes_to_stderr(monkeypatch, capsys):
    def chatty(c):
        print("epoch 1/1 - loss 0.1")
        return 1, True

    monkeypatch.setitem(CLAIMS, "test-chatty", Claim("test-chatty", "000", "prints", chatty, expected=1))
    assert cli.main(["reproduce", "--only", "test-chatty"]) == 0
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err and "epoch 1/1" not in captured.out


def test_json_writes_valid_rows(tmp_path, monkeypatch):
    wrong = Claim("test-wrong", "004", "wrong", lambda c: (41, False), expected=42, tolerance=0.5)
    monkeypatch.setitem(CLAIMS, wrong.name, wrong)
    path = tmp_path / "rows.json"
    assert cli.main(["reproduce", "--only", "gd-1d,sharpen,test-wrong", "--json", str(path)]) == 1
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["passed"] is False and data["mode"] == "selected"
    rows = {row["claim"]: row for row in data["rows"]}
    assert list(rows) == ["gd-1d", "sharpen", "test-wrong"]
    for row in rows.values():
        assert set(row) >= {"claim", "seed", "description", "expected", "got", "tolerance", "ok", "seconds"}
    assert rows["gd-1d"]["ok"] is True and rows["gd-1d"]["expected"] == "2.249965"
    assert rows["sharpen"]["got"] == "2" and rows["sharpen"]["seed"] == "004"
    assert rows["test-wrong"] == {**rows["test-wrong"], "ok": False, "got": "41", "expected": "42",
                                  "tolerance": "±0.5"}
    assert not list(tmp_path.glob("*.tmp-*"))  # written atomically


def test_unknown_claim_is_a_one_line_error(capsys):
    assert cli.main(["reproduce", "--only", "no-such-claim"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gradwise: error: unknown claim 'no-such-claim'") and len(err.strip().splitlines()) == 1


def test_the_command_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gradwise.cli", "reproduce", "--only", "paths-sum,mcculloch-pitts"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 claims: 2 ok, 0 failed" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "gradwise.cli", "reproduce", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--full" in proc.stdout and "--only" in proc.stdout and "--json" in proc.stdout


def test_the_seed003_digits_network_reaches_86_percent(capsys):
    """The one training claim run here: seed 003's NumPy network, a few seconds."""
    assert cli.main(["reproduce", "--only", "digits-numpy"]) == 0
    row = rows_of(capsys.readouterr().out)["digits-numpy"]
    accuracy = float(row.split(">= 0.86 (86 %)")[1].split()[0])
    assert accuracy >= 0.86
