"""What the main window remembers between runs of the program (QSettings): the last
settings, the view options, the pace, the landscape's axes, the classroom choice and the
lessons panel.

A mixin of MainWindow (main_window.py). Unreadable entries are skipped: a damaged
settings file must never keep the program from starting.
"""

from __future__ import annotations

import json

from nnviz.core.config import CUSTOM, Config
from nnviz.core.errors import FormatError
from nnviz.core.learn.classroom import Classroom


class RememberMixin:
    """remembered_config, _restore_view_settings and _remember for MainWindow."""

    def remembered_config(self) -> Config:
        """The settings of the last run (the defaults if none or unreadable)."""
        try:
            config = Config.from_dict(json.loads(str(self.settings.value("run/config", "{}"))))
        except ValueError:  # also json.JSONDecodeError
            return Config()
        if config.dataset in CUSTOM:  # the points themselves live in session files only
            config = config.replace(dataset="circle" if config.problem == "classification" else "reg-plane",
                                    output="auto")
        return config

    def _restore_view_settings(self) -> None:
        for name in ("discretize", "show_test", "highlight", "log_scale"):
            value = self.settings.value(f"view/{name}")
            if value is not None:
                self.actions[name].setChecked(str(value).lower() in ("true", "1"))
        try:
            self.landscape.restore(json.loads(str(self.settings.value("view/landscape", "{}"))))
        except (ValueError, AttributeError):  # also json.JSONDecodeError; not a dict
            pass
        speed = self.settings.value("run/speed_index")
        if speed is not None and str(speed).isdigit():
            self.training_bar.speed.setCurrentIndex(min(int(speed), self.training_bar.speed.count() - 1))
        try:
            self.classroom.apply(Classroom.from_dict(json.loads(str(self.settings.value("classroom/current", "{}")))))
        except (ValueError, FormatError):   # an unreadable entry: no classroom
            pass
        if str(self.settings.value("view/lessons_panel", "false")).lower() in ("true", "1"):
            self.lessons.show_panel()
            self.lessons.open_key(str(self.settings.value("lessons/open", "")))   # where the learner was

    def _remember(self) -> None:
        if self.presentation.active:
            self.presentation.set_active(False)       # remember the window as it is normally
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("run/config", json.dumps(self.controls.config().to_dict()))
        self.settings.setValue("run/speed_index", self.lessons.user_speed())
        self.settings.setValue("view/landscape", json.dumps(self.landscape.state()))
        self.settings.setValue("classroom/current", json.dumps(self.lessons.user_classroom().to_dict()))
        self.settings.setValue("view/lessons_panel", self.lessons.dock.isVisible())
        for name in ("discretize", "show_test", "highlight", "log_scale"):
            self.settings.setValue(f"view/{name}", self.actions[name].isChecked())
