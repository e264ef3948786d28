"""Network-graph geometry and hit tests, and the typed-value check (no Qt needed)."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from nnviz.gui.style.values import MAX_ABS, parse_value
from nnviz.gui.views.topology.geometry import (
    build_layout,
    hit_test_biases,
    hit_test_links,
    hit_test_nodes,
)

NETWORKS = [(2, 1), (2, 4, 2, 1), (7, 8, 8, 8, 8, 8, 8, 1), (7,) + (32,) * 10 + (1,)]
TOL = 4.0  # scene units ~ pixels


def test_geometry_and_values_import_no_qt():
    code = ("import sys, nnviz.gui.views.topology.geometry, nnviz.gui.style.values; "
            "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("sizes", NETWORKS)
def test_layout_shapes_and_order(sizes):
    lay = build_layout(sizes)
    n_links = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    assert lay.segments.shape == (n_links, 4) and lay.link_ids.shape == (n_links, 3)
    assert lay.node_xy.shape == (sum(sizes), 2)
    assert lay.bias_xy.shape == (sum(sizes[1:]), 2)
    # rows follow weights[l].ravel(): (dst, src) row-major inside each layer
    for l in range(len(sizes) - 1):
        for dst, src in [(0, 0), (sizes[l + 1] - 1, sizes[l] - 1)]:
            k = lay.link_index(l, dst, src)
            assert tuple(lay.link_ids[k]) == (l, dst, src)
    # columns left to right, each centred vertically on the same line
    assert np.all(np.diff(lay.column_x) > lay.node_size)
    centres = [lay.node_xy[lay.node_start[c]:lay.node_start[c + 1], 1].mean() for c in range(len(sizes))]
    assert np.allclose(centres, centres[0])
    # links start at a node's right edge and end at the next node's left edge
    assert np.all(lay.segments[:, 0] < lay.segments[:, 2])
    # everything fits in the scene rectangle
    assert lay.node_xy[:, 0].min() - lay.node_size / 2 >= 0 and lay.node_xy[:, 0].max() <= lay.width
    assert lay.node_xy[:, 1].min() - lay.node_size / 2 >= 0 and lay.node_xy[:, 1].max() <= lay.height


@pytest.mark.parametrize("sizes", NETWORKS)
def test_every_link_middle_finds_that_link(sizes):
    lay = build_layout(sizes)
    mids = (lay.segments[:, :2] + lay.segments[:, 2:]) / 2                       # (M, 2)
    found = np.array([hit_test_links(lay.segments, x, y, TOL) for x, y in mids])
    assert np.array_equal(found, np.arange(len(mids)))


@pytest.mark.parametrize("sizes", NETWORKS)
def test_points_far_from_links_find_none(sizes):
    lay = build_layout(sizes)
    far = [(-50.0, lay.height / 2), (lay.width + 50, lay.height / 2), (lay.width / 2, -50.0),
           (lay.width / 2, lay.height + 50), (1e6, -1e6), (lay.column_x[0], 5.0)]
    # inside a column (between its nodes) no link passes
    for c in range(len(sizes)):
        xs = lay.node_xy[lay.node_start[c]:lay.node_start[c + 1]]
        far.append((lay.column_x[c], xs[0, 1] - lay.node_size))
        if len(xs) > 1:
            far.append((lay.column_x[c], (xs[0, 1] + xs[1, 1]) / 2))
    for x, y in far:
        assert hit_test_links(lay.segments, x, y, TOL) == -1, (x, y)


def test_link_hit_tolerance():
    lay = build_layout((2, 4, 2, 1))
    x0, y0, x1, y1 = lay.segments[5]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    nx, ny = -(y1 - y0), x1 - x0                                                   # normal
    nx, ny = nx / np.hypot(nx, ny), ny / np.hypot(nx, ny)
    assert hit_test_links(lay.segments, mx + 3 * nx, my + 3 * ny, TOL) == 5
    assert hit_test_links(lay.segments, mx + 30 * nx, my + 30 * ny, TOL) != 5
    assert hit_test_links(np.zeros((0, 4)), 0.0, 0.0, TOL) == -1


@pytest.mark.parametrize("sizes", NETWORKS)
def test_node_and_bias_hits(sizes):
    lay = build_layout(sizes)
    s, b = lay.node_size, lay.bias_size
    for k, (x, y) in enumerate(lay.node_xy):
        assert hit_test_nodes(lay.node_xy, s, x, y) == k
        assert hit_test_nodes(lay.node_xy, s, x + 0.45 * s, y - 0.45 * s) == k  # near a corner
    for k, (x, y) in enumerate(lay.bias_xy):
        assert hit_test_biases(lay.bias_xy, b, x, y) == k
        assert tuple(lay.bias_ids[k]) == (lay.node_layer[lay.node_start[1] + k] - 1,
                                          lay.node_index[lay.node_start[1] + k])
        assert lay.bias_flat(*lay.bias_ids[k]) == k
    assert hit_test_nodes(lay.node_xy, s, -100.0, -100.0) == -1
    assert hit_test_biases(lay.bias_xy, b, -100.0, -100.0) == -1
    # the input column has no bias squares; a bias square is not inside its node
    assert len(lay.bias_xy) == sum(sizes[1:])
    for x, y in lay.bias_xy:
        assert hit_test_nodes(lay.node_xy, s, x, y) == -1


def test_hit_test_is_fast_for_the_largest_network():
    lay = build_layout((7,) + (32,) * 10 + (1,))
    assert len(lay.segments) == 7 * 32 + 9 * 32 * 32 + 32
    rng = np.random.default_rng(0)
    pts = rng.uniform([0, 0], [lay.width, lay.height], size=(500, 2))
    start = time.perf_counter()
    for x, y in pts:
        hit_test_links(lay.segments, x, y, TOL)
        hit_test_nodes(lay.node_xy, lay.node_size, x, y)
        hit_test_biases(lay.bias_xy, lay.bias_size, x, y)
    per_call = (time.perf_counter() - start) / len(pts)
    assert per_call < 1e-3, f"{per_call * 1e3:.3f} ms per hover"


def test_small_scene_grows_instead_of_squashing_nodes():
    lay = build_layout((7,) + (32,) * 10 + (1,), 200, 100)
    assert lay.node_size >= 6 and lay.pitch > lay.node_size
    assert lay.width >= 200 and lay.height >= 100


@pytest.mark.parametrize("text, value", [("0.5", 0.5), ("-3", -3.0), ("1e-3", 1e-3), (" 2 ", 2.0),
                                         ("\u22121.5", -1.5), ("1e6", 1e6)])
def test_parse_value_accepts(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text, words", [("abc", "not a number"), ("", "Type a number"),
                                         ("   ", "Type a number"), ("nan", "nan"),
                                         ("inf", "Infinity"), ("-inf", "Infinity"),
                                         ("1e400", "too large"), ("2e6", "beyond"),
                                         ("-1000001", "beyond"), ("0,5", "not a number")])
def test_parse_value_refuses_with_a_message(text, words):
    with pytest.raises(ValueError) as info:
        parse_value(text)
    assert words in str(info.value)
    assert len(str(info.value)) > 20  # a sentence, not a code
    assert MAX_ABS == 1e6
