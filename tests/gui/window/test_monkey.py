"""2,000 random valid actions with training running: no exception, a responsive window."""

from __future__ import annotations

import random

import numpy as np

from helpers.window import act_and_wait, open_window
from nnviz.core.config import ACTIVATIONS, FEATURES, LEARNING_RATES, OPTIMIZERS, Config

DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "checkerboard", "blobs", "spiral3",
            "reg-plane", "reg-gauss")


def random_config(rng: random.Random, base: Config) -> Config:
    choice = rng.randrange(8)
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
    return base.replace(regularization=rng.choice(("none", "l1", "l2")), reg_rate=rng.choice((0.0, 0.01, 0.3)))


def test_monkey(qtbot, tmp_path):
    rng = random.Random(1234)
    w = open_window(qtbot, tmp_path)
    w.toggle_play()
    config = w.latest.config
    for i in range(2000):
        snap = w.latest
        r = rng.random()
        if r < 0.25:
            config = random_config(rng, config)
            w.controls.set_config(config)
            w.config_requested.emit(config)
        elif r < 0.35:
            w.toggle_play()
        elif r < 0.45:
            w.step_batch_requested.emit()
        elif r < 0.5:
            w.step_epoch_requested.emit()
        elif r < 0.55:
            w.reset_requested.emit()
        elif r < 0.6:
            w.regenerate_requested.emit(rng.randrange(1000))
        elif r < 0.7 and snap.weights:
            layer = rng.randrange(len(snap.weights))
            n_out, n_in = snap.weights[layer].shape
            w.weight_edit_requested.emit(layer, rng.randrange(n_out), rng.randrange(n_in), rng.uniform(-3, 3))
        elif r < 0.75 and snap.biases:
            layer = rng.randrange(len(snap.biases))
            w.bias_edit_requested.emit(layer, rng.randrange(len(snap.biases[layer])), rng.uniform(-1, 1))
        elif r < 0.8:
            name = rng.choice(("discretize", "show_test", "highlight", "log_scale"))
            w.actions[name].toggle()
        elif r < 0.85:
            w.points_add_requested.emit(rng.uniform(-6, 6), rng.uniform(-6, 6), rng.choice((-1.0, 1.0)))
        elif r < 0.88:
            w.points_erase_requested.emit(rng.uniform(-6, 6), rng.uniform(-6, 6), 0.5)
        else:
            layer = rng.randrange(len(snap.layer_sizes))
            w._neuron_hovered(layer, rng.randrange(snap.layer_sizes[layer]))
        if i % 20 == 0:
            qtbot.wait(1)  # let the event loops run, as a fast user would
    # responsive: a fresh request is answered promptly and every number is sane
    snap = act_and_wait(qtbot, w, w.step_batch_requested.emit, lambda s: not s.playing, timeout=20_000)
    qtbot.waitUntil(lambda: w.painted_seq == w.latest.seq, timeout=5_000)
    assert np.all([np.isfinite(a).all() for a in snap.weights]) or snap.diverged
    assert w.thread.isRunning()
    w.close()
    assert w.thread.isFinished()
