"""Engine speed: training epochs per second (losses included), the grid pass, and the loss
landscape (a plane, the slice along the gradient, the path's principal components).

The figures are what the worker gets: `Trainer.train_epochs(n)` called with n sized to
about one worker chunk (12 ms), so every epoch includes the train and test losses, the
gradient sizes and the history entry. The kernels are compiled (or loaded from cache)
before timing. The core.numpy rows time the numpy reference that trains on a first start
while the kernel compiles in the background. The timeline's rows time what a checkpoint
costs at an epoch end (the largest network, every optimiser array held) and what one
step of the timeline's slider costs the worker (a checkpoint loaded and its Snapshot).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from nnviz.bench import print_rows
from nnviz.core import (Config, PathRecorder, Trainer, compiled, gradient_slice, loss_landscape,
                        random_directions)
from nnviz.core.config import FEATURES
from nnviz.core.learn import landscape_kernel
from nnviz.core.learn.directions import pca_directions, project
from nnviz.core.train import kernels

SECONDS = 2.0   # time spent on each measurement
ALL_FEATURES = tuple(FEATURES)
NET_A = Config(dataset="circle", features=("x1", "x2"), hidden_layers=(4, 2), activation="tanh", batch_size=10)
NET_B = Config(dataset="spiral", features=ALL_FEATURES, hidden_layers=(8,) * 6, activation="tanh", batch_size=10)
NET_B1 = NET_B.replace(batch_size=1)
# the Playground's SGD where its two rules work: 250 points in batches of 30 carry 10 into
# each next epoch, and L1 kills links
NET_B30L1 = NET_B.replace(batch_size=30, regularization="l1", reg_rate=0.003)
NET_MAX = NET_B.replace(hidden_layers=(32,) * 10)   # the largest network: 9,793 parameters
# the largest network nnviz draws: 10 hidden layers of 32, every feature, 10,000 points
NET_C = NET_B.replace(hidden_layers=(32,) * 10, n_points=10_000)
# the same under Adam, for the timeline: a checkpoint copies the parameters and the optimiser's
# memory (five arrays of 9,793), never the points
NET_L = NET_C.replace(optimizer="adam", learning_rate=0.001)


def epochs_per_second(config: Config, seconds: float = SECONDS, chunk_s: float = 0.012) -> float:
    """Whole epochs per second of wall time, in calls of about chunk_s as the worker makes them."""
    trainer = Trainer(config)
    trainer.train_epochs(3)  # first calls: buffers, caches
    per_epoch, done, start = 0.001, 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        t0 = time.perf_counter()
        got = trainer.train_epochs(max(1, int(chunk_s / per_epoch)))
        per_epoch = (time.perf_counter() - t0) / max(got, 1)
        done += got
        if trainer.diverged:
            raise RuntimeError(trainer.diverged)
    return done / elapsed


def grid_ms(config: Config, seconds: float = SECONDS) -> float:
    """Median milliseconds of network.grid_outputs() (every neuron over 100 x 100 points)."""
    return _median_ms(Trainer(config).network.grid_outputs, seconds)


def explain_ms(config: Config, seconds: float = SECONDS) -> tuple[float, float]:
    """Median ms of explain_step() (what entering explain mode or clicking a point costs the
    worker) and of explain_step() plus the before/after pictures, after two epochs."""
    from nnviz.core.learn.explain import explain_step, step_pictures
    trainer = Trainer(config)
    trainer.train_epochs(2)
    alone, whole = [], []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(whole) < 10:
        t0 = time.perf_counter()
        exp = explain_step(trainer)
        t1 = time.perf_counter()
        step_pictures(exp)
        alone.append(t1 - t0)
        whole.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(alone), 1000.0 * statistics.median(whole)


def card_us(config: Config) -> float:
    """Median microseconds to build one formula card (what each hover costs the GUI), over
    every neuron, link and bias of every stage."""
    from nnviz.core.learn.explain import explain_step, stages
    from nnviz.core.learn.update_cards import card_for
    trainer = Trainer(config)
    trainer.train_epochs(2)
    exp = explain_step(trainer)
    sizes = exp.layer_sizes
    targets = ([("node", c, j) for c in range(len(sizes)) for j in range(sizes[c])]
               + [("link", l, j, i) for l in range(exp.n_layers) for j in range(sizes[l + 1]) for i in range(sizes[l])]
               + [("bias", l, j) for l in range(exp.n_layers) for j in range(sizes[l + 1])])
    times = []
    for stage in stages(exp.n_layers):
        for target in targets:
            t0 = time.perf_counter()
            card_for(exp, stage, target, 0, stage[0] == "backward")
            times.append(time.perf_counter() - t0)
    return 1e6 * statistics.median(times)


def _median_ms(call, seconds: float) -> float:
    times: list[float] = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 20:
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)


def checkpoint_us(config: Config, seconds: float = SECONDS) -> float:
    """Median microseconds to keep one checkpoint (copies of the parameters, gradient, last
    update and optimiser memory, then the thinning), as at an epoch end on the grid."""
    trainer = Trainer(config)
    trainer.train_epochs(2)          # the optimiser's memory and the last update hold numbers
    return 1000.0 * _median_ms(lambda: trainer._capture("epoch"), seconds)


def look_ms(config: Config, seconds: float = SECONDS) -> float:
    """Median ms for one step of the timeline's slider in the worker: a copy of the run put
    at a checkpoint (load_checkpoint) and its Snapshot (the grid and every neuron's picture)."""
    trainer = Trainer(config)
    trainer.train_epochs(200)
    viewer = trainer.fork()
    k = len(trainer.timeline)
    count = iter(range(10**9))

    def look() -> None:
        viewer.load_checkpoint(trainer.timeline[next(count) % k])
        viewer.snapshot()
    return _median_ms(look, seconds)


def csv_ms(rows: int = 100_000, seconds: float = SECONDS) -> float:
    """Median milliseconds of load_csv on a point file of `rows` rows (x, y, label, split),
    the work File > Import data does in the worker thread."""
    import tempfile
    from pathlib import Path

    from nnviz.core.data.datasets import Dataset
    from nnviz.core.files.data_csv import load_csv, save_csv

    rng = np.random.default_rng(0)
    train = Dataset(rng.uniform(-6, 6, (rows // 2, 2)), np.where(rng.random(rows // 2) < 0.5, -1.0, 1.0), 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.csv"
        save_csv(train, path, train)
        times: list[float] = []
        start = time.perf_counter()
        while time.perf_counter() - start < seconds or len(times) < 3:
            t0 = time.perf_counter()
            load_csv(path)
            times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)


def median_ms(fn, seconds: float = SECONDS, least: int = 10, clock=time.perf_counter) -> float:
    """Median milliseconds of fn() over about `seconds` (at least `least` calls), by `clock`."""
    fn()
    times: list[float] = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < least:
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return 1000.0 * statistics.median(times)


def landscape_ms(config: Config, n: int = 41, clock=time.perf_counter) -> float:
    """An n x n plane through the weights after 20 epochs, filter-normalised random directions.

    With clock=time.thread_time: the CPU time of the calling thread, which the other
    programs on a shared machine change far less than the wall time.
    """
    trainer = Trainer(config)
    trainer.train_epochs(20)
    d1, d2 = random_directions(trainer.network, seed=0)
    return median_ms(lambda: loss_landscape(trainer, d1, d2, 1.0, n), clock=clock)


def slice_ms(config: Config) -> float:
    """gradient_slice: the next step on a copy of the trainer, then the line (81 points, widened as needed)."""
    trainer = Trainer(config)
    trainer.train_epochs(20)
    return median_ms(lambda: gradient_slice(trainer))


def path_pca_ms(config: Config) -> float:
    """Principal components of a full path recorder and the path projected onto them."""
    trainer = Trainer(config)
    rec = PathRecorder()
    for _ in range(rec.capacity):
        trainer.step_batch()
        rec.record(trainer.network.params, trainer.total_steps, trainer.epoch)
    centre = trainer.network.params

    def work() -> None:
        d1, d2, _ = pca_directions(rec.points, centre)
        project(rec.points, centre, d1, d2)
    return median_ms(work)


def reveal_ms(config: Config, seconds: float = SECONDS) -> float:
    """Median ms to measure a Snapshot and judge a lesson step on it: what the window does in
    the GUI thread when a lesson's run ends (network B, after 50 epochs)."""
    from nnviz.core.learn.lesson_runs import outcome
    from nnviz.core.learn.lessons import parse_lesson
    step = parse_lesson('title = "t"\n[[step]]\ntitle = "s"\ntext = "x"\nepochs = 50\n'
                        'claims = ["test_loss < 2 * start_test_loss", "saturated >= 0", "layer_spread > 0"]\n'
                        'reveal = "{test_loss:.3f} {saturated:.0%}"').steps[0]
    trainer = Trainer(config)
    trainer.train_epochs(50)
    snap = trainer.snapshot()
    times: list[float] = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 10:
        t0 = time.perf_counter()
        outcome(step, snap, {})
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)


def lessons_check_s() -> float:
    """Seconds for every claim of every built-in lesson, headless (python -m nnviz.lessons --check)."""
    from nnviz.core.learn.lesson_runs import check_lesson
    from nnviz.core.learn.lessons import builtin_lessons
    t0 = time.perf_counter()
    for lesson in builtin_lessons():
        check_lesson(lesson)
    return time.perf_counter() - t0


def measure():
    """Rows (name, value, unit, note), yielded as each is measured."""
    t0 = time.perf_counter()
    kernels.warm_up()
    yield "core.warmup", time.perf_counter() - t0, "s", "kernel compile or cache load"
    yield "core.train.A", epochs_per_second(NET_A), "epochs/s", "circle, X1 X2, 4-2 tanh, batch 10"
    yield "core.train.B", epochs_per_second(NET_B), "epochs/s", "spiral, 7 features, 6x8 tanh, batch 10 (target >= 1000)"
    yield "core.train.B1", epochs_per_second(NET_B1), "epochs/s", "the same, batch 1 (target >= 1000)"
    yield ("core.train.B30L1", epochs_per_second(NET_B30L1), "epochs/s",
           "the same, batch 30 (10 points carried) and L1 0.003 (dead links)")
    yield ("core.grid.B", grid_ms(NET_B), "ms",
           "100x100 grid, every neuron, network B, median (target <= 5)")
    yield "core.train.C", epochs_per_second(NET_C), "epochs/s", "spiral of 10,000 points, 7 features, 10x32 tanh"
    yield "core.grid.C", grid_ms(NET_C), "ms", "100x100 grid, every neuron, network C, median"
    alone, whole = explain_ms(NET_B.replace(batch_size=30, optimizer="adam"))
    yield "core.explain.B30", alone, "ms", "explain_step, network B, batch 30, Adam, median"
    yield "core.explain_pictures.B30", whole, "ms", "the same with the surfaces before and after, median"
    yield "core.card.B", card_us(NET_B.replace(optimizer="adam")), "us", "one formula card (a hover), network B, median"
    yield "core.csv.read", csv_ms(), "ms", "load_csv of 100,000 rows (x, y, label, split), median"
    yield ("core.checkpoint.L", checkpoint_us(NET_L), "us",
           "one timeline checkpoint, 7 inputs and 10 x 32 tanh, Adam, median")
    yield "core.look.B", look_ms(NET_B), "ms", "one slider step: a checkpoint loaded and its Snapshot, network B, median"
    landscape_kernel.warm_up()
    yield ("core.landscape.B", landscape_ms(NET_B), "ms",
           "41x41 plane of network B over its 250 training points, median (target <= 50)")
    yield ("core.landscape.B.cpu", landscape_ms(NET_B, clock=time.thread_time), "ms",
           "the same, CPU time of the thread (less moved by other programs)")
    yield "core.landscape.A", landscape_ms(NET_A), "ms", "the same plane of network A"
    yield "core.landscape.max", landscape_ms(NET_MAX), "ms", "the same plane of 10 hidden layers of 32"
    yield "core.slice.B", slice_ms(NET_B), "ms", "the line along the next step's gradient, network B"
    yield ("core.path_pca.max", path_pca_ms(NET_MAX), "ms",
           "components of a full path (256 positions) of 9,793 parameters, and its projection")
    yield "core.lesson.reveal.B", reveal_ms(NET_B), "ms", "measure and judge a lesson step's run, network B, median"
    yield "core.lessons.check", lessons_check_s(), "s", "every claim of the 15 built-in lessons, headless"
    with compiled.numpy_only():   # the first start, while the kernel compiles in the background
        yield "core.numpy.train.A", epochs_per_second(NET_A), "epochs/s", "network A on the numpy reference"
        yield "core.numpy.train.B", epochs_per_second(NET_B), "epochs/s", "network B on the numpy reference"
        yield "core.numpy.grid.B", grid_ms(NET_B), "ms", "the grid of network B in numpy float32"


def run(json_out: bool = False) -> None:
    print_rows(measure(), json_out)
