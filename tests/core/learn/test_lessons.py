"""The built-in lessons: every file loads, and every claim it makes about a run holds.

The claims are read from the lesson files themselves and judged on a seeded run made as the
window makes it (lesson_runs.run_step), so the numbers a learner is told and the numbers
asserted here are the same ones. `python -m nnviz.lessons --check` runs the same check.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core.config import FEATURES
from nnviz.core.learn.lesson_runs import check_lesson, judge_answer, outcome, run_side_by_side, run_step
from nnviz.core.train.trainer import Trainer
from nnviz.core.learn.lessons import builtin_lessons, lesson_files, read_lesson

FILES = lesson_files()


def test_the_curriculum_covers_what_the_field_teaches() -> None:
    ids = [lesson.id for lesson in builtin_lessons()]
    for topic in ("forward-pass", "loss-functions", "backpropagation", "learning-rate", "learning-rate-decay",
                  "mini-batches", "momentum", "initialisation", "vanishing-gradients", "exploding-gradients",
                  "fitting", "regularisation", "features", "multi-class", "neurons-and-layers"):
        assert topic in ids
    assert ids[0] == "forward-pass"                       # the curriculum order
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_lesson_file_loads(path) -> None:
    lesson = read_lesson(path)
    assert lesson.id == path.stem and lesson.title and lesson.steps
    for step in lesson.steps:
        assert step.text and step.title
        if step.runs:
            assert step.reveal, f"{lesson.id}/{step.id}: a run needs a reveal"
            assert step.config.stop_epoch == step.epochs


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_claim_of_every_lesson_holds_on_its_seeded_run(path) -> None:
    result = check_lesson(read_lesson(path))
    assert result.outcomes, "a lesson makes at least one run"
    for o in result.outcomes:
        assert o.held, f"{path.stem}, step {o.step.id}: {'; '.join(o.failures())}"
        assert all(v.held is True for v in o.verdicts)     # every claim was checked, none skipped
        q = o.step.question
        if q is not None and q.kind == "choice":
            assert o.right == (q.answer,)                  # exactly the lesson's answer fits the run


def test_l1_keeps_exactly_the_features_the_disc_needs() -> None:
    # the reveal of regularisation/features names them: X1^2 and X2^2
    lesson = read_lesson(next(p for p in FILES if p.stem == "regularisation"))
    step = next(s for s in lesson.steps if s.id == "features")
    t = run_step(step)
    assert t.network.feature_names == FEATURES
    alive = np.any(t.network.weights[0] != 0, axis=0)
    assert [f for f, a in zip(FEATURES, alive) if a] == ["x1^2", "x2^2"]


def test_the_symmetry_step_keeps_every_neuron_of_a_layer_a_bitwise_copy() -> None:
    lesson = read_lesson(next(p for p in FILES if p.stem == "initialisation"))
    step = next(s for s in lesson.steps if s.id == "constant")
    t = run_step(step)
    assert t.epoch == 300
    for w, b in zip(t.network.weights[:-1], t.network.biases[:-1]):
        assert np.array_equal(w, np.broadcast_to(w[0], w.shape)) and np.all(b == b[0])
    assert not np.all(t.network.weights[0] == 1.0)        # they learned, in lockstep


def test_a_prediction_is_judged_against_the_run() -> None:
    lesson = read_lesson(next(p for p in FILES if p.stem == "learning-rate"))
    small = lesson.steps[0]
    result = outcome(small, run_step(small).snapshot(), {})
    actual = result.measures["test_loss"]
    good, words = judge_answer(small.question, actual + 0.01, result)
    assert good and "close" in words and f"{actual:.4g}" in words
    bad, words = judge_answer(small.question, 0.1, result)
    assert not bad and "not close" in words
    large = lesson.steps[2]
    result = outcome(large, run_step(large).snapshot(), {"right": {"test_loss": 0.002}})
    assert judge_answer(large.question, 1, result)[0]
    right, words = judge_answer(large.question, 0, result)
    assert not right and "overshoot" in words


COMPARING = [(lesson, step) for lesson in builtin_lessons() for step in lesson.steps if step.compare]


def test_the_optimiser_batch_and_rate_lessons_compare_runs_side_by_side() -> None:
    assert {lesson.id for lesson, _ in COMPARING} >= {"momentum", "mini-batches", "learning-rate"}


@pytest.mark.parametrize("lesson,step", COMPARING, ids=[f"{l.id}-{s.id}" for l, s in COMPARING])
def test_runs_side_by_side_leave_the_steps_own_run_as_it_is(lesson, step) -> None:
    """The claims are about the step's own run: with its runs beside it, it ends bit for bit
    as it does alone. Each run beside it is the run its settings make alone (the same
    weights, data and seed), so where it has an earlier step's settings, its panel shows
    exactly the run that step's reveal measured."""
    runs = run_side_by_side(step)
    assert len(runs) == 1 + len(step.compare)
    alone = Trainer(step.config)
    alone.train_epochs(step.epochs, step.config.stop_loss)
    main = runs.trainers[0]
    assert main.config == step.config and main.epoch == alone.epoch == step.epochs
    assert np.array_equal(main.network.params, alone.network.params)
    earlier = {s.config.replace(stop_epoch=0): s for s in lesson.steps if s.runs}
    for config, side in zip(step.compare, runs.trainers[1:]):
        assert side.config == config and side.epoch == step.epochs
        solo = Trainer(config)
        solo.train_epochs(step.epochs, config.stop_loss)
        assert np.array_equal(side.network.params, solo.network.params, equal_nan=True)
        twin = earlier.get(config.replace(stop_epoch=0))
        if twin is not None and twin.epochs == step.epochs:
            assert side.test_loss == run_step(twin).test_loss or (np.isnan(side.test_loss)
                                                                   and np.isnan(run_step(twin).test_loss))


