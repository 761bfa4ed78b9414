"""Run the selected claims and print the table: claim, seed, expected, got, tolerance, ok.

Rows are printed as each claim finishes (long trainings take minutes), on stdout; anything a
claim prints itself (training progress, warnings) goes to stderr so the table stays clean.
A claim that raises is a failed row whose `got` names the exception.
"""

import contextlib
import json
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass

from .registry import CLAIMS, select, show

COLUMNS = (("claim", 24), ("seed", 13), ("expected", 32), ("got", 34), ("tolerance", 16), ("ok", 4))


@dataclass
class Row:
    """One line of the table (also one object of the --json file)."""

    claim: str
    seed: str
    description: str
    expected: str
    got: str
    tolerance: str
    ok: bool
    seconds: float
    error: str = None


def run_claim(c):
    """Run one claim with gradwise's generator seeded, and return its Row."""
    import gradwise as gw

    gw.random.seed(0)  # every claim starts from the same random state, whatever ran before
    start = time.perf_counter()
    error = None
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")  # e.g. the perceptron's "not separable" warning is the point
            got, ok = c.run(c)
        got_text, ok = show(got), bool(ok)
    except Exception as exc:  # a claim that crashes is a failure, reported, not a traceback
        error = f"{type(exc).__name__}: {exc}"
        got_text, ok = f"error: {error}", False
    return Row(c.name, c.seed, c.description, c.show_expected(), got_text, c.show_tolerance(), ok,
               round(time.perf_counter() - start, 3), error)


def _cell(text, width):
    text = str(text)
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def format_row(values):
    """Six padded cells (see COLUMNS) and the seconds."""
    *cells, seconds = values
    return "  ".join(_cell(v, w) for v, (_, w) in zip(cells, COLUMNS)) + "  " + str(seconds)


def header():
    return format_row([name for name, _ in COLUMNS] + ["s"])


def row_line(row):
    return format_row([row.claim, row.seed, row.expected, row.got, row.tolerance,
                       "ok" if row.ok else "FAIL", f"{row.seconds:.1f}"])


@contextlib.contextmanager
def blas_threads(n):
    """Limit NumPy's BLAS to n threads while the claims run (n = 0: leave it alone).

    The course's matrices are small and the cores are often shared: one BLAS thread is then
    much faster than several that wait for each other. Needs threadpoolctl; without it the
    setting is reported as unchanged."""
    if not n:
        yield "unchanged"
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield "unchanged (pip install threadpoolctl to set it)"
        return
    with threadpool_limits(n, user_api="blas"):
        yield str(n)


def list_claims(out=None):
    """Print every claim: name, seed, quick/full, cost, description."""
    out = out or sys.stdout
    for c in CLAIMS.values():
        when = f"full, ~{c.minutes:g} min" if c.full else "quick"
        print(f"{c.name:<26}{c.seed:<15}{when:<15}{c.description}", file=out)
    return 0


def write_json(path, rows, mode, seconds, threads):
    """Write the rows with a little context; the file is replaced atomically."""
    import gradwise as gw

    payload = {"gradwise": gw.__version__, "mode": mode, "blas_threads": threads,
               "seconds": round(seconds, 3), "passed": all(r.ok for r in rows),
               "rows": [asdict(r) for r in rows]}
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def run(only=None, full=False, json_path=None, threads=1, out=None):
    """Run the claims chosen by `only` / `full`, print the table, return the exit status
    (0 when every row is ok, 1 otherwise)."""
    out = out or sys.stdout
    claims = select(only, full)
    mode = "selected" if only else ("full" if full else "quick")
    start = time.perf_counter()
    rows = []
    with blas_threads(threads) as threads_text:
        print(f"gradwise reproduce: {len(claims)} claims ({mode} mode), BLAS threads: {threads_text}", file=out)
        print(header(), file=out)
        for c in claims:
            if c.minutes >= 1:
                print(f"... {c.name}: up to {c.minutes:g} min of training (progress on stderr)", file=sys.stderr)
            row = run_claim(c)
            rows.append(row)
            print(row_line(row), file=out, flush=True)
    seconds = time.perf_counter() - start
    failed = [r.claim for r in rows if not r.ok]
    summary = f"{len(rows)} claims: {len(rows) - len(failed)} ok, {len(failed)} failed"
    print(f"{summary} ({', '.join(failed)})" if failed else summary, f"- wall time {seconds:.1f} s", file=out)
    for r in rows:  # the table cuts long cells: give the failures in full
        if not r.ok:
            print(f"FAIL {r.claim} ({r.seed}): {r.description}", file=out)
            print(f"     expected {r.expected} ({r.tolerance}); got {r.got}", file=out)
    if not full and not only:
        skipped = [c.name for c in CLAIMS.values() if c.full]
        print(f"not run (long trainings, add --full): {', '.join(skipped)}", file=out)
    if json_path:
        write_json(json_path, rows, mode, seconds, threads_text)
    return 1 if failed else 0


def main(args):
    """Entry point for `gradwise reproduce` (args from the CLI's argparse)."""
    if args.list:
        return list_claims()
    only = [name.strip() for item in (args.only or []) for name in item.split(",") if name.strip()]
    if args.threads < 0:
        raise ValueError(f"--threads must be 0 (leave BLAS alone) or a positive integer, got {args.threads}")
    return run(only=only or None, full=args.full, json_path=args.json, threads=args.threads)
