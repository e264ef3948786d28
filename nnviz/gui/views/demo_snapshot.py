"""A made-up Snapshot, built by hand with numpy, so each panel can run on its own.

`python -m nnviz.gui.views.surface` and the GUI tests use it instead of a Trainer: the
surface, points, metrics and history are consistent with each other (the confusion
matrix counts the fake surface's own mistakes) but nothing is trained.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.config import Config
from nnviz.core.snapshot import GRID, GRID_AXIS, Snapshot

_NAMES = {"x1": "X1", "x2": "X2"}


def _spiral_logits(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """(k, ...) scores that peak on each arm of a k-arm Playground-style spiral."""
    r = np.hypot(x, y)
    theta = np.arctan2(x, y)  # the Playground places points at (r sin t, r cos t)
    phase = theta - 1.75 * 2 * np.pi * r / 5.0
    return np.stack([np.cos(phase - 2 * np.pi * c / k) for c in range(k)])


def _reg_target(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A smooth reg-gauss-like field in [-1, 1]."""
    out = np.zeros(np.broadcast(x, y).shape)
    for cx, cy, s in ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)):
        v = s * np.clip(1 - np.hypot(x - cx, y - cy) / 2, 0, 1)
        out = np.where(np.abs(v) > np.abs(out), v, out)
    return out


