"""Layout of the network graph in scene units, and hit tests (numpy only, no Qt).

Kept free of Qt so the layout and the hit tests are unit-tested without a display and
stay fast: a hit test is a handful of vectorised numpy operations, well under a
millisecond for the largest network (7 inputs, 10 hidden layers of 32, ~10k links).

Coordinates: x grows to the right, y grows *downwards* (the topology view inverts its
y axis), one scene unit is about one screen pixel at the size the layout was built for.
Columns run left to right: inputs, hidden layers, outputs; each column is centred
vertically. Links leave a node's right edge and enter the next node's left edge at
slightly different heights ("ports", spread by EXIT_SPREAD / ENTRY_SPREAD): besides
showing which link goes where, this makes every link's midpoint its own, so no two
straight links of a gap cross exactly at their middles (the ratio of the two spreads is
irrational). Another link may still pass within a unit or two of a midpoint where links
cross at a shallow angle (tall columns), and in dense networks (8 x 8 and up) links lie
closer than a pixel: the mouse simply gets the nearest, and the hover card names it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HEADER_H = 40.0        # room above the columns for two lines of header text
LABEL_W = 62.0         # room left of the inputs for their feature names
RIGHT_W = 30.0         # room right of the outputs for half their header ("Output", "3 outputs")
MARGIN = 12.0
MIN_NODE, MAX_NODE = 6.0, 64.0
NODE_FILL = 0.72       # node size as a fraction of the vertical pitch
NODE_GAP = 0.4         # at most this fraction of the column spacing: the rest shows the links
PITCH_NODES = 3.0      # nodes of a short column stand at most this many node sizes apart,
PITCH_GAP = 1.25       # and this many column spacings, so links do not turn into steep walls
EXIT_SPREAD = 0.5                    # outgoing ports span this fraction of the node height
ENTRY_SPREAD = 0.5 / math.sqrt(2.0)  # incoming ports; irrational ratio -> unique midpoints
BIAS_FRACTION = 0.3    # bias square size relative to the node


@dataclass(frozen=True)
class GraphLayout:
    """Where everything of one network sits; built once per structure and size."""

    layer_sizes: tuple[int, ...]
    width: float             # scene rectangle (0, 0, width, height)
    height: float
    node_size: float         # side of a node's square picture
    pitch: float             # vertical distance between node centres
    gap: float               # horizontal distance between column centres
    column_x: np.ndarray     # (C,) x of each column's centre
    node_xy: np.ndarray      # (N, 2) node centres, column by column, top to bottom
    node_layer: np.ndarray   # (N,) int, column of each node (0 = inputs)
    node_index: np.ndarray   # (N,) int, index of the node inside its column
    node_start: np.ndarray   # (C + 1,) offsets of each column in the node arrays
    segments: np.ndarray     # (M, 4) x0, y0, x1, y1 of every link
    link_ids: np.ndarray     # (M, 3) int: weight layer, dst, src (weights[layer][dst, src])
    link_start: np.ndarray   # (L + 1,) offsets: links of layer l are link_start[l]:link_start[l+1]
    bias_size: float
    bias_xy: np.ndarray      # (B, 2) bias-square centres of every non-input node
    bias_ids: np.ndarray     # (B, 2) int: bias layer (= column - 1), neuron

    def link_index(self, layer: int, dst: int, src: int) -> int:
        """Row of weights[layer][dst, src] in `segments` (rows follow weights[l].ravel())."""
        return int(self.link_start[layer] + dst * self.layer_sizes[layer] + src)

    def node_flat(self, column: int, index: int) -> int:
        return int(self.node_start[column] + index)

    def bias_flat(self, layer: int, neuron: int) -> int:
        """Row in bias_xy of biases[layer][neuron]."""
        return int(self.node_start[layer + 1] - self.node_start[1] + neuron)

    def column_top(self, column: int) -> float:
        """y of the top edge of a column's first node."""
        return float(self.node_xy[self.node_start[column], 1] - self.node_size / 2)


def _ports(n: int) -> np.ndarray:
    """(n,) offsets in [-0.5, 0.5] spreading n ports evenly; 0 for a single port."""
    return np.zeros(1) if n <= 1 else np.arange(n) / (n - 1) - 0.5


