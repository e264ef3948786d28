"""2,000 random actions with training running, as fast hands would do them: settings from
the controls' own widgets and in code, files opened and imported, resizes (also after a
divergence), edits sent during shape changes. At the end the controls, the newest
Snapshot and the worker's trainer agree on the settings, no edit landed on a network it
was not aimed at, and the window is responsive and can still be made 1280 x 800.
"""

from __future__ import annotations

import random
import threading

import numpy as np
from PySide6.QtCore import QSize

from helpers.files import new_window
from helpers.window import act_and_wait
from nnviz.core import files
from nnviz.core.config import ACTIVATIONS, FEATURES, LEARNING_RATES, OPTIMIZERS, Config
from nnviz.core.train.trainer import Trainer

DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "checkerboard", "blobs", "spiral3",
            "reg-plane", "reg-gauss")


def random_config(rng: random.Random, base: Config) -> Config:
    choice = rng.randrange(9)
    if choice == 0:
        return base.replace(dataset=rng.choice(DATASETS), output="auto")
    if choice == 1:
        return base.replace(hidden_layers=tuple(rng.randint(1, 8) for _ in range(rng.randint(0, 6))),
                            activation="tanh")
    if choice == 2:
        return base.replace(activation=rng.choice(ACTIVATIONS))
    if choice == 3:
        return base.replace(learning_rate=rng.choice(LEARNING_RATES))
    if choice == 4:
        return base.replace(optimizer=rng.choice(OPTIMIZERS))
    if choice == 5:
        k = rng.randint(1, len(FEATURES))
        return base.replace(features=tuple(rng.sample(FEATURES, k)))
    if choice == 6:
        return base.replace(batch_size=rng.randint(1, 30), noise=rng.randint(0, 50))
    if choice == 7:   # a rate that diverges, so resizes and edits also meet a diverged run
        return base.replace(learning_rate=10.0, optimizer="sgd")
    return base.replace(regularization=rng.choice(("none", "l1", "l2")), reg_rate=rng.choice((0.0, 0.01, 0.3)))


def touch_a_widget(rng: random.Random, w) -> None:
    """A control changed through its own widget, from whatever the controls show now."""
    c = w.controls
    kind = rng.randrange(4)
    if kind == 0:
        lr = c.training.learning_rate
        lr.setCurrentIndex(rng.randrange(lr.count()))
    elif kind == 1:
        c.data.noise.slider.setValue(rng.randint(0, 50))
    elif kind == 2:
        stepper = c.network.layers
        button = stepper.plus if rng.random() < 0.5 else stepper.minus
        if button.isEnabled() and c.isEnabled():
            button.click()
    else:
        c.data.batch.slider.setValue(rng.randint(1, 30))


class Ledger:
    """Which network each Snapshot showed and which network each edit landed on, recorded
    in the worker thread from the Trainer itself (not from the worker's network numbers)."""

    def __init__(self, monkeypatch):
        self.lock = threading.Lock()
        self.networks: list = []              # keeps every network alive, so no id is reused
        self.imports: dict[int, int] = {}     # id(network) -> weight imports into it so far
        self.shown: dict[int, tuple] = {}     # Snapshot seq -> (id(network), imports)
        self.landed: list[tuple[float, tuple]] = []
        ledger = self

        def token(trainer) -> tuple:
            net = trainer.network
            if not any(n is net for n in ledger.networks[-3:]):
                ledger.networks.append(net)
            return id(net), ledger.imports.get(id(net), 0)

        real_snapshot, real_load = Trainer.snapshot, Trainer.load_params
        real_w, real_b = Trainer.set_weight, Trainer.set_bias

        def snapshot(self, seq=0, playing=False):
            with ledger.lock:
                ledger.shown[seq] = token(self)
            return real_snapshot(self, seq=seq, playing=playing)

        def load_params(self, params):
            real_load(self, params)
            with ledger.lock:
                ledger.imports[id(self.network)] = ledger.imports.get(id(self.network), 0) + 1

        def set_weight(self, layer, dst, src, value):
            real_w(self, layer, dst, src, value)
            with ledger.lock:
                ledger.landed.append((value, token(self)))

        def set_bias(self, layer, neuron, value):
            real_b(self, layer, neuron, value)
            with ledger.lock:
                ledger.landed.append((value, token(self)))

        for name, fn in (("snapshot", snapshot), ("load_params", load_params), ("set_weight", set_weight),
                         ("set_bias", set_bias)):
            monkeypatch.setattr(Trainer, name, fn)


def prepare_files(folder) -> dict[str, list[str]]:
    out = {"sessions": [], "data": [], "weights": []}
    for k, cfg in enumerate((Config(dataset="xor", hidden_layers=(3,), seed=4),
                             Config(dataset="spiral3", hidden_layers=(6, 4), optimizer="adam"),
                             Config(dataset="reg-gauss", features=FEATURES[:4], hidden_layers=(5,)))):
        t = Trainer(cfg)
        t.train_epochs(2)
        out["sessions"].append(str(folder / f"s{k}.nnviz"))
        files.save_session(t, out["sessions"][-1], {"show_test": bool(k % 2)})
        out["weights"].append(str(folder / f"w{k}.json"))
        files.export_weights(t.network, out["weights"][-1])
    rng = np.random.default_rng(2)
    for k, classes in enumerate((2, 3)):
        pts = rng.uniform(-5, 5, (300, 2))
        labels = rng.integers(0, classes, 300)
        path = folder / f"d{k}.csv"
        path.write_text("x,y,label\n" + "".join(f"{x!r},{y!r},{int(c)}\n" for (x, y), c in
                                                zip(pts.tolist(), labels.tolist())))
        out["data"].append(str(path))
    out["data"].append(str(folder / "bad.csv"))
    (folder / "bad.csv").write_text("x,y,label\n1,2\n")
    return out