def _points(rng: np.random.Generator, n_classes: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 2) points and (n,) labels: spiral arms for classes, uniform for regression."""
    if n_classes == 0:
        pts = rng.uniform(-6, 6, size=(n, 2))
        return pts, _reg_target(pts[:, 0], pts[:, 1])
    k = n_classes
    per = n // k
    xs, ys = [], []
    for c in range(k):
        i = np.arange(per)
        r = 5.0 * i / per
        t = 1.75 * 2 * np.pi * i / per + 2 * np.pi * c / k
        p = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-0.3, 0.3, size=(per, 2))
        xs.append(p)
        ys.append(np.full(per, (1.0 if c == 0 else -1.0) if k == 2 else float(c)))
    pts, lab = np.concatenate(xs), np.concatenate(ys)
    order = rng.permutation(len(pts))
    return pts[order], lab[order]


def _predict(pts: np.ndarray, n_classes: int) -> np.ndarray:
    """The fake network's decision at points: (N,) labels in the snapshot's encoding."""
    if n_classes == 0:
        return _reg_target(pts[:, 0], pts[:, 1])
    z = _spiral_logits(pts[:, 0], pts[:, 1], max(n_classes, 2))
    if n_classes == 2:
        return np.where(z[0] >= 0, 1.0, -1.0)
    return np.argmax(z, axis=0).astype(float)


def make_snapshot(n_classes: int = 2, hidden: tuple[int, ...] = (4, 2), epochs: int = 200,
                  n_points: int = 500, seed: int = 0, last_batch: int = 10, seq: int = 1,
                  dead_links: int = 0, carried: int = 0) -> Snapshot:
    """A plausible Snapshot: 0 = regression, 2 = two-class spiral, K >= 3 = K-arm spiral.

    dead_links: that many links zeroed and dead (as L1 under SGD leaves them); carried:
    that many training points whose gradient waits for the next update."""
    rng = np.random.default_rng(seed)
    if n_classes == 0:
        config = Config(dataset="reg-gauss", hidden_layers=hidden)
    elif n_classes == 2:
        config = Config(dataset="spiral", hidden_layers=hidden)
    elif n_classes == 3:
        config = Config(dataset="spiral3", hidden_layers=hidden)
    else:
        config = Config(dataset="blobs", n_classes=n_classes, hidden_layers=hidden)
    sizes = config.layer_sizes
    weights = tuple(rng.uniform(-1, 1, size=(sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1))
    biases = tuple(np.full(sizes[l + 1], 0.1) for l in range(len(sizes) - 1))
    dead = tuple(np.zeros(w.shape, dtype=np.int64) for w in weights)
    for k in (rng.choice(sum(w.size for w in weights), size=dead_links, replace=False) if dead_links else ()):
        l = int(np.searchsorted(np.cumsum([w.size for w in weights]), k, side="right"))
        j = k - sum(w.size for w in weights[:l])
        weights[l].flat[j], dead[l].flat[j] = 0.0, 1 + k % epochs
    grad_w = tuple(np.where(d != 0, 0.0, w * 1e-3) for w, d in zip(weights, dead))
    grad_b = tuple(b * 1e-3 for b in biases)

    xx, yy = np.meshgrid(GRID_AXIS, GRID_AXIS)  # [iy, ix], iy = 0 at y = -6
    grid = [np.stack([xx, yy])]
    for n in hidden:  # fake hidden pictures: tanh of random planes
        a, b, c = rng.normal(size=(3, n, 1, 1))
        grid.append(np.tanh(0.4 * a * xx + 0.4 * b * yy + c))
    if n_classes == 0:
        out = _reg_target(xx, yy)[None]
    elif n_classes == 2:
        out = np.tanh(2.0 * _spiral_logits(xx, yy, 2)[:1])
    else:
        z = 3.0 * _spiral_logits(xx, yy, n_classes)
        e = np.exp(z - z.max(axis=0))
        out = e / e.sum(axis=0)
    grid.append(out)
    grid_t = tuple(np.ascontiguousarray(g, dtype=np.float32).reshape(-1, GRID, GRID) for g in grid)

    pts, lab = _points(rng, n_classes, n_points)
    n_train = len(pts) // 2
    train_x, train_y, test_x, test_y = pts[:n_train], lab[:n_train], pts[n_train:], lab[n_train:]
    pred_train, pred_test = _predict(train_x, n_classes), _predict(test_x, n_classes)
    if n_classes == 0:
        train_acc = test_acc = float("nan")
        resid = test_y - pred_test
        r2 = 1.0 - float(np.sum(resid ** 2) / max(np.sum((test_y - test_y.mean()) ** 2), 1e-12))
        confusion = np.zeros((0, 0), dtype=np.int64)
    else:
        train_acc = float(np.mean(pred_train == train_y))
        test_acc = float(np.mean(pred_test == test_y))
        r2 = float("nan")
        k = n_classes
        idx = (lambda v: ((v + 1) / 2).astype(int)) if k == 2 else (lambda v: v.astype(int))
        confusion = np.zeros((k, k), dtype=np.int64)
        np.add.at(confusion, (idx(test_y), idx(pred_test)), 1)

    e = np.arange(epochs + 1, dtype=float)                         # (H,)
    train_curve = 0.02 + 0.48 * np.exp(-e / 40.0) + 0.01 * rng.random(e.size)
    test_curve = train_curve + 0.03 * (1 - np.exp(-e / 60.0)) + 0.01 * rng.random(e.size)
    n_w = len(weights)
    depth = np.arange(n_w)[None, :]                                # layer 0 is nearest the inputs
    history_grad = 1e-2 * 0.3 ** (n_w - 1 - depth) * np.exp(-e[:, None] / 100.0)  # (H, L)
    batch_idx = rng.choice(n_train, size=min(last_batch, n_train), replace=False) if last_batch else []
    carried_idx = np.arange(n_train - carried, n_train, dtype=np.int64)
    return Snapshot(
        config=config, feature_names=tuple(_NAMES.get(f, f) for f in config.features),
        layer_sizes=sizes, weights=weights, biases=biases, grad_weights=grad_w, grad_biases=grad_b,
        grid=grid_t, epoch=epochs, batch=0, batches_per_epoch=max(1, n_train // config.batch_size),
        total_steps=epochs * max(1, n_train // config.batch_size),
        train_loss=float(train_curve[-1]), test_loss=float(test_curve[-1]),
        train_accuracy=train_acc, test_accuracy=test_acc, r2_test=r2, confusion=confusion,
        history_epoch=e, history_train=train_curve, history_test=test_curve, history_grad=history_grad,
        train_x=train_x, train_y=train_y, test_x=test_x, test_y=test_y,
        last_batch=np.asarray(batch_idx, dtype=np.int64), n_classes=n_classes, seq=seq,
        dead=dead if dead_links else (), carried=carried_idx, carried_count=carried)
