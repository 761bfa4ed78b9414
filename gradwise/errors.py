"""Exception types of gradwise.

Each one also derives from the built-in exception a Python user would catch
(ValueError, TypeError, RuntimeError, ImportError), so `except ValueError` still works.
"""


class GradwiseError(Exception):
    """Base class of every error gradwise raises on purpose."""


class ShapeError(GradwiseError, ValueError):
    """Shapes that cannot work together (names the op or layer and both shapes)."""


class DTypeError(GradwiseError, TypeError):
    """A dtype that cannot be used here, e.g. a gradient asked of an integer tensor."""


class GradientError(GradwiseError, RuntimeError):
    """Misuse of automatic differentiation (non-scalar backward, used tape, ...)."""


class TapeError(GradientError):
    """A GradientTape used in a way it does not allow (e.g. a second gradient() call)."""


class GradientCheckError(GradwiseError, AssertionError):
    """Analytic and numerical gradients disagree (raised by check_gradients)."""


class UnknownNameError(GradwiseError, ValueError):
    """A string identifier (activation, loss, optimizer, ...) that gradwise does not know."""

    def __init__(self, kind, name, known):
        self.kind, self.name, self.known = kind, name, sorted(known)
        super().__init__(
            f"Unknown {kind} {name!r}. Known {kind}s: {', '.join(self.known)}."
        )


class BackendError(GradwiseError, ImportError):
    """An array backend that is unknown or not installed."""


def missing_name(module, name, known_gaps):
    """The AttributeError for `module.name`: says what to use instead when `name` is a Keras
    name gradwise leaves out on purpose (known_gaps: name -> advice), else the usual one."""
    if name in known_gaps:
        return AttributeError(f"{module}.{name} is not part of gradwise: {known_gaps[name]}")
    return AttributeError(f"module {module!r} has no attribute {name!r}")
