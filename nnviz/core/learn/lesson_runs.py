"""A lesson step's run and its reveal: what the network did, against what the lesson claims.

The window measures the learner's own run from the Snapshot it ends on; the headless check
(`python -m nnviz.lessons --check`, the tests) makes the same run with a Trainer as the
worker would (the same settings and seed, pausing where the worker pauses: at the step's
epoch, on divergence, when the network is found unable to learn, or at the settings' target
loss) and measures `trainer.snapshot()`. Both then go through `outcome`, so a claim the
tests assert is the claim the learner sees checked.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from nnviz.core.learn.claims import Verdict, check, fill, fmt
from nnviz.core.learn.lessons import Lesson, Question, Step
from nnviz.core.learn.measures import measure
from nnviz.core.snapshot import Snapshot


@dataclass(frozen=True)
class Outcome:
    """One step's run, measured and judged."""

    step: Step
    measures: dict[str, float]
    verdicts: tuple[Verdict, ...]
    right: tuple[int, ...]      # choices that fit the run (those whose claim holds), else the answer
    reveal: str                 # the step's reveal text with the measured numbers
    ended: str                  # why the run ended: "", or that it stopped early and why

    @property
    def held(self) -> bool:
        """Every claim held, and a choice question's right answer fits the run."""
        q = self.step.question
        choice_ok = q is None or q.kind != "choice" or self.right == (q.answer,)
        return choice_ok and all(v.held for v in self.verdicts)

    def failures(self) -> list[str]:
        """What did not hold, in words (for the headless check's report)."""
        out = [v.words for v in self.verdicts if not v.held]
        q = self.step.question
        if q is not None and q.kind == "choice" and self.right != (q.answer,):
            fits = ", ".join(str(i + 1) for i in self.right) or "none"
            out.append(f"the lesson's answer is choice {q.answer + 1}, but the run fits choice(s) {fits}")
        return out


def finished(step: Step, snap: Snapshot) -> bool:
    """Whether a run of `step` has reached its end in `snap` (its epochs or batches done),
    or ended early because training paused itself (divergence, a stuck network)."""
    if snap.diverged:
        return True
    if step.batches:
        return snap.total_steps >= step.batches
    return not snap.playing and (snap.epoch >= step.epochs or bool(snap.stuck)
                                 or _target_reached(step, snap))


def _target_reached(step: Step, snap: Snapshot) -> bool:
    return step.config.stop_loss > 0 and snap.test_loss <= step.config.stop_loss


def ended_words(step: Step, snap: Snapshot) -> str:
    """"" when the run went its whole length, else why it stopped where it did."""
    if snap.diverged:
        return f"The run stopped at epoch {snap.epoch}: the network diverged."
    if step.epochs and snap.epoch < step.epochs:
        if snap.stuck:
            return f"The run stopped at epoch {snap.epoch}: the network can no longer learn."
        if _target_reached(step, snap):
            return f"The run stopped at epoch {snap.epoch}: the test loss reached its target."
        return f"The run was paused at epoch {snap.epoch} of {step.epochs}."
    return ""


def outcome(step: Step, snap: Snapshot, earlier: dict[str, dict[str, float]]) -> Outcome:
    """Measure the run shown by `snap` and judge the step's claims and question on it;
    `earlier` holds the measures of steps already run, by step id."""
    return judge(step, measure(snap), earlier, ended_words(step, snap))


def judge(step: Step, m: dict[str, float], earlier: dict[str, dict[str, float]], ended: str = "") -> Outcome:
    """The Outcome of a run measured as `m` (kept measures judge again the same way)."""
    verdicts = tuple(check(c, m, earlier) for c in step.claims)
    q = step.question
    right: tuple[int, ...] = ()
    if q is not None and q.kind == "choice":
        if q.choices[0].claim is None:
            right = (q.answer,)
        else:
            right = tuple(i for i, c in enumerate(q.choices) if check(c.claim, m, earlier).held)
    return Outcome(step, dict(m), verdicts, right, fill(step.reveal, m, earlier), ended)


def judge_answer(question: Question, answer: object, result: Outcome) -> tuple[bool, str]:
    """(right or close, the words telling the learner how their prediction fared)."""
    if question.kind == "number":
        actual = result.measures[question.measure]
        guess = float(answer)
        if math.isnan(actual):
            return False, f"You predicted {fmt(guess)}; the run gave no number for it (it diverged)."
        off = abs(guess - actual)
        good = off <= question.close
        verdict = "close" if good else "not close"
        return good, (f"You predicted {fmt(guess)}; the run gave {fmt(actual)}: off by {fmt(off)}, "
                      f"{verdict} (within {fmt(question.close)} counts as close).")
    chosen = int(answer)
    text = question.choices[chosen].text
    if not result.right:
        return False, (f"You chose \u201c{text}\u201d. None of the answers fits this run exactly "
                       "(did a setting change while it ran?).")
    if chosen in result.right:
        return True, f"You chose \u201c{text}\u201d: right."
    best = question.choices[result.right[0]].text
    return False, f"You chose \u201c{text}\u201d; what happened was \u201c{best}\u201d."


# -- the headless run -----------------------------------------------------------------------
def run_step(step: Step):
    """A Trainer after the step's run, made as the worker makes it (see the module doc)."""
    return run_side_by_side(step).trainers[0]


def run_side_by_side(step: Step):
    """The step's run and its runs side by side (a RunSet, the step's own run first), made
    as the worker makes them: duplicates of the fresh network, trained at its pace."""
    from nnviz.core.learn.runs import RunSet      # numba loads only when a run is made
    from nnviz.core.train.trainer import Trainer
    runs = RunSet(Trainer(step.config))
    for k in range(len(step.compare)):
        runs.duplicate(0, **step.changes(k))
    if step.epochs:
        runs.train_epochs(step.epochs, step.config.stop_loss)
    for _ in range(step.batches):
        if runs.trainer.diverged:
            break
        runs.step_batch()
    return runs


@dataclass(frozen=True)
class LessonCheck:
    lesson: Lesson
    outcomes: tuple[Outcome, ...]
    seconds: float

    @property
    def held(self) -> bool:
        return all(o.held for o in self.outcomes)

    def line(self) -> str:
        """One line for `python -m nnviz.lessons --check`."""
        claims = sum(len(o.verdicts) + (o.step.question is not None and o.step.question.kind == "choice"
                                        and o.step.question.choices[0].claim is not None)
                     for o in self.outcomes)
        runs = len(self.outcomes)
        head = f"{self.lesson.id:24s} {runs} run{'s' * (runs != 1)}, {claims} claim{'s' * (claims != 1)}"
        if self.held:
            return f"{head}: all hold ({self.seconds:.1f} s)"
        bad = next(o for o in self.outcomes if not o.held)
        return f"{head}: FAILED at step \u201c{bad.step.title}\u201d: {'; '.join(bad.failures())}"


def check_lesson(lesson: Lesson) -> LessonCheck:
    """Run every step that runs, in order, and judge it (earlier results feed later claims)."""
    start = time.perf_counter()
    earlier: dict[str, dict[str, float]] = {}
    outcomes = []
    for step in lesson.steps:
        if not step.runs:
            continue
        result = outcome(step, run_step(step).snapshot(), earlier)
        earlier[step.id] = result.measures
        outcomes.append(result)
    return LessonCheck(lesson, tuple(outcomes), time.perf_counter() - start)
