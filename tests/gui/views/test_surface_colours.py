"""On two classes the decision surface agrees with the points: under every training point
the network classifies correctly, the surface has that class's colour (orange for -1,
blue for +1), whatever the output unit: tanh, sigmoid or softmax.

The networks are really trained (to 100 % training accuracy); the colour is read from the
picture the surface's image item renders, at the grid cell under the point.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from nnviz.core.config import Config
from nnviz.core.snapshot import GRID_AXIS
from nnviz.core.train.trainer import Trainer
from nnviz.gui.style import palette
from nnviz.gui.views.surface import _CELL, EXTENT, SurfaceView

CASES = {"circle": ("x1^2", "x2^2"), "xor": ("x1*x2",), "gauss": ("x1", "x2")}


def trained(dataset: str, output: str) -> Trainer:
    t = Trainer(Config(dataset=dataset, features=CASES[dataset], hidden_layers=(3,), output=output,
                       learning_rate=0.1, seed=1))
    for _ in range(40):
        t.train_epochs(25)
        if t.train_accuracy == 1.0:
            return t
    pytest.fail(f"{dataset} with {output} did not reach 100 % training accuracy")


def rendered(view: SurfaceView) -> np.ndarray:
    """(H, W, 3) uint8: the surface picture as drawn, row iy = 0 at y = -6."""
    view.image.render()
    img = view.image.qimage.convertToFormat(QImage.Format_RGB888)
    w, h, line = img.width(), img.height(), img.bytesPerLine()
    return np.frombuffer(img.constBits(), np.uint8, line * h).reshape(h, line)[:, :3 * w].reshape(h, w, 3).copy()


def dist(a: np.ndarray, colour) -> np.ndarray:
    return np.linalg.norm(a.astype(float) - np.array(colour, float), axis=-1)


@pytest.mark.parametrize("dataset", list(CASES))
@pytest.mark.parametrize("output", ["tanh_mse", "sigmoid_bce", "softmax_ce"])
@pytest.mark.parametrize("discretize", [False, True])
def test_pixels_under_correct_points_have_their_class_colour(qtbot, dataset, output, discretize):
    t = trained(dataset, output)
    snap = t.snapshot()
    assert snap.config.output_kind == output and snap.layer_sizes[-1] == (2 if output == "softmax_ce" else 1)
    view = SurfaceView()
    qtbot.addWidget(view)
    view.set_discretize(discretize)
    view.set_snapshot(snap)
    view.paint()
    picture = rendered(view)
    assert picture.shape[:2] == (len(GRID_AXIS), len(GRID_AXIS))

    x, label = snap.train_x, snap.train_y
    ix = np.clip(np.round((x[:, 0] + EXTENT) / _CELL).astype(int), 0, len(GRID_AXIS) - 1)
    iy = np.clip(np.round((x[:, 1] + EXTENT) / _CELL).astype(int), 0, len(GRID_AXIS) - 1)
    # the class the network gives the point and the centre of its cell (independent of the view)
    cls_point = t.network.predict(x).reshape(len(x), -1)
    cls_cell = t.network.predict(np.column_stack([GRID_AXIS[ix], GRID_AXIS[iy]])).reshape(len(x), -1)
    def classes(out):
        if output == "softmax_ce":
            return np.where(out[:, 1] > out[:, 0], 1.0, -1.0)
        return np.where(out[:, 0] >= (0.5 if output == "sigmoid_bce" else 0.0), 1.0, -1.0)
    correct = classes(cls_point) == label
    assert correct.all()                                          # 100 % training accuracy
    # a point within half a cell of the boundary may sit in a cell of the other class
    same_cell = classes(cls_cell) == label
    assert same_cell.mean() > 0.95
    pixels = picture[iy, ix]                                      # (N, 3)
    own = np.where(label[:, None] > 0, palette.BLUE, palette.ORANGE)
    other = np.where(label[:, None] > 0, palette.ORANGE, palette.BLUE)
    d_own, d_other, d_grey = dist(pixels, own), dist(pixels, other), dist(pixels, palette.GREY)
    bad = same_cell & ~((d_own < d_other) & (d_own < d_grey))
    assert not bad.any(), (f"{bad.sum()} of {len(x)} points sit on the wrong colour, e.g. label "
                           f"{label[bad][:3]} on {pixels[bad][:3].tolist()}")
    # and the neuron picture of each softmax output is coloured by its own class
    if output == "softmax_ce":
        pics = palette.picture_values(snap.grid[-1], len(snap.grid) - 1, len(snap.grid) - 1, output)
        np.testing.assert_allclose(pics[0], pics[1], atol=1e-5)   # p(+1) - p(-1) for both
