"""The geometric meaning of tensor ops (seed 000 §2.3.5–2.3.6): a 2-D object moved by them.

    gw.viz.plot_geometry(path="geometry.png")

The object is an "F" (so a rotation or a reflection shows), as a set of points, one per row
of an (n, 2) tensor. Each transformation is one line of gradwise ops on that tensor:

    translation   p + B                 vector addition, B = [1, 0.25] (the seed's B)
    rotation      p @ R.T               R = [[cos θ, -sin θ], [sin θ, cos θ]], counter-clockwise
    scaling       p @ S.T               S = [[horizontal, 0], [0, vertical]] (diagonal)
    linear        p @ W.T               any matrix: scalings, rotations, shears, ...
    affine        p @ W.T + b           what a Dense layer without activation computes
    affine + relu relu(p @ W.T + b)     a Dense layer with relu: folds the plane onto the axes

(Points are rows here, so `W • x` of the seed becomes `p @ W.T` for all rows at once.)
"""

import math

import numpy as np

from . import _mpl

_F = [(0, 0), (0.3, 0), (0.3, 0.6), (0.7, 0.6), (0.7, 0.85), (0.3, 0.85), (0.3, 1.2), (0.9, 1.2),
      (0.9, 1.5), (0, 1.5), (0, 0)]


def letter_f(points_per_edge=12):
    """The outline of an "F" (1.5 high, 0.9 wide, lower-left corner at the origin), (n, 2)."""
    corners = np.array(_F, dtype=np.float64)
    t = np.linspace(0, 1, points_per_edge, endpoint=False)[:, None]
    edges = [a + t * (b - a) for a, b in zip(corners[:-1], corners[1:])]
    return np.concatenate(edges + [corners[-1:]])


def rotation_matrix(theta):
    """[[cos θ, -sin θ], [sin θ, cos θ]]: turns a point θ radians counter-clockwise."""
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def transform_points(points=None, translation=(1.0, 0.25), theta=math.pi / 4, scale=(1.5, 0.5),
                     linear=((1.0, 0.8), (-0.4, 1.0)), bias=(-0.6, -0.9)):
    """Apply each transformation of the module docstring to `points` with gradwise ops.

    Args:
        points: (n, 2) array; default `letter_f()`.
        translation: the vector B added to every point.
        theta: rotation angle in radians (counter-clockwise).
        scale: horizontal and vertical factors of the diagonal scaling matrix.
        linear: the 2 x 2 matrix W of the linear and affine maps.
        bias: the vector b of the affine map.

    Returns:
        {"points": {name: (n, 2) array}, "matrices": {"B", "R", "S", "W", "b"}}, names in
        order: original, translation, rotation, scaling, linear, affine, affine + relu.
    """
    import gradwise as gw

    p = gw.constant(letter_f() if points is None else np.asarray(points, dtype=np.float64), dtype="float64")
    if p.ndim != 2 or p.shape[1] != 2:
        raise ValueError(f"transform_points expects points shaped (n, 2); received {p.shape}.")
    B = gw.constant(translation, dtype="float64")
    R = gw.constant(rotation_matrix(theta), dtype="float64")
    S = gw.constant(np.diag(np.asarray(scale, dtype=np.float64)), dtype="float64")
    W = gw.constant(linear, dtype="float64")
    b = gw.constant(bias, dtype="float64")
    out = {
        "original": p,
        "translation": p + B,
        "rotation": p @ R.T,
        "scaling": p @ S.T,
        "linear": p @ W.T,
        "affine": p @ W.T + b,
        "affine + relu": gw.relu(p @ W.T + b),
    }
    return {"points": {k: v.numpy() for k, v in out.items()},
            "matrices": {"B": B.numpy(), "R": R.numpy(), "S": S.numpy(), "W": W.numpy(), "b": b.numpy()}}


_CAPTIONS = {
    "original": "the object: points p (rows)",
    "translation": "translation: p + B",
    "rotation": "rotation: p @ R.T",
    "scaling": "scaling: p @ S.T",
    "linear": "linear map: p @ W.T",
    "affine": "affine map: p @ W.T + b",
    "affine + relu": "relu(p @ W.T + b) (grey: the affine map)",
}


def plot_geometry(path=None, **kwargs):
    """One panel per transformation: the original object in grey, the result in colour.

    Keyword arguments go to `transform_points`. Returns the Figure; `fig.gradwise_data` is
    `transform_points(**kwargs)`.
    """
    _mpl.require()
    data = transform_points(**kwargs)
    pts = data["points"]
    allp = np.concatenate(list(pts.values()))
    lo, hi = allp.min() - 0.3, allp.max() + 0.3
    fig = _mpl.figure(figsize=(14, 7.4))
    for i, (name, q) in enumerate(pts.items()):
        ax = fig.add_subplot(2, 4, i + 1)
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axvline(0, color="0.7", lw=0.8)
        if name != "original":  # what the map started from, in grey (relu folds the affine result)
            ref = pts["affine"] if name == "affine + relu" else pts["original"]
            ax.plot(ref[:, 0], ref[:, 1], color="0.6", lw=1)
        ax.plot(q[:, 0], q[:, 1], ".-", ms=3, lw=1.2, color="tab:blue" if name != "affine + relu" else "tab:red")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal")
        ax.set_title(_CAPTIONS.get(name, name), fontsize=10)
    m = data["matrices"]
    ax = fig.add_subplot(2, 4, 8)
    ax.axis("off")
    ax.text(0, 0.5, "\n".join([f"B = {np.round(m['B'], 3).tolist()}",
                               f"R = {np.round(m['R'], 3).tolist()}",
                               f"S = {np.round(m['S'], 3).tolist()}",
                               f"W = {np.round(m['W'], 3).tolist()}",
                               f"b = {np.round(m['b'], 3).tolist()}"]),
            family="monospace", fontsize=8.5, va="center")
    fig.tight_layout()
    return _mpl.finish(fig, data, path)
