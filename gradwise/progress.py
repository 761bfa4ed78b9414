"""Keras-style progress output for fit/evaluate/predict.

verbose=1: one line per epoch redrawn in place on a terminal
    469/469 ━━━━━━━━━━━━━━━━━━━━ 3s 6ms/step - accuracy: 0.9273 - loss: 0.2524
verbose=2: one line per epoch, printed when it ends (for logs, pipes and CI)
    469/469 - 3s - 6ms/step - accuracy: 0.9273 - loss: 0.2524
verbose="auto": 1 on an interactive terminal or notebook, else 2. Redraws are throttled to
at most 10 per second so the bar never slows training.
"""

import sys
import time

BAR_WIDTH = 20
MIN_REDRAW_INTERVAL = 0.1


def resolve_verbose(verbose, stream=None):
    """'auto' -> 1 on a terminal or in a notebook, 2 otherwise; ints pass through."""
    if verbose != "auto":
        if verbose not in (0, 1, 2, True, False):
            raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}.")
        return int(verbose)
    stream = stream or sys.stdout
    if getattr(stream, "isatty", lambda: False)():
        return 1
    return 1 if "ipykernel" in sys.modules else 2


def format_time_per_step(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_value(v):
    """4 decimals, or scientific notation for magnitudes at or below 1e-3 (as Keras);
    a per-class array as [a b c]."""
    if getattr(v, "ndim", 0) > 0:
        return "[" + " ".join(format_value(x) for x in v.ravel()) + "]"
    v = float(v)
    return f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"


def format_logs(logs):
    """' - accuracy: 0.9273 - loss: 0.2524': training entries, then val_ ones, each sorted."""
    keys = sorted(k for k in logs if not k.startswith("val_")) + sorted(k for k in logs if k.startswith("val_"))
    return "".join(f" - {k}: {format_value(logs[k])}" for k in keys)


class ProgressBar:
    """Progress of one epoch (or one evaluate/predict pass) over `target` steps (None: unknown)."""

    def __init__(self, target, verbose=1, stream=None):
        self.target, self.verbose = target, verbose
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_len = 0

    def update(self, step, logs=None, finalize=False):
        """Report that `step` steps are done; draws only when due (verbose 1) or at the end."""
        if self.verbose == 0:
            return
        now = time.perf_counter()
        if self.verbose == 1:
            if not finalize and now - self._last_draw < MIN_REDRAW_INTERVAL:
                return
            self._last_draw = now
            line = self._bar_line(step, logs or {}, now)
            pad = " " * max(0, self._last_len - len(line))
            self.stream.write("\r" + line + pad + ("\n" if finalize else ""))
            self._last_len = len(line)
            self.stream.flush()
        elif finalize:
            elapsed = now - self.start
            per_step = format_time_per_step(elapsed / max(step, 1))
            self.stream.write(f"{step}/{self.target or 'Unknown'} - {elapsed:.0f}s - {per_step}{format_logs(logs or {})}\n")
            self.stream.flush()

    def _bar_line(self, step, logs, now):
        elapsed = now - self.start
        if self.target is None:  # a generator of unknown length (as Keras: "12/Unknown 3s 5ms/step")
            return f"{step}/Unknown {elapsed:.0f}s {format_time_per_step(elapsed / max(step, 1))}{format_logs(logs)}"
        width = len(str(self.target))
        filled = int(BAR_WIDTH * step / max(self.target, 1))
        bar = "━" * filled + ("\x1b[2m" + "━" * (BAR_WIDTH - filled) + "\x1b[0m" if filled < BAR_WIDTH else "")
        per_step = elapsed / max(step, 1)
        shown = per_step * (self.target - step) if step < self.target else elapsed  # ETA, then total
        timing = f"{shown:.0f}s {format_time_per_step(per_step)}"
        return f"{step:>{width}}/{self.target} {bar} {timing}{format_logs(logs)}"
