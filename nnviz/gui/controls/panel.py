"""The controls panel: every setting of a run, turned into one valid Config at a time.

The panel keeps the current Config as its single source of truth. A user action in a
section proposes the fields it changed; the panel repairs the result into a valid
Config (e.g. a softmax output with a regression set falls back to "auto"), repaints the
widgets from it and emits it once, unless it equals the previous one. The widgets only
display the Config, so values a widget cannot show exactly (a seed beyond a spin box,
a learning rate not in the list) still come back unchanged from `config()`.

Run `python -m nnviz.gui.controls.panel` to see the panel alone; it prints what it emits.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFrame,
    QLayout,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import Config, changed_fields, repair
from nnviz.gui.controls.data import DataSection
from nnviz.gui.controls.network import FeaturesSection, NetworkSection
from nnviz.gui.controls.training import TrainingSection

PANEL_WIDTH = 320


class ControlsPanel(QWidget):
    """Data, feature, network and training controls in one scrollable column.

    Signals:
        config_changed(Config): a new, valid Config after a user action; exactly one per
            action, and never one equal to the previous. `set_config` emits nothing.
        settings_changed(dict, Config): the same action as the fields it changed (with
            their repairs) and the new Config; emitted right after config_changed. The
            window sends the fields, so they apply to the settings the worker runs even
            when those are newer than what the panel showed.
        regenerate_requested(): the user pressed Regenerate (fresh points, same settings).
        config_shown(): the widgets have just been set from a Config (after set_config or a
            user action); sections show and enable rows as the Config needs, so whoever hides
            or locks controls on top (classroom mode) applies that again here.
    """

    config_changed = Signal(object)
    settings_changed = Signal(object, object)
    regenerate_requested = Signal()
    config_shown = Signal()

    def __init__(self, config: Config | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config or Config()
        self.data = DataSection()
        self.features = FeaturesSection()
        self.network = NetworkSection()
        self.training = TrainingSection()
        self.sections = (self.data, self.features, self.network, self.training)

        content = QWidget()
        content.setObjectName("controlsContent")
        col = QVBoxLayout(content)
        col.setContentsMargins(10, 2, 10, 12)
        col.setSpacing(10)
        for section in self.sections:
            col.addWidget(section)
            section.edited.connect(self._edited)
        col.addStretch(1)
        self.data.regenerate_requested.connect(self.regenerate_requested)

        self.scroll = QScrollArea()
        self.scroll.setWidget(content)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.scroll)
        self._show(self._config)
        self._guard_wheel()

    def _guard_wheel(self) -> None:
        """The wheel scrolls the panel; it turns a combo, spin box or slider only once
        that has been clicked, so scrolling past a control never changes it by accident."""
        for widget in self.findChildren(QWidget):
            if isinstance(widget, (QComboBox, QAbstractSpinBox, QSlider)):
                widget.setFocusPolicy(Qt.StrongFocus)
                widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (event.type() == QEvent.Wheel and isinstance(obj, QWidget)
                and not obj.hasFocus()):
            QCoreApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return super().eventFilter(obj, event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        # settle the scroll bars now rather than on the next event-loop pass, so the
        # first frame (and a grab straight after show()) has no stale scroll bar
        super().showEvent(event)
        QCoreApplication.sendPostedEvents(self.scroll, QEvent.MetaCall)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(PANEL_WIDTH, 800)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(PANEL_WIDTH - 20, 200)

    # -- public API --------------------------------------------------------------------
    def config(self) -> Config:
        """The Config the controls show now."""
        return self._config

    def set_config(self, config: Config) -> None:
        """Show a Config (e.g. from a session file) without emitting anything."""
        if not isinstance(config, Config):
            raise TypeError(f"expected a Config, not {type(config).__name__}")
        self._config = config
        self._show(config)

    # -- internals ---------------------------------------------------------------------
    def _show(self, config: Config) -> None:
        for section in self.sections:
            section.show_config(config)   # each blocks its own widgets' signals
        self.config_shown.emit()
        if not self.isVisible():
            # Hidden rows and buttons leave stale size hints until the event loop runs;
            # settle them now so the first frame (or an offscreen grab) is laid out right.
            for layout in reversed(self.findChildren(QLayout)):
                layout.activate()

    def _edited(self, changes: dict) -> None:
        new = repair(self._config, changes)
        self._show(new)                   # also undoes a refused change on screen
        if new != self._config:
            old, self._config = self._config, new
            self.config_changed.emit(new)
            self.settings_changed.emit(changed_fields(old, new), new)


def main(argv: list[str] | None = None) -> int:
    """Show the panel alone and print every Config it emits."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    panel = ControlsPanel()
    panel.setWindowTitle("nnviz controls")
    panel.config_changed.connect(lambda c: print(c, flush=True))
    panel.regenerate_requested.connect(lambda: print("regenerate requested", flush=True))
    panel.resize(PANEL_WIDTH, 900)
    panel.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
