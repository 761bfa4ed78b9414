"""gradwise: a deep-learning library on NumPy with Keras's API and a GradientTape autodiff."""

__version__ = "0.1.0"
