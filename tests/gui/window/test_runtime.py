"""Long runs: the worker's time box after a big import, and a layout that cannot ratchet
after a divergence. Times are printed for the report, never asserted (a shared machine)."""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QSize

from helpers.files import new_window, run_file
from helpers.window import act_and_wait, pause
from nnviz.core.config import Config
from nnviz.core.model import features, losses
from nnviz.core.model.network import Network
from nnviz.core.train.trainer import Trainer

BIG = 100_000


def big_csv(folder) -> str:
    pts = np.random.default_rng(5).uniform(-5, 5, (BIG, 2))
    rows = np.column_stack([pts, (pts[:, 0] * pts[:, 1] > 0).astype(float)])
    path = folder / "big.csv"
    np.savetxt(path, rows, delimiter=",", header="x,y,label", comments="", fmt=("%.17g", "%.17g", "%d"))
    return str(path)


def record_kernel_calls(monkeypatch) -> list[tuple[str, int, int, int]]:
    """(method, asked, done, training points) of every training call the worker makes."""
    calls, lock = [], threading.Lock()
    for name in ("train_epochs", "train_batches"):
        real = getattr(Trainer, name)

        def wrapped(self, n, *args, _real=real, _name=name, **kwargs):
            done = _real(self, n, *args, **kwargs)
            with lock:
                calls.append((_name, int(n), int(done), len(self.train_x)))
            return done
        monkeypatch.setattr(Trainer, name, wrapped)
    return calls


def test_after_a_big_import_the_time_box_starts_small_and_pause_answers_at_once(qtbot, tmp_path, dialogs,
                                                                                   monkeypatch):
    path = big_csv(tmp_path)
    calls = record_kernel_calls(monkeypatch)
    w = new_window(qtbot, tmp_path / "win")
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing)
    qtbot.waitUntil(lambda: w.latest.epoch > 100, timeout=20_000)   # the box knows 250-point epochs
    dialogs.choose(path)
    assert run_file(qtbot, w, w.actions["import_data"].trigger)[:2] == ("done", "import_data")
    epoch = w.latest.epoch
    qtbot.waitUntil(lambda: w.latest.playing and w.latest.epoch >= epoch + 2, timeout=60_000)
    t0 = time.perf_counter()
    snap = pause(qtbot, w)
    print(f"\nPause answered in {1000 * (time.perf_counter() - t0):.1f} ms while playing "
          f"{BIG:,} imported points")
    big = [c for c in calls if c[3] == len(snap.train_x)]
    bpe = snap.batches_per_epoch
    assert len(snap.train_x) == BIG // 2 and bpe == BIG // 2 // 10
    # the first chunk after the import is one mini-batch; an epoch of 50,000 points is
    # longer than the box, so every chunk is a part of one, never tens of epochs in a call
    assert big[0][:3] == ("train_batches", 1, 1), big[:3]
    assert all(name == "train_batches" and done < bpe for name, _, done, _ in big), big
    # paused mid-epoch, the shown losses are those of the weights shown
    net = Network(snap.layer_sizes, snap.config.activations, snap.config.output_kind, snap.config.features)
    for l, (wt, b) in enumerate(zip(snap.weights, snap.biases)):
        net.weights[l][:] = wt
        net.biases[l][:] = b
    zs, _ = net.forward(features.transform(snap.train_x, snap.config.features))
    kind = snap.config.output_kind
    expected = float(np.mean(losses.loss_from_logits(kind, zs[-1], losses.targets(kind, snap.train_y,
                                                                                  snap.n_classes))))
    assert abs(snap.train_loss - expected) <= 1e-9 * max(1.0, expected)
    w.close()


def resize(qtbot, w, width: int, height: int) -> None:
    """resize() as a window manager would, then let the panels settle (the surface fits
    its square on the resize and again when its plot answers)."""
    w.resize(width, height)
    try:
        qtbot.waitUntil(lambda: w.size() == QSize(width, height), timeout=5_000)
    except Exception:   # say which panel holds the window wide
        panels = {"bar": w.training_bar, "banner": w.banner, "controls": w.controls, "topology": w.topology,
                  "surface": w.surface, "curves": w.curves}
        raise AssertionError((w.size(), {k: v.minimumSizeHint().toTuple() for k, v in panels.items()})) from None
    qtbot.wait(20)
    assert w.size() == QSize(width, height), (w.size(), w.minimumSizeHint())


def test_the_window_shrinks_again_after_a_divergence(qtbot, tmp_path):
    """A diverged run shows its banner; then a wide, short window and back: resize(1280, 800)
    gives 1280 x 800 (the decision surface's square-fitting room is not a minimum size)."""
    w = new_window(qtbot, tmp_path / "win", Config(dataset="reg-plane", learning_rate=10.0))
    resize(qtbot, w, 1280, 800)
    act_and_wait(qtbot, w, w.toggle_play, lambda s: s.playing or bool(s.diverged))
    qtbot.waitUntil(lambda: bool(w.latest.diverged) and not w.latest.playing and w.banner.isVisible(),
                    timeout=20_000)
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    # a blown-up loss reads in a few characters, not 40 digits that would widen the bar
    for key in ("train", "test", "acc"):
        assert len(w.training_bar.labels[key].text()) <= 10, w.training_bar.labels[key].text()
    assert len(w.curves.metrics_label.text()) <= 20, w.curves.metrics_label.text()
    resize(qtbot, w, 1280, 800)                  # (lets the layout take in the new read-outs)
    minimum = w.minimumSizeHint()
    assert minimum.width() < 1280
    for size in ((3000, 400), (2600, 500), (3000, 400)):
        resize(qtbot, w, *size)
    resize(qtbot, w, 1280, 800)
    assert w.minimumSizeHint() == minimum        # what the window went through left no trace
    for view in (w.surface, w.curves, w.topology):
        assert view.width() < 1280 and view.geometry().right() < 1280
    # the decision surface is still a centred square inside its panel
    rect = w.surface.plot.getPlotItem().getViewBox().sceneBoundingRect()
    assert abs(rect.width() - rect.height()) <= 2 and rect.width() > 100
    assert w.surface.plot.geometry().right() <= w.surface.width()
    t0 = time.perf_counter()
    w.repaint_views()
    w.grab()                                     # the whole window drawn once
    print(f"\nrepaint of the whole window after the resizes: {1000 * (time.perf_counter() - t0):.1f} ms")
    w.close()
