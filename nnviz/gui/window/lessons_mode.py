"""Lessons in the window: the side panel's requests turned into settings, runs and reveals.

A step is entered by setting the network up through the same requests the controls send
(the settings, then Reset, so every step starts from the seed's weights), with the view
the step asks for. Run plays to the step's epoch (its settings carry it as Stop at epoch)
or makes its mini-batch updates; the Snapshot the run ends on is measured and judged
(core/learn/lesson_runs.py), exactly as the tests judge the same step headless.

What the learner did is kept between runs of the program (QSettings): where they are in
each lesson, their predictions and what each run measured.

Moving to another step throws the network away. A network the lesson made and only trained
is the lesson's, so that asks nothing; one the learner edited by hand or set up differently
is their work, and the usual question about unsaved work comes first.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QDockWidget, QFileDialog

from nnviz.core.config import Config
from nnviz.core.errors import FormatError
from nnviz.core.learn.classroom import Classroom
from nnviz.core.learn.explain import stages
from nnviz.core.learn.lesson_runs import finished, judge, judge_answer, outcome
from nnviz.core.learn.lessons import Lesson, builtin_lessons, read_lesson
from nnviz.core.snapshot import Snapshot
from nnviz.gui.views.lessons import LessonsPanel, StepState
from nnviz.gui.views.lessons.panel import PANEL_WIDTH
from nnviz.gui.window.lesson_progress import fits, load_progress, save_progress
from nnviz.gui.window.lesson_setup import StepSetup

LESSON_FILTER = "nnviz lesson (*.toml);;All files (*)"
MAX_RECENT = 8


class LessonsMode(StepSetup, QObject):
    """The open lesson, the learner's progress in it, and the wiring of the lessons panel."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.panel = LessonsPanel()
        self.dock = QDockWidget("Lessons", window)
        self.dock.setObjectName("lessonsDock")
        self.dock.setWidget(self.panel)
        self.dock.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea)
        window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.builtin = {f"builtin:{lesson.id}": lesson for lesson in builtin_lessons()}
        self.lesson: Lesson | None = None
        self.key = ""
        self.index = 0
        self.phase = "read"
        self.answers: dict[str, object] = {}
        self.results: dict[str, dict[str, float]] = {}
        self.done: set[str] = set()
        self.current: tuple | None = None      # (outcome, judged, earlier) shown for the step
        self.progress = ""
        self._started = False                  # the run's first playing Snapshot has come
        self._run_after = False                # run as soon as the step is set up (Run again)
        self._explain_phase = ""               # open explain mode at this phase once set up
        self._room_before: Classroom | None = None
        self._speed_before = -1
        self._left_config: Config | None = None   # the settings of the last lesson step left
        self._made_runs = False                # runs side by side were asked for by a step
        p = self.panel
        p.lesson_chosen.connect(self.open_key)
        p.open_file_requested.connect(self.open_file)
        p.catalogue_requested.connect(self.close_lesson)
        p.step_requested.connect(self.go)
        p.answered.connect(self._answered)
        p.run_requested.connect(self.run)
        p.again_requested.connect(lambda: self.go(self.index, run_after=True))
        window.worker.snapshot_ready.connect(self._snapshot)
        window.worker.explanation_ready.connect(self._explained)
        self.show_catalogue()

    # -- the catalogue ------------------------------------------------------------------------
    def lessons(self) -> dict[str, Lesson]:
        """Built-in lessons, then lesson files opened before (those still readable)."""
        out = dict(self.builtin)
        for path in self._recent():
            try:
                out[f"file:{path}"] = read_lesson(path)
            except FormatError:
                continue
        return out

    def show_catalogue(self) -> None:
        entries = []
        for key, lesson in self.lessons().items():
            entries.append((key, lesson.title, lesson.summary, self._progress_words(key, lesson)))
        self.panel.show_catalogue(entries)

    def _progress_words(self, key: str, lesson: Lesson) -> str:
        saved = load_progress(self.w.settings, key)
        runs = [s.id for s in lesson.steps if s.runs]
        if runs and set(runs) <= saved["done"]:
            return "done"
        if saved["known"]:
            return f"step {min(saved['step'], len(lesson.steps) - 1) + 1} of {len(lesson.steps)}"
        return ""

    def show_panel(self) -> None:
        first = not self.dock.isVisible()
        self.dock.show()
        self.dock.raise_()
        if first:   # the panel's own width where the window has room; the views keep the rest
            width = min(PANEL_WIDTH, max(260, round(self.w.width() * 0.24)))
            self.w.resizeDocks([self.dock], [width], Qt.Horizontal)

    # -- opening and closing a lesson ---------------------------------------------------------
    @Slot(str)
    def open_key(self, key: str) -> None:
        lessons = self.lessons()
        if key in lessons:
            self.open_lesson(lessons[key], key)

    def open_file(self, path: str = "") -> None:
        """File > Open lesson: any lesson file, refused with a message if it is bad."""
        if not path:
            folder = str(self.w.settings.value("files/last_dir", os.path.expanduser("~")))
            path, _ = QFileDialog.getOpenFileName(self.w, "Open lesson", folder, LESSON_FILTER)
            if not path:
                return
            self.w.settings.setValue("files/last_dir", os.path.dirname(path))
        try:
            lesson = read_lesson(path)
        except FormatError as exc:
            self.w.file_actions.on_failed("open_lesson", str(exc))
            return
        path = os.path.abspath(path)
        self.w.settings.setValue("lessons/recent", [path, *[p for p in self._recent() if p != path]][:MAX_RECENT])
        self.open_lesson(lesson, f"file:{path}")

    def _recent(self) -> list[str]:
        value = self.w.settings.value("lessons/recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _busy(self) -> bool:
        """While a file is being read into the session nothing may change it (the window
        locks the controls then); a lesson waits too."""
        if self.w.file_reads:
            self.w.show_message("Wait until the file is read, then open the lesson.")
        return bool(self.w.file_reads)

    def open_lesson(self, lesson: Lesson, key: str) -> None:
        """Start (or resume) a lesson, once any unsaved work of the learner's is dealt with."""
        self.show_panel()
        if self._busy():
            return
        if self._lesson_work():
            self._start(lesson, key)
        else:
            self.w.guard.confirm(f"start the lesson \u201c{lesson.title}\u201d", lambda: self._start(lesson, key))

    def _start(self, lesson: Lesson, key: str) -> None:
        if self.lesson is None:
            self._room_before = self.w.classroom.current
            self._speed_before = self.w.training_bar.speed.currentIndex()
        self.lesson, self.key = lesson, key
        saved = load_progress(self.w.settings, key)
        self.answers = {s.id: saved["answers"][s.id] for s in lesson.steps
                        if s.id in saved["answers"] and fits(s.question, saved["answers"][s.id])}
        self.results, self.done = saved["results"], saved["done"]
        room = lesson.classroom if lesson.classroom.active else self._room_before
        if room != self.w.classroom.current:
            self.w.classroom.apply(room)
        self.w.settings.setValue("lessons/open", key)
        self._enter(min(max(saved["step"], 0), len(lesson.steps) - 1))

    @Slot()
    def close_lesson(self) -> None:
        """Back to the list; the classroom and speed the learner had before come back."""
        if self.lesson is not None:
            self._left_config = self.lesson.steps[self.index].config   # its network is still the lesson's
            if self._room_before is not None and self.w.classroom.current != self._room_before:
                self.w.classroom.apply(self._room_before)
            if self._speed_before >= 0:
                self.w.training_bar.speed.setCurrentIndex(self._speed_before)
        self.lesson, self.key, self._room_before, self._speed_before = None, "", None, -1
        self.w.settings.setValue("lessons/open", "")
        self.show_catalogue()

    def user_classroom(self) -> Classroom:
        """The classroom choice of the window itself (not the open lesson's)."""
        return self._room_before if self.lesson is not None and self._room_before is not None \
            else self.w.classroom.current

    def user_speed(self) -> int:
        """The speed the learner chose (a step may have set another while it runs)."""
        return self._speed_before if self.lesson is not None and self._speed_before >= 0 \
            else self.w.training_bar.speed.currentIndex()

    # -- moving between steps -------------------------------------------------------------------
    @Slot(int)
    def go(self, index: int, run_after: bool = False) -> None:
        if self.lesson is None:
            return
        if index < 0:
            return
        if index >= len(self.lesson.steps):
            self._save()
            self.close_lesson()
            return
        if self._busy():
            return
        if self._lesson_work():
            self._enter(index, run_after)
        else:
            self.w.guard.confirm("leave this step", lambda: self._enter(index, run_after))

    def _lesson_work(self) -> bool:
        """Whether the network on screen is the lesson's own (see the module doc)."""
        snap = self.w.latest
        if snap is None or not snap.unsaved or snap.diverged:
            return True
        mine = self.lesson.steps[self.index].config if self.lesson is not None else self._left_config
        return mine is not None and snap.config == mine and self.w.undo_stack.count() == 0

    def _enter(self, index: int, run_after: bool = False) -> None:
        """Set step `index` up: its settings, fresh weights, its view."""
        step = self.lesson.steps[index]
        self.index = index
        self._run_after = run_after
        self._started = False
        self.progress = ""
        kept = self.results.get(step.id)
        self.current = (judge(step, kept, self.results), None, True) if kept is not None and not run_after else None
        if self.current is not None and step.question is not None and step.id in self.answers:
            self.current = (self.current[0], judge_answer(step.question, self.answers[step.id], self.current[0]),
                            True)
        self.phase = "setup"
        self.w.statusBar().clearMessage()       # news of the step before (e.g. where it paused)
        self._drop_runs()
        self._send_settings(step.config)
        self._add_runs(step)
        self._apply_view(step)
        self._save()
        self._show()

    # -- running and revealing --------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        step = self._step()
        if step is None or not step.runs or self.phase not in ("ready", "paused", "revealed"):
            return
        if step.question is not None and step.id not in self.answers:
            return
        if self.phase == "revealed":
            self.go(self.index, run_after=True)
            return
        self.phase = "running"
        if step.epochs:
            self.w.training_bar.set_playing(True)
            self.w.play_requested.emit()
        else:
            self._started = True
            done = self.w.latest.total_steps if self.w.latest is not None else 0
            for _ in range(max(step.batches - done, 0)):
                self.w.step_batch_requested.emit()
        self._show()

    @Slot(object)
    def _answered(self, value: object) -> None:
        step = self._step()
        if step is not None and step.question is not None and step.id not in self.answers:
            self.answers[step.id] = value
            self._save()
            self._show()

    @Slot(object)
    def _snapshot(self, snap: Snapshot) -> None:
        step = self._step()
        if step is not None and self._ran_unpredicted(step, snap):
            return
        if step is None or self.phase not in ("setup", "running", "paused"):
            return
        if self.phase == "setup":
            if (snap.config == step.config and snap.total_steps == 0 and snap.epoch == 0 and not snap.playing
                    and len(snap.runs) == (len(step.compare) + 1 if step.compare else 0)):
                self._set_up(step)
            return
        if step.epochs and not self._started:
            if not snap.playing:
                return              # a Snapshot from before the run began
            self._started = True
        self.progress = (f"Epoch {snap.epoch:,} of {step.epochs:,}" if step.epochs
                         else f"Update {snap.total_steps} of {step.batches}")
        if finished(step, snap) and step.compare and snap.active_run != 0:
            # the learner is looking at a comparison run; the claims are about the step's own
            # (run 1): it is shown again, and its Snapshot brings the reveal
            self.w.run_controls.select_requested.emit(0)
        elif finished(step, snap):
            self._reveal(step, snap)
        elif step.epochs:
            self.phase = "running" if snap.playing else "paused"
        self._show()

    def _ran_unpredicted(self, step, snap: Snapshot) -> bool:
        """The learner trained (Play, Step, Epoch) before locking in the step's prediction:
        a prediction made while watching is no prediction, so the run is stopped and the
        step set up again from its seed. Returns whether that happened."""
        if (self.phase != "ready" or step.question is None or step.id in self.answers
                or not (snap.playing or snap.total_steps > 0)):
            return False
        self.w.training_bar.set_playing(False)
        self.w.pause_requested.emit()
        self._enter(self.index)          # the lesson's own network: nothing to ask
        self.w.show_message("Lock in your prediction first: the step starts again from the beginning.")
        return True

    def _set_up(self, step) -> None:
        self.phase = ("revealed" if self.current is not None else "ready") if step.runs else "read"
        if self._explain_phase:
            self.w.explain_mode.enter(None)
        if self._run_after:
            self._run_after = False
            self.phase = "ready"
            self.run()
        self._show()

    def _reveal(self, step, snap: Snapshot) -> None:
        result = outcome(step, snap, self.results)
        self.results[step.id] = result.measures
        self.done.add(step.id)
        judged = (judge_answer(step.question, self.answers[step.id], result)
                  if step.question is not None and step.id in self.answers else None)
        self.current = (result, judged, False)
        self.phase = "revealed"
        self._save()

    @Slot(object)
    def _explained(self, _payload) -> None:
        """Explain mode opened by a step: go to the phase the step is about."""
        if not self._explain_phase or self.w.explain_mode.exp is None:
            return
        want, self._explain_phase = self._explain_phase, ""
        names = [phase for phase, _ in stages(self.w.explain_mode.exp.n_layers)]
        self.w.explain_mode.go_stage(names.index(want))

    # -- showing and keeping ------------------------------------------------------------------------
    def _step(self):
        return self.lesson.steps[self.index] if self.lesson is not None else None

    def _show(self) -> None:
        step = self._step()
        if step is None:
            return
        result, judged, earlier = self.current if self.current is not None else (None, None, False)
        if self.phase in ("running", "paused", "setup"):
            result, judged = (None, None) if self.phase != "setup" or self.current is None else (result, judged)
        state = StepState(self.phase, self.answers.get(step.id), self.progress, result, judged, earlier)
        done = {i for i, s in enumerate(self.lesson.steps) if s.id in self.done}
        self.panel.show_step(self.lesson, self.index, state, done)

    def _save(self) -> None:
        if self.lesson is not None:
            save_progress(self.w.settings, self.key, self.index, self.answers, self.results, self.done)
