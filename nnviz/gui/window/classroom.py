"""Classroom mode in the window: each control name of core/learn/classroom.py mapped to its
widgets and menu entries, hidden or locked as the teacher chose; and presentation mode.

Hidden means not shown at all, its menu entry gone and its shortcut dead; locked means shown
greyed out. The controls panel shows and enables rows as each Config needs (an optimiser's
parameters, the classes of Blobs), so the choice is applied again every time the panel has
shown a Config (ControlsPanel.config_shown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QWidget

from nnviz.core.learn.classroom import CONTROLS, Classroom

PRESENTATION_ZOOM = 1.4      # fonts in presentation mode, for a projector at the back of a room


@dataclass
class Targets:
    """What one control name stands for on screen."""

    rows: list[tuple[QFormLayout, QWidget]] = field(default_factory=list)   # form rows: label and field
    widgets: list[QWidget] = field(default_factory=list)
    actions: list[QAction] = field(default_factory=list)


def control_targets(w) -> dict[str, Targets]:
    """Control name -> its widgets in window `w` (every name of CONTROLS has an entry)."""
    c, bar, acts = w.controls, w.training_bar, w.actions
    data, net, train = c.data, c.network, c.training
    layers_field = net.form.itemAt(net.form.getWidgetPosition(net.layers.parentWidget())[0],
                                   QFormLayout.FieldRole).widget()
    t = {
        "show_test": Targets(actions=[acts["show_test"]]),
        "discretize": Targets(actions=[acts["discretize"]]),
        "play": Targets(widgets=[bar.play_button], actions=[acts["play"]]),
        "step": Targets(widgets=[bar.step_batch_button, bar.step_epoch_button],
                        actions=[acts["step_batch"], acts["step_epoch"]]),
        "reset": Targets(widgets=[bar.reset_button], actions=[acts["reset"]]),
        "learning_rate": Targets(rows=[(train.form, train.learning_rate)]),
        "activation": Targets(rows=[(net.form, net.activation)], widgets=[r.activation for r in net.rows]),
        "regularization": Targets(rows=[(train.form, train.regularization)]),
        "reg_rate": Targets(rows=[(train.form, train.reg_rate)]),
        "problem": Targets(widgets=list(data.problem_buttons.values())),
        "dataset": Targets(widgets=list(data.dataset_buttons.values())),
        "train_ratio": Targets(rows=[(data.form, data.ratio)]),
        "noise": Targets(rows=[(data.form, data.noise)]),
        "batch_size": Targets(rows=[(data.form, data.batch)]),
        "hidden_layers": Targets(rows=[(net.form, layers_field)]),
        "features": Targets(widgets=[c.features]),
        "neurons": Targets(widgets=[r.neurons for r in net.rows]),
        "classes": Targets(rows=[(data.form, data.classes)]),
        "seed": Targets(widgets=[data.seed, _label_of(data.form, data.seed)]),
        "regenerate": Targets(widgets=[data.regenerate], actions=[acts["regenerate"]]),
        "points": Targets(rows=[(data.form, data.points)]),
        "balance": Targets(rows=[(data.form, data.balance)]),
        "label_noise": Targets(rows=[(data.form, data.label_noise)]),
        "outliers": Targets(rows=[(data.form, data.outliers)]),
        "draw": Targets(widgets=[w.surface.bar], actions=[acts["draw"], acts["clear_points"]]),
        "output": Targets(rows=[(net.form, net.output)]),
        "init": Targets(rows=[(net.form, net.init), (net.form, net.init_scale)]),
        "optimizer": Targets(rows=[(train.form, getattr(train, n)) for n in
                                   ("optimizer", "momentum", "beta1", "beta2", "epsilon")]),
        "lr_decay": Targets(rows=[(train.form, train.lr_decay)]),
        "stop": Targets(rows=[(train.form, train.stop_epoch), (train.form, train.stop_loss)]),
        "speed": Targets(widgets=[bar.speed, bar.speed_label, bar.fastest_button], actions=[acts["fastest"]]),
        "explain": Targets(widgets=[bar.explain_button], actions=[acts["explain"]]),
        "edit": Targets(),
        "link_colour": Targets(widgets=[w.topology.decor.combo, w.topology.decor.combo_label],
                               actions=[a for k, a in acts.items() if k.startswith("links")]),
        "log_scale": Targets(actions=[acts["log_scale"]]),
    }
    assert set(t) == set(CONTROLS)
    return t


def _label_of(form: QFormLayout, widget: QWidget) -> QWidget:
    """The label of the form row that holds `widget` (directly or inside a layout)."""
    for row in range(form.rowCount()):
        field_item = form.itemAt(row, QFormLayout.FieldRole)
        if field_item is None:
            continue
        inner = field_item.widget() or field_item.layout()
        if inner is widget or (inner is not None and not isinstance(inner, QWidget)
                               and inner.indexOf(widget) >= 0):
            label = form.itemAt(row, QFormLayout.LabelRole)
            return label.widget() if label is not None else widget
    return widget


class ClassroomMode(QObject):
    """The window's current classroom choice, kept on screen (see the module doc)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.current = Classroom()
        self.targets = control_targets(window)
        self.note = QLabel()
        self.note.setStyleSheet("color: #8a5a00; padding: 0 6px;")
        self.note.hide()
        window.statusBar().addPermanentWidget(self.note)
        window.controls.config_shown.connect(self.restrict)

    def apply(self, classroom: Classroom) -> None:
        """Give back what the previous choice took away, let the controls show the Config by
        their own rules, then hide and lock what `classroom` says."""
        old, self.current = self.current, classroom
        for name in old.hide | old.lock:
            targets = self.targets[name]
            for form, fld in targets.rows:
                form.setRowVisible(fld, True)
                fld.setEnabled(True)
            for widget in targets.widgets:
                widget.setVisible(True)
                widget.setEnabled(True)
            for act in targets.actions:
                act.setVisible(True)
                act.setEnabled(True)
        for attr in ("data", "features", "network", "training"):
            getattr(self.w.controls, attr).setVisible(True)
        self.w.controls.set_config(self.w.controls.config())   # the sections' rules, then restrict
        self.restrict()
        hidden, locked = len(classroom.hide), len(classroom.lock)
        self.note.setText(f"Classroom mode: {hidden} hidden, {locked} locked")
        self.note.setToolTip("Lessons > Classroom mode\u2026 chooses what is hidden or locked")
        self.note.setVisible(classroom.active)

    @Slot()
    def restrict(self) -> None:
        room = self.current
        for name, targets in self.targets.items():
            state = room.state(name)
            if not state:
                continue
            for form, fld in targets.rows:
                if state == "hidden":
                    form.setRowVisible(fld, False)
                else:
                    fld.setEnabled(False)
            for widget in targets.widgets:
                (widget.setVisible if state == "hidden" else widget.setEnabled)(False)
            for act in targets.actions:
                (act.setVisible if state == "hidden" else act.setEnabled)(False)
        self.w.topology.set_editable(not room.state("edit"))
        net = self.w.controls.network
        both = {"neurons", "activation"} <= room.hide
        for row in net.rows:
            if both:
                net.form.setRowVisible(row, False)
        if both:
            net.form.setRowVisible(net.caption, False)
        sections = {"data": ("problem", "dataset", "classes", "points", "balance", "noise", "label_noise",
                             "outliers", "train_ratio", "batch_size", "seed", "regenerate"),
                    "network": ("hidden_layers", "activation", "neurons", "output", "init"),
                    "training": ("learning_rate", "lr_decay", "optimizer", "regularization", "reg_rate", "stop")}
        for attr, names in sections.items():
            getattr(self.w.controls, attr).setVisible(not set(names) <= room.hide)


