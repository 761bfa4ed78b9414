"""gradwise.viz: the course's pictures, drawn from gradwise's own computations (matplotlib).

matplotlib is optional: `pip install "gradwise[plot]"`. Each `plot_*` function returns a
matplotlib Figure, saves it when given `path=`, and keeps the numbers it drew in
`fig.gradwise_data` (the same as its data function, which needs no matplotlib):

    plot_history(history)          training vs validation curves      history_curves
    plot_images(images, labels)    a grid of digits with labels       (seed 000 Fig. 2.1-2.2)
    plot_activations()             13 activations, f' by autodiff      activation_curves
    plot_sigmoid()                 weight = slope, bias = shift        sigmoid_curves
    plot_optimizers()              SGD ... Adam on a 2-D surface       optimizer_paths
    plot_learning_rates()          too small, good, too large          learning_rate_paths
    plot_geometry()                translation, rotation, ..., relu    transform_points
    graph(loss_or_tape)            the computational graph as DOT      graph_data
    render_graph(dot, "g.svg")     with Graphviz's dot, else matplotlib (draw_graph)

On the command line: `gradwise plot KIND --out FILE.png`.
"""

from ._mpl import INSTALL_HINT, MatplotlibMissingError
from .activations import activation_curves, plot_activations
from .geometry import letter_f, plot_geometry, rotation_matrix, transform_points
from .graph_export import ComputationGraph, chain_rule_example, graph, graph_data
from .graph_render import draw_graph, layered_layout, parse_dot, render_graph
from .images import plot_images
from .optimizers import (
    bowl, default_optimizers, descend, elongated_bowl, learning_rate_paths, optimizer_paths,
    plot_learning_rates, plot_optimizers,
)
from .sigmoid import plot_sigmoid, sigmoid_curves
from .training import history_curves, load_history, plot_history, quick_history

__all__ = [
    "INSTALL_HINT", "MatplotlibMissingError",
    "activation_curves", "plot_activations",
    "letter_f", "plot_geometry", "rotation_matrix", "transform_points",
    "ComputationGraph", "chain_rule_example", "graph", "graph_data",
    "draw_graph", "layered_layout", "parse_dot", "render_graph",
    "plot_images",
    "bowl", "default_optimizers", "descend", "elongated_bowl", "learning_rate_paths", "optimizer_paths",
    "plot_learning_rates", "plot_optimizers",
    "plot_sigmoid", "sigmoid_curves",
    "history_curves", "load_history", "plot_history", "quick_history",
]
