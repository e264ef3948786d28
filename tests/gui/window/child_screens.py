"""Run by test_first_start.py in a child process whose offscreen platform has four screens
(1280x800, 1366x768, 1920x1080, 2560x1440, with window frames): a first start on each
opens inside the screen's available area, every panel fits, and no tick label is cut."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QApplication

from nnviz.core.config import Config
from nnviz.gui.window.main_window import MainWindow
from nnviz.gui.window.placement import place

SIZES = ((1280, 800), (1366, 768), (1920, 1080), (2560, 1440))
_drawn: dict[int, list] = {}   # id(axis) -> [(viewport rect, text)] as last painted


@pytest.fixture(autouse=True, scope="module")
def record_tick_labels():
    """Keep what each axis really paints (pyqtgraph's own text placement), to look for cuts."""
    original = pg.AxisItem.drawPicture

    def record(self, p, axis_spec, tick_specs, text_specs):
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if view is not None:
            _drawn[id(self)] = [(view.mapFromScene(self.mapRectToScene(r)).boundingRect(), t)
                                for r, _, t in text_specs]
        return original(self, p, axis_spec, tick_specs, text_specs)

    pg.AxisItem.drawPicture = record
    yield
    pg.AxisItem.drawPicture = original


def inside(outer: QRect, widget, window) -> bool:
    return outer.contains(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))


@pytest.mark.parametrize("index", range(len(SIZES)))
def test_a_first_start_fits_the_screen(qtbot, tmp_path, index):
    screen = QApplication.screens()[index]
    assert (screen.size().width(), screen.size().height()) == SIZES[index]
    w = MainWindow(Config(), settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    w.quiet_errors = True
    qtbot.addWidget(w)
    w.setScreen(screen)                    # as if it were started on that screen
    place(w, screen)                       # what __init__ does with the screen the window is on
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.latest is not None and w.painted_seq == w.latest.seq, timeout=60_000)
    available = screen.availableGeometry()
    assert available.contains(w.frameGeometry()), (w.frameGeometry(), available)
    assert w.width() >= w.minimumSizeHint().width() and w.height() >= w.minimumSizeHint().height()
    if SIZES[index][0] < 1600:
        assert w.isMaximized()             # a small screen: all of it
    else:                                  # a large one: most of it, centred
        assert w.width() >= 0.75 * available.width() and not w.isMaximized()

    client = w.rect()
    for panel in (w.training_bar, w.controls, w.topology, w.surface, w.curves, w.statusBar()):
        assert panel.isVisible() and inside(client, panel, w), panel
        assert panel.width() >= panel.minimumSizeHint().width(), panel
    bar = w.training_bar
    for button in (bar.reset_button, bar.play_button, bar.step_batch_button, bar.step_epoch_button,
                   bar.speed, bar.fastest_button, bar.labels["acc"]):
        assert inside(client, button, w) and inside(bar.rect(), button, bar), button

    # the graph uses the height of its panel: the default network's tallest column spans most of it
    lay = w.topology.graph_layout
    span = lay.node_xy[:, 1].max() - lay.node_xy[:, 1].min() + lay.node_size
    assert span >= 0.6 * lay.height, (span, lay.height)
    assert lay.node_size >= 36

    # every tick label the curves paint lies inside its plot (none is cut at an edge); a
    # short plot may leave out labels that do not fit, but the loss plot always has some
    w.curves.set_snapshot(w.latest)
    w.curves.paint()
    w.curves.grab()
    for item in (w.curves.loss_plot.getPlotItem(), w.curves.grad_item):
        for side in ("bottom", "left"):
            axis = item.getAxis(side)
            view = axis.scene().views()[0].viewport().rect()
            labels = _drawn.get(id(axis), [])
            assert labels or item is w.curves.grad_item, side
            assert [t for r, t in labels if not view.contains(r)] == [], side
    w.close()


def test_a_remembered_window_too_big_for_this_screen_is_placed_anew(qtbot, tmp_path):
    """Saved on the 2560x1440 screen, started on the 1280x800 one (a laptop off its dock)."""
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    big, small = QApplication.screens()[3], QApplication.screens()[0]
    w = MainWindow(Config(), settings=settings)
    qtbot.addWidget(w)
    w.setScreen(big)
    place(w, big)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.latest is not None, timeout=60_000)
    w.close()
    saved = settings.value("window/geometry")
    assert saved is not None
    again = MainWindow(None, settings=settings)
    qtbot.addWidget(again)
    again.setScreen(small)
    place(again, small, saved)
    again.show()
    qtbot.waitExposed(again)
    assert small.availableGeometry().contains(again.frameGeometry()), again.frameGeometry()
    again.close()
