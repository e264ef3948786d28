"""loss_landscape and the compiled plane kernel against independent references: the
Trainer's own losses (the centre), a weight set by hand, the training kernel's evaluate
at arbitrary points, and the trainer left bit for bit as it was."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from numba import njit
from helpers import ROOT

from nnviz.core import Config, Trainer, gradient_slice, loss_landscape, parameter_direction, random_directions
from nnviz.core.config import FEATURES
from nnviz.core.learn import landscape_build, landscape_kernel
from nnviz.core.learn.landscape import PlaneRows, axis, next_step
from nnviz.core.model import losses
from nnviz.core.train import kernels, reference
from nnviz.core.train.optimizers import Hyper

NET_A = Config()
NET_B = Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 6)
KINDS = {
    "A": NET_A,
    "B": NET_B,
    "relu-sigmoid-bce": Config(dataset="xor", hidden_layers=(5, 3), activation="relu", output="sigmoid_bce"),
    "softmax": Config(dataset="spiral3", hidden_layers=(6, 4), activation=("elu", "leaky_relu")),
    "regression": Config(dataset="reg-gauss", hidden_layers=(4,), activation="sine", features=("x1", "x2", "x1*x2")),
    "no-hidden": Config(dataset="gauss", hidden_layers=()),
    "softmax-no-hidden": Config(dataset="blobs", n_classes=4, hidden_layers=()),
    "linear-wide": Config(dataset="circle", hidden_layers=(32, 32), activation="linear", features=FEATURES[:4]),
}


def qt_free_wait(cond, timeout_s: float) -> None:
    """Poll cond() until it holds (a preparation in another thread or process)."""
    deadline = time.perf_counter() + timeout_s
    while not cond():
        assert time.perf_counter() < deadline, "timed out"
        time.sleep(0.02)


def trained(config: Config, epochs: int = 3) -> Trainer:
    t = Trainer(config)
    t.train_epochs(epochs)
    t.step_batch()     # mid-epoch, so nothing lines up with an epoch boundary by luck
    return t


def evaluate(t: Trainer, params: np.ndarray, data: str = "train") -> float:
    """The training kernel's mean loss at other parameters: an independent reference."""
    x, y, c = (t._xtr, t._ttr, t._ctr) if data == "train" else (t._xte, t._tte, t._cte)
    out = np.zeros(3)
    kernels.evaluate(params, t._w_off, t._b_off, t._sizes, t._acts, losses.code(t.network.output_kind), x, y, c, out, 0)
    return float(out[0])


def snapshot_state(t: Trainer) -> dict:
    return {k: (v.tobytes() if isinstance(v, np.ndarray) else v) for k, v in t.state_dict().items()}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_centre_of_the_plane_is_the_trainers_loss(name: str) -> None:
    t = trained(KINDS[name])
    d1, d2 = random_directions(t.network, seed=3)
    for data, expected in (("train", t.train_loss), ("test", t.test_loss)):
        a, b, z = loss_landscape(t, d1, d2, extent=0.5, n=41, data=data)
        assert a[20] == 0.0 and b[20] == 0.0
        assert z[20, 20] == expected                 # bit for bit: the same forward pass and loss code
        assert z.shape == (41, 41) and a.shape == b.shape == (41,)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_value_is_the_training_kernels_loss_at_that_point(name: str) -> None:
    t = trained(KINDS[name])
    d1, d2 = random_directions(t.network, seed=5)
    a, b, z = loss_landscape(t, d1, d2, extent=((-0.7, 0.2), (-0.1, 0.9)), n=9)
    assert (a[0], a[-1], b[0], b[-1]) == (-0.7, 0.2, -0.1, 0.9)
    p = t.network.params
    for i in range(9):       # every cell: off the centre the plane has its own tanh and rounding
        for j in range(9):
            assert z[i, j] == pytest.approx(evaluate(t, p + a[i] * d1 + b[j] * d2), abs=1e-12, rel=1e-12)


@njit
def _off_centre_tanh_loop(z: np.ndarray, out: np.ndarray) -> None:
    for k in range(z.size):      # a loop as the plane runs it, so it vectorises the same way
        out[k] = landscape_kernel._tanh_off_centre(z[k])


