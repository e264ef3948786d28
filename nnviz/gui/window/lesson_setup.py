"""How a lesson step sets the window up, through the same requests the controls and menus
send: its own module as it is the one place a step reaches into the window."""

from __future__ import annotations

import dataclasses

from nnviz.core.config import Config
from nnviz.core.learn.landscape_job import MODES
from nnviz.gui.window.training_bar import SPEEDS


class StepSetup:
    """Mixin of LessonsMode: plain methods called from its step changes, in the GUI thread
    (none is connected to a signal)."""

    def _send_settings(self, config: Config) -> None:
        """The settings as the controls send them, then Reset: the step's seed, weights and
        data. Every field goes, not only those that differ from what the controls show, so
        the worker ends on exactly the step's settings whatever it ran before (unsaved work
        was asked about before the step was entered)."""
        w = self.w
        w.training_bar.set_playing(False)
        w.pause_requested.emit()
        w.controls.set_config(config)
        w.config_requested.emit({f.name: getattr(config, f.name) for f in dataclasses.fields(Config)}, config)
        w.reset_requested.emit()

    def _drop_runs(self) -> None:
        """Runs side by side of the step before (or the learner's) go, as Runs > Keep only
        this run does: the run shown stays, and the step's settings and Reset, sent next,
        make it the step's own."""
        snap = self.w.latest
        if self._made_runs or (snap is not None and snap.runs):
            self.w.pause_requested.emit()
            self.w.run_controls.keep_only_requested.emit(snap.active_run if snap is not None and snap.runs else 0)
        self._made_runs = False

    def _add_runs(self, step) -> None:
        """The step's runs side by side, asked for as the Runs menu asks: a duplicate of the
        step's fresh network per comparison run, from the same weights and data."""
        for k in range(len(step.compare)):
            self.w.run_controls.duplicate_requested.emit(step.changes(k))
        self._made_runs = bool(step.compare)

    def _apply_view(self, step) -> None:
        w, view = self.w, step.view
        for name in ("show_test", "discretize", "log_scale", "highlight"):
            value = getattr(view, name)
            if value is not None:
                w.actions[name].setChecked(value)
        if view.link_colour is not None:
            w.topology.set_link_mode(view.link_colour)
        if isinstance(view.landscape, str):
            w.landscape.mode.setCurrentIndex(MODES.index(view.landscape))
        if view.landscape:
            w.show_landscape()
        elif view.landscape is False or step.compare:    # runs side by side: their curves share the chart
            w.lower_tabs.setCurrentIndex(0)
        if step.speed is not None:
            w.training_bar.speed.setCurrentIndex([s for _, s in SPEEDS].index(step.speed))
        self._explain_phase = view.explain or ""