class PresentationMode(QObject):
    """Full screen and larger fonts for a projector (F11 toggles it)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.active = False
        self._font = None
        self._was_maximized = False
        self._styles: dict[int, tuple[QWidget, str]] = {}

    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        self.active = on
        app = QApplication.instance()
        if on:
            self._was_maximized = self.w.isMaximized()
            self._font = app.font()
            big = app.font()
            big.setPointSizeF(big.pointSizeF() * PRESENTATION_ZOOM)
            app.setFont(big)
            self._zoom_styles()
            self.w.showFullScreen()
        else:
            app.setFont(self._font)
            for widget, sheet in self._styles.values():
                widget.setStyleSheet(sheet)
            self._styles.clear()
            self.w.showMaximized() if self._was_maximized else self.w.showNormal()
        self.w.repaint_views()

    def _zoom_styles(self) -> None:
        """Style sheets that fix a size in px (the training bar's numbers, small captions)
        ignore the application font, so they are scaled here and put back on the way out."""
        px = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")
        for widget in self.w.findChildren(QWidget):
            sheet = widget.styleSheet()
            if "font-size" in sheet:
                self._styles[id(widget)] = (widget, sheet)
                widget.setStyleSheet(px.sub(lambda m: f"font-size: {float(m.group(1)) * PRESENTATION_ZOOM:.0f}px",
                                            sheet))