def test_the_zig_zag_step_bounces_across_the_valley_as_its_text_says() -> None:
    """The learning-rate lesson's landscape step: its path (the panel's PCA plane) turns back
    at every late step, and the gradient slice's next step lands past the line's lowest point,
    higher than it starts; the words of its reveal."""
    from nnviz.core import PathRecorder, gradient_slice, pca_directions, project
    lesson = next(l for l in builtin_lessons() if l.id == "learning-rate")
    step = next(s for s in lesson.steps if s.view.landscape)
    assert step.view.landscape == "pca" and step.epochs
    t, rec = Trainer(step.config), PathRecorder()
    rec.record(t.network.params, 0, 0)
    while t.epoch < step.epochs:
        t.step_batch()
        rec.record(t.network.params, t.total_steps, t.epoch)
    assert t.test_loss == run_step(step).test_loss              # the run the lesson judges
    d1, d2, _ = pca_directions(rec.points, t.network.params)
    late = np.diff(project(rec.points, t.network.params, d1, d2)[-20:, 1])
    assert np.all(np.sign(late[1:]) != np.sign(late[:-1]))
    sl = gradient_slice(t)
    assert sl.step_t > sl.t[int(np.argmin(sl.loss))] and sl.next_loss > t.train_loss


def test_momentums_path_goes_several_times_as_far_as_plain_sgds() -> None:
    """The momentum lesson's landscape steps: the same start and updates, the weights moved
    several times as far from it with momentum (the reveal's words)."""
    lesson = next(l for l in builtin_lessons() if l.id == "momentum")
    sgd, mom = (next(s for s in lesson.steps if s.id == i) for i in ("sgd_path", "momentum_path"))
    assert sgd.view.landscape == mom.view.landscape == "pca"
    start = Trainer(sgd.config).network.params.copy()
    assert np.array_equal(start, Trainer(mom.config).network.params)
    far = [float(np.linalg.norm(run_step(s).network.params - start)) for s in (sgd, mom)]
    assert far[1] > 3 * far[0]
