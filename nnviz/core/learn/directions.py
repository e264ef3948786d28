"""The two axes of a loss-landscape plane, and parameter vectors projected onto a plane.

Every direction is a flat vector (P,) in the Network's parameter layout (weights of
layer l row-major at w_off[l], then its biases at b_off[l]), so "weights + a d1 + b d2"
is plain vector arithmetic. The three kinds the landscape offers:

- one parameter each (`parameter_direction`): a unit vector, so the axis is that weight
  or bias itself, in its own units;
- two random directions, filter-normalised as Li et al. (2018) do (`random_directions`):
  Gaussian, then rescaled neuron by neuron so each neuron's slice of the direction has
  the norm of that neuron's incoming parameters. That makes a step of 1 along the axis
  as large, for every neuron, as the neuron's own weights, whatever their scale;
- the first two principal components of the path so far (`pca_directions`), as Li et al.
  plot an optimiser's trajectory: orthonormal, so projecting onto them is exact.

Biases: Li et al. give 1-D parameters (biases, batch norm) a zero direction, because in
their convolutional networks those are a negligible share. Here a bias is a tenth to a
half of a small network's parameters and moves the decision boundary as much as a
weight does, so it is treated as what it is, the weight of a constant input of 1: it
belongs to its neuron's filter, is drawn with the row, and counts in both norms
(include_biases=False gives Li et al.'s choice instead).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray
TARGET_KINDS = ("weight", "bias")


def _layers(network):
    """(w_off, b_off, n_out, n_in) of each weight matrix of a Network."""
    return [(int(w0), int(b0), w.shape[0], w.shape[1])
            for w0, b0, w in zip(network.w_off, network.b_off, network.weights)]


def parameter_index(network, target: tuple) -> int:
    """Flat index of ("weight", layer, dst, src) or ("bias", layer, neuron); ValueError if absent."""
    try:
        kind, layer, *where = target
        w0, b0, n_out, n_in = _layers(network)[int(layer)]
        if int(layer) < 0:
            raise IndexError
        if kind == "weight" and len(where) == 2 and 0 <= where[0] < n_out and 0 <= where[1] < n_in:
            return w0 + int(where[0]) * n_in + int(where[1])
        if kind == "bias" and len(where) == 1 and 0 <= where[0] < n_out:
            return b0 + int(where[0])
    except (TypeError, ValueError, IndexError):
        pass
    raise ValueError(f"{target!r} is not a weight or bias of this network")


def parameter_direction(network, target: tuple) -> Array:
    """(P,) unit vector along one weight or bias: the axis reads that parameter's change."""
    d = np.zeros(network.params.size)
    d[parameter_index(network, target)] = 1.0
    return d


def node_name(layer_sizes: tuple[int, ...], feature_labels: tuple[str, ...], column: int, index: int) -> str:
    """A neuron in a few characters: 'X₁', 'L2·3' (hidden layer 2, neuron 3), 'out'."""
    if column == 0:
        return feature_labels[index] if index < len(feature_labels) else f"in {index + 1}"
    if column == len(layer_sizes) - 1:
        return "out" if layer_sizes[-1] == 1 else f"out {index + 1}"
    return f"L{column}\u00b7{index + 1}"


def parameter_label(layer_sizes: tuple[int, ...], feature_labels: tuple[str, ...], target: tuple) -> str:
    """An axis title for a weight ('weight X₁→L1·2') or a bias ('bias L1·2')."""
    kind, layer, *where = target
    if kind == "weight":
        dst, src = where
        return (f"weight {node_name(layer_sizes, feature_labels, layer, src)}"
                f"\u2192{node_name(layer_sizes, feature_labels, layer + 1, dst)}")
    return f"bias {node_name(layer_sizes, feature_labels, layer + 1, where[0])}"