def test_monkey(qtbot, tmp_path, dialogs, monkeypatch):
    rng = random.Random(1234)
    paths = prepare_files(tmp_path)
    ledger = Ledger(monkeypatch)
    w = new_window(qtbot, tmp_path / "win")
    w.toggle_play()
    sent: dict[float, int] = {}        # edit value -> seq of the Snapshot it was aimed at
    counts = dict.fromkeys(("settings", "widgets", "files", "resizes", "edits", "stale"), 0)
    for i in range(2000):
        snap = w.latest
        r = rng.random()
        value = round(rng.uniform(-3, 3), 3) + i * 1e-9       # unique: tells the edits apart
        if r < 0.14:
            w.request_settings(random_config(rng, w.controls.config()))
            counts["settings"] += 1
        elif r < 0.22:
            touch_a_widget(rng, w)
            counts["widgets"] += 1
        elif r < 0.28:
            w.toggle_play()
        elif r < 0.34:
            w.step_batch_requested.emit()
        elif r < 0.37:
            w.step_epoch_requested.emit()
        elif r < 0.40:
            w.reset_requested.emit()
        elif r < 0.42:
            w.regenerate_requested.emit(rng.randrange(1000))
        elif r < 0.52 and snap.weights:
            layer = rng.randrange(len(snap.weights))
            n_out, n_in = snap.weights[layer].shape
            w.request_edit(("weight", layer, rng.randrange(n_out), rng.randrange(n_in)), value, snap.network_id)
            sent[value] = snap.seq
            counts["edits"] += 1
        elif r < 0.56 and snap.biases:
            layer = rng.randrange(len(snap.biases))
            w.request_edit(("bias", layer, rng.randrange(len(snap.biases[layer]))), value, snap.network_id)
            sent[value] = snap.seq
            counts["edits"] += 1
        elif r < 0.60 and snap.weights:   # an edit sent right after a shape change, aimed at the old shape
            w.request_settings(snap.config.replace(hidden_layers=(rng.randint(1, 8),) * rng.randint(1, 3),
                                                   activation="tanh"))
            w.request_edit(("weight", 0, 0, 0), value, snap.network_id)
            sent[value] = snap.seq
            counts["stale"] += 1
        elif r < 0.63:
            name = rng.choice(("discretize", "show_test", "highlight", "log_scale"))
            w.actions[name].toggle()
        elif r < 0.67:
            w.points_add_requested.emit(rng.uniform(-6, 6), rng.uniform(-6, 6), rng.choice((-1.0, 1.0)))
        elif r < 0.69:
            w.points_erase_requested.emit(rng.uniform(-6, 6), rng.uniform(-6, 6), 0.5)
        elif r < 0.75:
            kind = rng.choice(("open", "import_data", "import_weights"))
            if w.actions[kind].isEnabled():
                dialogs.choose(rng.choice(paths[{"open": "sessions", "import_data": "data",
                                                 "import_weights": "weights"}[kind]]))
                w.actions[kind].trigger()
                counts["files"] += 1
        elif r < 0.80:
            w.resize(rng.randint(900, 3000), rng.randint(400, 1200))
            counts["resizes"] += 1
        else:
            layer = rng.randrange(len(snap.layer_sizes))
            w._neuron_hovered(layer, rng.randrange(snap.layer_sizes[layer]))
        if i % 20 == 0:
            qtbot.wait(1)  # let the event loops run, as a fast user would
    assert min(counts.values()) > 20, counts

    # every file read answered, then one quiet moment: all three agree on the settings
    qtbot.waitUntil(lambda: w.file_reads == 0, timeout=30_000)
    snap = act_and_wait(qtbot, w, w.pause_requested.emit, lambda s: not s.playing, timeout=20_000)
    qtbot.waitUntil(lambda: w.controls.config() == w.latest.config, timeout=5_000)
    assert w.controls.config() == w.latest.config == w.worker.trainer.config
    assert w.controls.isEnabled()
    # no edit landed on a network it was not aimed at; the stale ones were refused
    for value, landed_on in ledger.landed:
        assert landed_on == ledger.shown[sent[value]], value
    # many requests are in flight at this speed, so many edits meet a network that changed
    refused = len(sent) - len(ledger.landed)
    assert len(ledger.landed) > 30 and refused > 30, (len(ledger.landed), refused)
    # responsive: a fresh request is answered promptly and every number is sane
    snap = act_and_wait(qtbot, w, w.step_batch_requested.emit, lambda s: not s.playing, timeout=20_000)
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    assert np.all([np.isfinite(a).all() for a in snap.weights]) or snap.diverged
    # and the window can be made 1280 x 800 whatever happened to it
    w.resize(1280, 800)
    qtbot.waitUntil(lambda: w.size() == QSize(1280, 800), timeout=5_000)
    assert w.thread.isRunning()
    w.close()
    assert w.thread.isFinished()