def build_layout(layer_sizes: tuple[int, ...], width: float = 900.0, height: float = 600.0) -> GraphLayout:
    """Place the columns of `layer_sizes` into a width x height scene (units ~ pixels).

    The tallest column fills the height (its nodes grow up to MAX_NODE while the links
    between columns keep most of the width), and shorter columns spread out to at most
    PITCH_NODES node sizes (and PITCH_GAP column spacings) apart, so the graph uses its panel rather than a band across
    its middle. The scene grows past width x height only when even MIN_NODE nodes do not
    fit (the view then scales the whole picture down).
    """
    sizes = tuple(int(n) for n in layer_sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"need at least an input and an output layer, got {sizes}")
    n_cols, n_max = len(sizes), max(sizes)
    avail_h = max(height - HEADER_H - MARGIN, 1.0)
    pitch = avail_h / n_max
    node = min(NODE_FILL * pitch, MAX_NODE)
    gap = (width - LABEL_W - RIGHT_W - node) / (n_cols - 1)
    node = max(min(node, NODE_GAP * gap), MIN_NODE)
    pitch = max(min(pitch, node * PITCH_NODES, gap * PITCH_GAP), node / NODE_FILL)
    gap = max(gap, node / NODE_GAP)
    width = max(width, LABEL_W + RIGHT_W + node + gap * (n_cols - 1))
    height = max(height, HEADER_H + MARGIN + pitch * n_max)
    centre_y = HEADER_H + (height - HEADER_H - MARGIN) / 2
    column_x = LABEL_W + node / 2 + gap * np.arange(n_cols)                        # (C,)

    node_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)        # (C+1,)
    node_layer = np.repeat(np.arange(n_cols), sizes)                              # (N,)
    node_index = np.concatenate([np.arange(n) for n in sizes])                    # (N,)
    col_n = np.asarray(sizes, dtype=float)[node_layer]
    node_xy = np.column_stack([column_x[node_layer],
                               centre_y + (node_index - (col_n - 1) / 2) * pitch])  # (N, 2)

    segs, ids = [], []
    for l in range(n_cols - 1):
        n_in, n_out = sizes[l], sizes[l + 1]
        dst, src = np.meshgrid(np.arange(n_out), np.arange(n_in), indexing="ij")  # (n_out, n_in)
        dst, src = dst.ravel(), src.ravel()                                       # row-major like weights[l]
        y_src = node_xy[node_start[l] + src, 1] + EXIT_SPREAD * node * _ports(n_out)[dst]
        y_dst = node_xy[node_start[l + 1] + dst, 1] + ENTRY_SPREAD * node * _ports(n_in)[src]
        x0 = np.full(dst.size, column_x[l] + node / 2)
        x1 = np.full(dst.size, column_x[l + 1] - node / 2)
        segs.append(np.column_stack([x0, y_src, x1, y_dst]))
        ids.append(np.column_stack([np.full(dst.size, l), dst, src]))
    link_start = np.concatenate([[0], np.cumsum([s.shape[0] for s in segs])]).astype(np.int64)

    bias = max(BIAS_FRACTION * node, 4.0)
    hidden = slice(node_start[1], None)
    bias_xy = np.column_stack([node_xy[hidden, 0] - node / 2 - 1.0 - bias / 2,
                               node_xy[hidden, 1] + node / 2 - bias / 2 + 0.1 * bias])  # (B, 2)
    bias_ids = np.column_stack([node_layer[hidden] - 1, node_index[hidden]])

    return GraphLayout(
        layer_sizes=sizes, width=float(width), height=float(height), node_size=float(node),
        pitch=float(pitch), gap=float(gap), column_x=column_x, node_xy=node_xy, node_layer=node_layer,
        node_index=node_index, node_start=node_start,
        segments=np.ascontiguousarray(np.concatenate(segs)), link_ids=np.concatenate(ids).astype(np.int64),
        link_start=link_start, bias_size=float(bias), bias_xy=bias_xy, bias_ids=bias_ids.astype(np.int64))


def hit_test_links(segments: np.ndarray, px: float, py: float, tol: float) -> int:
    """Index of the link nearest to (px, py) within `tol`, or -1.

    segments: (M, 4) x0, y0, x1, y1 with x0 <= x1 (links run left to right), so a cheap
    x-range filter first keeps only the links of the gap under the point.
    """
    if segments.shape[0] == 0:
        return -1
    x0, x1 = segments[:, 0], segments[:, 2]
    cand = np.flatnonzero((x0 - tol <= px) & (px <= x1 + tol))                     # (K,)
    if cand.size == 0:
        return -1
    s = segments[cand]                                                             # (K, 4)
    dx, dy = s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]
    rx, ry = px - s[:, 0], py - s[:, 1]
    t = np.clip((rx * dx + ry * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
    ex, ey = rx - t * dx, ry - t * dy
    d2 = ex * ex + ey * ey                                                         # (K,)
    k = int(np.argmin(d2))
    return int(cand[k]) if d2[k] <= tol * tol else -1


def _hit_squares(centres: np.ndarray, half: float, px: float, py: float) -> int:
    """Index of the square (centre, half side) containing the point, nearest centre first."""
    if centres.shape[0] == 0:
        return -1
    d = np.maximum(np.abs(centres[:, 0] - px), np.abs(centres[:, 1] - py))         # (N,) Chebyshev
    k = int(np.argmin(d))
    return k if d[k] <= half else -1


def hit_test_nodes(node_xy: np.ndarray, node_size: float, px: float, py: float, pad: float = 0.0) -> int:
    """Index (into node_xy) of the node whose square, grown by `pad`, holds the point, or -1."""
    return _hit_squares(node_xy, node_size / 2 + pad, px, py)


def hit_test_biases(bias_xy: np.ndarray, bias_size: float, px: float, py: float, pad: float = 2.0) -> int:
    """Index (into bias_xy) of the bias square holding the point; `pad` eases hitting a small target."""
    return _hit_squares(bias_xy, bias_size / 2 + pad, px, py)
