"""Every exported SVG draws the same in librsvg (GNOME's viewers) as in Qt.

Each panel runs alone on a made-up Snapshot and exports an SVG; rsvg-convert and Qt's
own SVG renderer draw it at its page size, and the two pictures are compared: the
dark pixels (curves, point rings, link lines, text) and the white ones (point outlines,
background) must agree in number, and hardly any 4 x 4 block may differ in colour (under
1 %; 19 to 77 % did before).
Before the strokes were fixed, librsvg drew the loss curves as a black band (60 times
the dark pixels) and the points as white blobs (1.6 times the white ones).
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from nnviz.gui.views.curves import CurvesView
from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.surface import SurfaceView
from nnviz.gui.views.topology.view import TopologyView

RSVG = shutil.which("rsvg-convert")
pytestmark = pytest.mark.skipif(RSVG is None, reason="rsvg-convert (librsvg2-bin) is not installed")


def pixels(image: QImage) -> np.ndarray:
    """(H, W, 3) float RGB of a QImage."""
    img = image.convertToFormat(QImage.Format_RGB888)
    w, h, line = img.width(), img.height(), img.bytesPerLine()
    raw = np.frombuffer(img.constBits(), np.uint8, line * h).reshape(h, line)
    return raw[:, :3 * w].reshape(h, w, 3).astype(float)


def both_renderings(path) -> tuple[np.ndarray, np.ndarray]:
    """(Qt, librsvg) pictures of one SVG at its page size in px, on white."""
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    box = renderer.viewBoxF()
    w, h = int(box.width()), int(box.height())
    qt = QImage(w, h, QImage.Format_RGB32)
    qt.fill(QColor("white"))
    painter = QPainter(qt)
    renderer.render(painter, QRectF(0, 0, w, h))
    painter.end()
    png = subprocess.run([RSVG, "-w", str(w), "-h", str(h), "-b", "white", str(path)],
                         capture_output=True, check=True, timeout=60).stdout
    rsvg = QImage.fromData(QByteArray(png))
    assert (rsvg.width(), rsvg.height()) == (w, h)
    return pixels(qt), pixels(rsvg)


def blocks(a: np.ndarray, k: int = 4) -> np.ndarray:
    h, w = a.shape[0] // k * k, a.shape[1] // k * k
    return a[:h, :w].reshape(h // k, k, w // k, k, 3).mean(axis=(1, 3))


def assert_same_picture(qt: np.ndarray, rsvg: np.ndarray) -> None:
    dark = [int((p.mean(axis=2) < 110).sum()) for p in (qt, rsvg)]
    white = [int((p.min(axis=2) > 245).sum()) for p in (qt, rsvg)]
    assert dark[0] > 500, "nothing dark was drawn: the comparison would prove nothing"
    # librsvg antialiases a 1 px outline a little darker than Qt (up to 1.25 times the dark
    # pixels on the regression surface); a stroke scaled by the plot's matrix gives 2 to 60
    assert 0.7 <= dark[1] / dark[0] <= 1.4, f"dark pixels Qt {dark[0]}, librsvg {dark[1]}"
    assert 0.9 <= white[1] / white[0] <= 1.1, f"white pixels Qt {white[0]}, librsvg {white[1]}"
    differ = np.abs(blocks(qt) - blocks(rsvg)).max(axis=2) > 60
    assert differ.mean() < 0.01, f"{differ.mean():.1%} of the 4x4 blocks differ"


def shown(qtbot, view, snap):
    qtbot.addWidget(view)
    view.resize(600, 500)
    view.show()
    view.set_snapshot(snap)
    view.paint()
    qtbot.waitExposed(view)
    return view


@pytest.mark.parametrize("n_classes", [2, 3, 0])
def test_surface_svg(qtbot, tmp_path, n_classes):
    view = shown(qtbot, SurfaceView(), make_snapshot(n_classes=n_classes))
    view.set_show_test(True)
    view.paint()
    view.export_svg(str(tmp_path / "surface.svg"))
    assert_same_picture(*both_renderings(tmp_path / "surface.svg"))


@pytest.mark.parametrize("log", [False, True])
def test_curves_svg(qtbot, tmp_path, log):
    view = shown(qtbot, CurvesView(), make_snapshot(n_classes=2, hidden=(8, 8, 8, 8)))
    view.set_log_scale(log)
    view.paint()
    view.export_svg(str(tmp_path / "curves.svg"))
    assert_same_picture(*both_renderings(tmp_path / "curves.svg"))


def test_topology_svg(qtbot, tmp_path):
    view = shown(qtbot, TopologyView(), make_snapshot(n_classes=2, hidden=(6, 4)))
    view.export_svg(str(tmp_path / "graph.svg"))
    assert_same_picture(*both_renderings(tmp_path / "graph.svg"))
