"""What the controls show on screen after a Config arrives from elsewhere (a session, the
worker): the Output box's text, the disabled Classes box.

"On screen" is the window's backing store, read with QScreen.grabWindow (the offscreen
platform keeps one): a widget that was not told to repaint still shows the old pixels
there, however right its model is.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QWidget

from nnviz.core.config import Config
from nnviz.gui.controls.panel import ControlsPanel


@pytest.fixture
def panel(qtbot):
    p = ControlsPanel()
    qtbot.addWidget(p)
    p.resize(320, 1100)
    p.show()
    qtbot.waitExposed(p)
    return p


def on_screen(qtbot, top: QWidget, widget: QWidget) -> QImage:
    """The pixels of widget as the screen shows them now (after pending paints)."""
    for _ in range(3):
        QApplication.processEvents()
    corner = widget.mapTo(top, widget.rect().topLeft())
    return QGuiApplication.primaryScreen().grabWindow(
        top.winId(), corner.x(), corner.y(), widget.width(), widget.height()).toImage()


def assert_not_stale(qtbot, top, widget) -> None:
    now = on_screen(qtbot, top, widget)
    widget.repaint()                                       # what a passing mouse would trigger
    assert on_screen(qtbot, top, widget) == now, "the screen showed an old picture of the widget"


@pytest.mark.parametrize("first, then, text", [
    (Config(), Config(dataset="blobs"), "Auto (Softmax)"),
    (Config(dataset="blobs"), Config(), "Auto (Tanh)"),
    (Config(), Config(dataset="reg-plane"), "Auto (Linear)"),
])
def test_output_box_shows_the_new_choice_at_once(qtbot, panel, first, then, text):
    panel.set_config(first)
    on_screen(qtbot, panel, panel.network.output)
    before = on_screen(qtbot, panel, panel.network.output)
    panel.set_config(then)
    combo = panel.network.output
    assert combo.currentText() == text
    assert on_screen(qtbot, panel, combo) != before        # the text on screen changed...
    assert_not_stale(qtbot, panel, combo)                  # ...to the current one


@pytest.mark.parametrize("config, shown, enabled", [
    (Config(dataset="circle", n_classes=5), 2, False),
    (Config(dataset="spiral", n_classes=4), 2, False),
    (Config(dataset="spiral3", n_classes=5), 3, False),
    (Config(dataset="custom", custom_classes=7), 7, False),
    (Config(dataset="blobs", n_classes=4), 4, True),
])
def test_classes_box_shows_the_classes_of_the_set(qtbot, panel, config, shown, enabled):
    panel.set_config(Config(dataset="blobs", n_classes=5))
    panel.set_config(config)
    box = panel.data.classes
    assert box.value() == shown and box.text() == str(shown) and box.isEnabled() is enabled
    assert_not_stale(qtbot, panel, box)
    assert panel.config() == config                       # showing emitted nothing, changed nothing


def test_blobs_remember_their_count_through_another_set(qtbot, panel):
    emitted = []
    panel.config_changed.connect(emitted.append)
    panel.set_config(Config(dataset="blobs", n_classes=5))
    panel.data.dataset_buttons["circle"].click()
    assert panel.data.classes.value() == 2 and emitted[-1].dataset == "circle"
    panel.data.dataset_buttons["blobs"].click()
    assert panel.data.classes.value() == 5 and emitted[-1] == Config(dataset="blobs", n_classes=5)
    assert len(emitted) == 2
