"""The one registry of claims, and the small helpers claims use to check and show values.

A claim is a statement of SPEC.md with a number (or a table, or a shape) that a program can
check. It is registered with the `claim` decorator, which records where it comes from (the
seed and section), the value the seed or SPEC gives, and the tolerance allowed; the decorated
function receives its own `Claim` and returns `(got, ok)`:

    @claim("gd-1d", "003 §4.1", "gradient descent on x^4 - 3x^3 + 2 from x = 6",
           expected=2.249965, tolerance=5e-7)
    def _(c):
        x = gradient_descent(lambda x: 4 * x**3 - 9 * x**2, 6.0, 0.01, 1e-5)
        return x, near(x, c.expected, c.tolerance)

Expected values are copied from SPEC.md or the seeds (or worked out by hand from a formula
they give), never taken from gradwise's own output.
"""

import fnmatch
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

CLAIMS = {}  # name -> Claim, in registration order (SPEC.md's order)


@dataclass(frozen=True)
class Claim:
    """One checkable statement of the course.

    name:        short kebab-case id used by --only (e.g. "conv-by-hand").
    seed:        where the statement is made, e.g. "004" or "000 §2.4.4".
    description: one line saying what is computed.
    expected:    the value from the seed / SPEC, in the form the check uses.
    tolerance:   absolute tolerance for numbers, or None when the check is exact or a
                 threshold (then `tolerance_text` says what is allowed).
    run:         the function `run(claim) -> (got, ok)`.
    full:        True for long trainings that only `--full` (or --only) runs.
    minutes:     rough cost on a laptop CPU, shown by --list.
    expected_text, tolerance_text: how the table shows them (default: formatted values).
    """

    name: str
    seed: str
    description: str
    run: Callable = field(repr=False)
    expected: Any = None
    tolerance: Any = None
    full: bool = False
    minutes: float = 0.0
    expected_text: str = None
    tolerance_text: str = None

    def show_expected(self):
        return self.expected_text if self.expected_text is not None else show(self.expected)

    def show_tolerance(self):
        if self.tolerance_text is not None:
            return self.tolerance_text
        return "exact" if self.tolerance is None else f"±{self.tolerance:g}"


def claim(name, seed, description, *, expected=None, tolerance=None, full=False, minutes=0.0,
          expected_text=None, tolerance_text=None):
    """Register the decorated function `fn(claim) -> (got, ok)` as a claim called `name`."""

    def register(fn):
        if name in CLAIMS:
            raise ValueError(f"claim {name!r} is registered twice")
        CLAIMS[name] = Claim(name, seed, description, fn, expected, tolerance, full, minutes,
                             expected_text, tolerance_text)
        return fn

    return register


def select(only=None, full=False):
    """The claims to run: those named in `only` (names or glob patterns such as "mnist-*",
    in registry order), else every quick claim, plus the long ones when `full`."""
    if not only:
        return [c for c in CLAIMS.values() if full or not c.full]
    chosen = set()
    for pattern in only:
        matches = [name for name in CLAIMS if fnmatch.fnmatchcase(name, pattern)]
        if not matches:
            raise ValueError(f"unknown claim {pattern!r}; `gradwise reproduce --list` shows the "
                             f"{len(CLAIMS)} claims ({', '.join(CLAIMS)})")
        chosen.update(matches)
    return [c for name, c in CLAIMS.items() if name in chosen]


# --- helpers for the claim functions -----------------------------------------------------


def near(got, expected, tol):
    """True when got and expected have the same shape and differ by at most tol everywhere."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.all(np.abs(got - expected) <= tol))


def show(value, digits=7):
    """A compact one-line text for a number, an array, a tuple or a dict."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.{digits}g}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return show(value.item(), digits)
        if value.size > 40:
            return f"array of shape {value.shape}"
        return show(list(value), digits)
    if isinstance(value, list):
        return "[" + ",".join(show(v, digits) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v, digits) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k, digits)}: {show(v, digits)}" for k, v in value.items()) + "}"
    return str(value)
