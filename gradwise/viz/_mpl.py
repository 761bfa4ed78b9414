"""The one place gradwise.viz touches matplotlib's set-up: the import guard, new figures, saving.

matplotlib is optional (`pip install "gradwise[plot]"`). Every plotting function calls
`figure()` first, so a missing matplotlib gives one clear ImportError before any work; the
functions that only compute the plotted data never need it.

Figures are made without pyplot unless the user already imported pyplot (a script or a
notebook that will call plt.show()): a bare `matplotlib.figure.Figure` draws on the Agg
canvas, opens no window, needs no backend and is freed like any object, so a command-line
run can make hundreds of plots without plt.close() bookkeeping.
"""

import os
import sys

from ..errors import GradwiseError

INSTALL_HINT = 'pip install "gradwise[plot]"'


class MatplotlibMissingError(GradwiseError, ImportError):
    """matplotlib is not installed; the message says how to install it."""


def require():
    """Import matplotlib or raise MatplotlibMissingError naming the install command."""
    try:
        import matplotlib
    except ImportError:
        raise MatplotlibMissingError(
            f"gradwise.viz draws with matplotlib, which is not installed; install it with "
            f"{INSTALL_HINT} (or: pip install matplotlib)."
        ) from None
    return matplotlib


def figure(figsize=(6.4, 4.8)):
    """A new Figure: through pyplot if the user works with pyplot, else a bare Agg figure."""
    require()
    if "matplotlib.pyplot" in sys.modules:  # interactive use: let plt.show() find it
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def finish(fig, data, path=None, dpi=100):
    """Attach the plotted data as `fig.gradwise_data`, save to `path` if given, return fig."""
    fig.gradwise_data = data
    if path is not None:
        save(fig, path, dpi=dpi)
    return fig


def save(fig, path, dpi=100):
    """Write the figure; the format follows the file's suffix (.png when it has none)."""
    path = os.fspath(path)
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight")
    return path


def close(fig):
    """Release a figure pyplot knows about (a bare Figure needs nothing)."""
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close(fig)
