"""`gradwise reproduce`: check every claim of the course that a program can check.

Each claim (registry.py) is a small function that recomputes one statement of SPEC.md -- a
worked example, a table, a training result -- and compares it with the number the seed
gives. The runner (runner.py) prints one table row per claim:

    claim  seed  expected  got  tolerance  ok  s

and the command exits with status 1 if any row fails. The default quick mode runs everything
but the long trainings (a few minutes on a laptop CPU); --full adds them (the seed's 5-epoch
MNIST program and the Fashion-MNIST CNN, the latter more than an hour on a CPU).

    gradwise reproduce                       quick mode
    gradwise reproduce --full                everything
    gradwise reproduce --only conv-by-hand,gd-1d --only 'mnist-*'
    gradwise reproduce --list                names, seeds and descriptions
    gradwise reproduce --json rows.json      also write the rows as JSON

From Python: `gradwise.reproduce.run(only=["gd-1d"])` returns the exit status; new claims
are registered with the `claim` decorator.
"""

from .registry import CLAIMS, Claim, claim, near, select, show  # noqa: F401
from . import claims  # noqa: F401,E402  (registers the claims)
from .runner import Row, list_claims, main, run, run_claim  # noqa: F401,E402

__all__ = ["CLAIMS", "Claim", "claim", "near", "select", "show", "Row", "list_claims", "main", "run", "run_claim"]