def test_the_planes_own_tanh_is_within_4_ulp_of_numpy() -> None:
    rng = np.random.default_rng(1)
    z = np.concatenate([rng.uniform(-3, 3, 200_000), rng.normal(0, 10, 50_000),
                        np.geomspace(1e-300, 40, 2000), -np.geomspace(1e-300, 40, 2000),
                        [0.0, -0.0, 0.625, -0.625, np.nextafter(0.625, 0), 19.0, 20.0, 50.0, 1e300, np.inf, -np.inf]])
    want = np.tanh(z)
    out = np.empty_like(z)
    _off_centre_tanh_loop(z, out)
    assert np.all(np.abs(out - want) <= 4 * np.spacing(np.abs(want)))
    assert out[-3] == 1.0 and out[-1] == -1.0 and math.copysign(1.0, out[-10]) == -1.0
    scalar = landscape_kernel._tanh_off_centre
    assert np.isnan(scalar(np.nan)) and scalar(0.0) == 0.0 and math.copysign(1.0, scalar(-0.0)) == -1.0


@pytest.mark.parametrize("target", [("weight", 0, 2, 1), ("weight", 1, 1, 3), ("bias", 0, 3), ("bias", 2, 0)])
def test_along_one_parameter_the_values_are_that_parameter_set_by_hand(target: tuple) -> None:
    t = trained(NET_A)
    other = ("bias", 1, 1)
    a, b, z = loss_landscape(t, parameter_direction(t.network, target), parameter_direction(t.network, other),
                             extent=1.5, n=7)
    assert b[3] == 0.0
    hand = Trainer(t.config)
    hand.load_state_dict(t.state_dict())
    w0 = hand.network.params.copy()
    for i, ai in enumerate(a):
        if target[0] == "weight":
            hand.set_weight(target[1], target[2], target[3], t.network.weights[target[1]][target[2], target[3]] + ai)
        else:
            hand.set_bias(target[1], target[2], t.network.biases[target[1]][target[2]] + ai)
        assert abs(z[i, 3] - hand.train_loss) <= 1e-12
        hand.load_params(w0)


def test_the_trainer_is_bit_for_bit_unchanged() -> None:
    t = trained(NET_B.replace(optimizer="adam", regularization="l2", reg_rate=0.001))
    before = snapshot_state(t)
    d1, d2 = random_directions(t.network, seed=1)
    loss_landscape(t, d1, d2, 1.0, 11)
    loss_landscape(t, d1, d2, 1.0, 11, data="test")
    gradient_slice(t)
    assert snapshot_state(t) == before
    assert t.train_loss == evaluate(t, t.network.params)


def test_the_plane_in_time_boxed_parts_equals_the_plane_at_once() -> None:
    t = trained(NET_B)
    d1, d2 = random_directions(t.network, seed=2)
    whole = loss_landscape(t, d1, d2, 0.8, 21)[2]
    rows = PlaneRows(t.network, d1, d2, axis(-0.8, 0.8, 21), axis(-0.8, 0.8, 21), t._xtr, t._ttr)
    parts = 0
    while not rows.run(1e-6):
        parts += 1
    assert parts >= 10 and rows.rows_done == 21
    assert np.array_equal(rows.z, whole)


def test_bad_arguments_are_refused_with_a_message() -> None:
    t = Trainer(NET_A)
    d1, d2 = random_directions(t.network, seed=0)
    for kwargs, words in (({"n": 1}, "n must"), ({"n": 2.5}, "n must"), ({"extent": 0.0}, "range"),
                          ({"extent": float("nan")}, "range"), ({"extent": ((1, 0), (0, 1))}, "range"),
                          ({"data": "valid"}, "data must")):
        args = {"extent": 1.0, "n": 5, **kwargs}
        with pytest.raises(ValueError, match=words):
            loss_landscape(t, d1, d2, args.pop("extent"), args.pop("n"), **args)
    with pytest.raises(ValueError, match="entries"):
        loss_landscape(t, d1[:-1], d2, 1.0, 5)
    with pytest.raises(ValueError, match="finite"):
        loss_landscape(t, d1 * np.inf, d2, 1.0, 5)