def filter_normalized(direction: Array, network, include_biases: bool = True) -> Array:
    """A copy of direction (P,) rescaled neuron by neuron to the norm of the neuron's incoming
    parameters (its weight row, and its bias unless include_biases is False, in which case
    the bias entries become 0). A neuron whose parameters are all 0 gets a zero slice."""
    d = np.array(direction, dtype=np.float64)
    p = network.params
    if d.shape != p.shape:
        raise ValueError(f"the direction has {d.size} entries, the network {p.size} parameters")
    for w0, b0, n_out, n_in in _layers(network):
        dw = d[w0:b0].reshape(n_out, n_in)                  # views: scaled in place
        db = d[b0:b0 + n_out]
        w = p[w0:b0].reshape(n_out, n_in)
        b = p[b0:b0 + n_out] if include_biases else np.zeros(n_out)
        if not include_biases:
            db[:] = 0.0
        d_norm = np.sqrt(np.sum(dw * dw, axis=1) + db * db)  # (n_out,)
        w_norm = np.sqrt(np.sum(w * w, axis=1) + b * b)
        scale = np.divide(w_norm, d_norm, out=np.zeros(n_out), where=d_norm > 0)
        dw *= scale[:, None]
        db *= scale
    return d


def random_directions(network, seed: int, include_biases: bool = True) -> tuple[Array, Array]:
    """Two filter-normalised Gaussian directions (P,), the same for the same seed and weights."""
    rng = np.random.default_rng([int(seed), 14])   # a stream of its own: never the weights' draws
    raw = rng.standard_normal((2, network.params.size))
    return filter_normalized(raw[0], network, include_biases), filter_normalized(raw[1], network, include_biases)


def pca_directions(points: Array, centre: Array) -> tuple[Array, Array, Array]:
    """The first two principal components (P,) of a path of parameter vectors (K, P), and the
    share of the path's variance each explains (2,).

    As Li et al. do: the components of the path's positions relative to `centre` (the
    current weights), mean removed. Each is oriented so the path's first position lies on
    its negative side, so the picture does not flip between refreshes. ValueError when the
    path has fewer than three positions or has not turned yet (a straight line has one
    component).
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or len(pts) < 3:
        raise ValueError("the path has fewer than three positions")
    rel = pts - np.asarray(centre, dtype=np.float64)
    x = rel - rel.mean(axis=0)
    # the thin SVD through the (K, K) Gram matrix: K is a few hundred, P up to ten thousand
    gram = x @ x.T
    vals, vecs = np.linalg.eigh(gram)                      # ascending
    vals = np.clip(vals[::-1], 0.0, None)
    vecs = vecs[:, ::-1]
    total = float(vals.sum())
    if total <= 0.0 or vals[1] <= 1e-12 * vals[0]:
        raise ValueError("the path is still a straight line, so it has no second direction")
    dirs = []
    for k in range(2):
        d = x.T @ vecs[:, k] / np.sqrt(vals[k])            # (P,) unit: right singular vector
        d /= np.linalg.norm(d)
        if rel[0] @ d > 0:
            d = -d
        dirs.append(d)
    return dirs[0], dirs[1], vals[:2] / total


def project(points: Array, centre: Array, d1: Array, d2: Array) -> Array:
    """Coordinates (K, 2) of parameter vectors (K, P) in the plane centre + a d1 + b d2.

    The orthogonal projection onto the plane, written in the (d1, d2) basis (least
    squares), so a point on the plane gets back exactly its a and b, also when d1 and d2
    are not orthogonal. ValueError if d1 and d2 do not span a plane.
    """
    basis = np.stack([np.asarray(d1, dtype=np.float64), np.asarray(d2, dtype=np.float64)])   # (2, P)
    gram = basis @ basis.T
    det = gram[0, 0] * gram[1, 1] - gram[0, 1] * gram[1, 0]
    if not np.all(np.isfinite(gram)) or det <= 1e-12 * max(gram[0, 0] * gram[1, 1], 1e-300):
        raise ValueError("the two directions do not span a plane")
    rel = np.atleast_2d(np.asarray(points, dtype=np.float64)) - np.asarray(centre, dtype=np.float64)
    return np.linalg.solve(gram, (rel @ basis.T).T).T
