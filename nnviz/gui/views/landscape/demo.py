"""A made-up Landscape, so the panel runs on its own: gradient descent on a long, narrow
valley, f(x, y) = 0.5 (x^2 / 8 + 2 y^2) + 0.05, with a rate that makes it zig-zag."""

from __future__ import annotations

import numpy as np

from nnviz.core.learn.landscape import Slice, axis
from nnviz.core.learn.landscape_job import Landscape, LandscapeSettings


def _loss(x, y):
    return 0.5 * (x * x / 8.0 + 2.0 * y * y) + 0.05


def make_landscape(n: int = 41, steps: int = 24, lr: float = 0.8, settings: LandscapeSettings | None = None) -> Landscape:
    """Plane, path and slice of the valley above, centred on the last position of the path."""
    settings = settings or LandscapeSettings(mode="pca", active=True)
    p = np.array([-4.0, 1.2])
    path = [p.copy()]
    for _ in range(steps):
        p = p - lr * np.array([p[0] / 8.0, 2.0 * p[1]])
        path.append(p.copy())
    w = path[-1]
    rel = np.array(path) - w                                   # (K, 2): the plane is centred on w
    a = axis(rel[:, 0].min() - 0.5, rel[:, 0].max() + 0.5, n)
    b = axis(rel[:, 1].min() - 0.5, rel[:, 1].max() + 0.5, n)
    z = _loss(w[0] + a[:, None], w[1] + b[None, :])            # (n, n): z[i, j] at a[i], b[j]
    g = np.array([w[0] / 8.0, 2.0 * w[1]])
    g_norm = float(np.linalg.norm(g))
    u = -g / g_norm
    t = axis(-0.25 * 2 * lr * g_norm, 2 * lr * g_norm, 81)
    line = _loss(w[0] + t * u[0], w[1] + t * u[1])
    step = -lr * g
    return Landscape(settings=settings, mode="pca", labels=("PC1 (93.0 % of the path)", "PC2 (7.0 %)"),
                     a=a, b=b, z=z, path=rel, path_steps=np.arange(len(rel)), next_xy=step, loss=float(_loss(*w)),
                     slice=Slice(t, line, line * 1.1, lr * g_norm, 0.0, float(_loss(*(w + step))), g_norm),
                     optimizer="sgd", learning_rate=lr, epoch=steps, total_steps=steps, seq=1)