def test_an_empty_set_gives_nan_and_overflow_stays_a_number_or_inf() -> None:
    t = Trainer(KINDS["regression"])
    d1, d2 = random_directions(t.network, seed=0)
    z = loss_landscape(t, d1 * 1e150, d2, 1.0, 3)[2]
    assert z[1, 1] == pytest.approx(t.train_loss, abs=1e-12)
    assert not np.isnan(z[0, 1]) and z[0, 1] > 1e100        # a huge but honest squared error
    x, y = np.zeros((0, 3)), np.zeros((0, 1))
    rows = PlaneRows(t.network, d1, d2, axis(-1, 1, 3), axis(-1, 1, 3), x, y)
    rows.run()
    assert np.isnan(rows.z).all()


def test_next_step_is_the_trainers_own_update() -> None:
    t = trained(NET_A.replace(learning_rate=0.3))
    nxt = next_step(t)
    lo = t.batch * t.config.batch_size
    xb, tb = t._xtr[lo:lo + t.config.batch_size], t._ttr[lo:lo + t.config.batch_size]
    g_ref = reference.gradient(t.network, xb, tb)          # the numpy reference of one batch
    assert np.allclose(nxt.gradient, g_ref, rtol=0, atol=1e-12)
    assert np.allclose(nxt.step, -Hyper.from_config(t.config, t.epoch).lr * g_ref, rtol=0, atol=1e-12)
    assert list(nxt.batch) == list(range(lo, lo + t.config.batch_size))
    after = Trainer(t.config)
    after.load_state_dict(t.state_dict())
    after.step_batch()
    assert nxt.train_loss == after.train_loss and nxt.test_loss == after.test_loss


def test_the_slice_lands_at_learning_rate_times_the_gradient_for_sgd() -> None:
    t = trained(NET_A.replace(learning_rate=1.0))
    sl = gradient_slice(t, n=81)
    lr = t.config.learning_rate
    assert sl.step_t == pytest.approx(lr * sl.gradient_norm, rel=1e-12)
    assert sl.step_off < 1e-12
    assert sl.t[0] < 0 < sl.step_t <= sl.t[-1]
    zero = int(np.argmin(np.abs(sl.t)))
    assert sl.t[zero] == pytest.approx(0.0, abs=1e-15) and abs(sl.loss[zero] - t.train_loss) <= 1e-12
    # the line is w + t u, u = -g/|g|: its loss at the step is the loss after the step
    nxt = next_step(t)
    u = -nxt.gradient / np.linalg.norm(nxt.gradient)
    assert evaluate(t, t.network.params + sl.step_t * u) == pytest.approx(sl.next_loss, abs=1e-12)
    assert sl.batch_loss[zero] == pytest.approx(evaluate_batch(t, nxt.batch), abs=1e-12)


def evaluate_batch(t: Trainer, idx: np.ndarray) -> float:
    return reference.mean_loss(t.network, t._xtr[idx], t._ttr[idx])


def test_a_large_rate_lands_past_the_bottom_and_a_small_one_short_of_it() -> None:
    t = trained(NET_A.replace(batch_size=30), epochs=20)
    found = {}
    for lr in (10.0, 0.003):
        t.set_learning_rate(lr)
        sl = gradient_slice(t, n=201)
        t_min = sl.t[int(np.argmin(sl.batch_loss))]
        found[lr] = (sl.step_t, t_min)
    assert found[10.0][0] > found[10.0][1] > 0          # jumps past the batch loss's lowest point
    assert 0 < found[0.003][0] < found[0.003][1]        # stops short of it


def test_momentum_leaves_the_gradients_line() -> None:
    t = trained(NET_A.replace(optimizer="momentum", learning_rate=0.1), epochs=5)
    sl = gradient_slice(t)
    assert 0.0 < sl.step_off < 1.0
    nxt = next_step(t)
    u = -nxt.gradient / np.linalg.norm(nxt.gradient)
    assert sl.step_t == pytest.approx(float(nxt.step @ u), rel=1e-12)


def test_no_slice_without_a_step() -> None:
    t = Trainer(Config(dataset="reg-plane", learning_rate=10.0))
    t.train_epochs(50)
    assert t.diverged
    assert gradient_slice(t) is None and next_step(t) is None


def test_the_first_use_waits_for_the_kernel_and_then_computes(monkeypatch) -> None:
    import threading
    from nnviz.core.learn.landscape_job import LandscapeMaker
    monkeypatch.setattr(landscape_kernel, "_compiled", threading.Event())   # as in a new process
    monkeypatch.setattr(landscape_build, "_prep", None)
    maker = LandscapeMaker()
    maker.settings = maker.settings.replace(active=True, mode="random")
    job = maker.job(Trainer(NET_A))
    if not job.run():                         # a load from the cache (or the child's compile) started
        assert job.waiting
        qt_free_wait(lambda: job.run(), 240)
    assert job.result.has_plane and landscape_kernel.loaded()


def test_a_failed_compile_is_reported_in_words(monkeypatch) -> None:
    import threading
    monkeypatch.setattr(landscape_kernel, "_compiled", threading.Event())
    monkeypatch.setattr(landscape_build, "_failed", ["no LLVM today"])
    from nnviz.core.learn.landscape_job import LandscapeMaker
    maker = LandscapeMaker()
    maker.settings = maker.settings.replace(active=True, mode="random")
    job = maker.job(Trainer(NET_A))
    assert job.run() and "could not be compiled: no LLVM today" in job.result.note


COLD = """
import sys, time
from numba.core import event
from nnviz.core.learn import landscape_build, landscape_kernel

class Count(event.Listener):
    def on_start(self, ev):
        compiles.append(1)
    def on_end(self, ev):
        pass

compiles = []
event.register("numba:compile", Count())
first = landscape_build.ready()
if sys.argv[1] == "stop":
    child = landscape_build._prep._build._proc
    landscape_build.stop()
    print(first, child.poll() is not None)
    sys.exit(0)
t0 = time.perf_counter()
while not landscape_build.ready() and time.perf_counter() - t0 < 240:
    time.sleep(0.05)
print(first, landscape_kernel.loaded(), len(compiles))
"""


def test_a_cold_cache_is_filled_by_a_child_process_and_then_loaded(tmp_path) -> None:
    # a fresh interpreter on an empty cache: this process compiles nothing itself (the
    # load refuses to compile, so loaded means it came from the cache the child wrote)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", COLD, "wait"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True", "0"]
    assert list(tmp_path.rglob("landscape_kernel.*plane_losses-*.nbc"))


def test_closing_during_the_first_compile_ends_the_child(tmp_path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", COLD, "stop"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True"]


def test_the_kernel_is_rebuilt_when_the_training_kernel_changes(tmp_path) -> None:
    # numba keys a cached closure by the values it closes over: the stamp is kernels.py's hash
    cells = [c.cell_contents for c in landscape_kernel.plane_losses.py_func.__closure__]
    assert cells == [landscape_kernel._kernels_stamp()]
    import hashlib
    from pathlib import Path
    data = Path(kernels.__file__).read_bytes()
    assert cells[0] == int.from_bytes(hashlib.sha256(data).digest()[:7], "little")


def test_every_caller_uses_the_one_compiled_signature() -> None:
    t = trained(NET_A)
    d1, d2 = random_directions(t.network, seed=0)
    landscape_kernel.warm_up()
    loss_landscape(t, d1, d2, 1.0, 5, data="test")
    rows = PlaneRows(t.network, d1, d2, axis(-1, 1, 5), axis(-1, 1, 5), t._xtr, t._ttr)
    while not rows.run(1e-6):
        pass
    gradient_slice(t)
    assert len(landscape_kernel.plane_losses.signatures) == 1


def test_the_bundle_runs_itself_to_compile_the_landscape(monkeypatch) -> None:
    # in the PyInstaller bundle there is no `python -m`: the child is the program itself
    from nnviz import app
    from nnviz.core.train import kernel_build
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    cmd, _ = kernel_build.child_command(landscape_build.CHILD_MODULE, landscape_build.BUNDLE_NAME)
    assert cmd == [sys.executable, app.BUILD_FLAG, "landscape"]
    assert kernel_build.child_command()[0] == [sys.executable, app.BUILD_FLAG]
    called = []
    monkeypatch.setattr(landscape_build, "main", lambda: called.append("landscape") or 0)
    monkeypatch.setattr(kernel_build, "main", lambda: called.append("training") or 0)
    assert app.main(cmd[1:]) == 0 and app.main(cmd[1:2]) == 0
    assert called == ["landscape", "training"]
