"""One refresh of the landscape panel, from the trainer's state to a `Landscape` to draw.

The worker owns a `LandscapeMaker` beside its Trainer: it records the path after every
change (`observe`), keeps the random directions fixed until new ones are asked for, and
makes a `LandscapeJob` when a refresh is due. A job copies what it needs at once (the
weights, the directions, the path's coordinates, the next step), so training may go on
while it computes; `run(seconds)` does a time-boxed share of the plane, and `result`
holds the finished `Landscape`. All of it is plain numpy and numba: no Qt.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.learn import directions as dirs
from nnviz.core.learn import landscape_build
from nnviz.core.learn.landscape import DATA, MAX_N, PlaneRows, Slice, axis, data_arrays, gradient_slice, next_step
from nnviz.core.learn.path import PathRecorder
from nnviz.core.model import features

Array = np.ndarray
MODES = ("pca", "random", "params")
MODE_LABELS = {"pca": "Path (PCA)", "random": "Random directions", "params": "Two parameters"}
GRID_SIZES = (21, 41, 61, 81)
MARGIN = 0.15           # room around the path when the range fits it, as a share of its span
MIN_ASPECT = 0.25       # a fitted axis spans at least this share of the other one
# smallest half-width of a fitted range: the random axes are in units of the weights' norm,
# a parameter in its own units, a principal component in units of |w| (scaled below)
MIN_HALF = {"random": 0.1, "params": 0.25, "pca": 0.01}
DEFAULT_HALF = 1.0      # half-width with no path to fit yet (random directions or parameters)


@dataclass(frozen=True)
class LandscapeSettings:
    """What the panel asks for. The view owns these; the worker only reads them."""

    mode: str = "pca"                # one of MODES
    params: tuple[tuple, ...] = ()   # for "params": two ("weight", l, dst, src) / ("bias", l, k)
    data: str = "train"              # the set whose loss is drawn: "train" or "test"
    n: int = 41                      # grid points per axis
    extent: float = 0.0              # half-width of both axes; 0 = fit the path
    seed: int = 0                    # of the random directions; "New directions" adds one
    active: bool = False             # the panel is on screen: compute; off: only record the path

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown plane {self.mode!r}")
        if self.data not in DATA:
            raise ValueError(f"unknown data {self.data!r}")
        if not 2 <= int(self.n) <= MAX_N:
            raise ValueError(f"the grid needs 2..{MAX_N} points per axis")
        if not (math.isfinite(self.extent) and self.extent >= 0):
            raise ValueError("the extent must be a finite number >= 0")

    def replace(self, **changes) -> "LandscapeSettings":
        return LandscapeSettings(**{**self.__dict__, **changes})


@dataclass(frozen=True)
class Landscape:
    """One picture of the panel: the plane, the path on it, and the slice along the gradient.

    a (n,), b (n,), z (n, n): z[i, j] is the loss at w + a[i] d1 + b[j] d2 (w the weights
    at the refresh, which sit at (0, 0)); empty when there is no plane (see note). path
    (K, 2): the recorded positions projected onto the plane, oldest first, the newest
    being w; path_steps (K,) their update counts. next_xy (2,): where the next update
    lands on the plane (nan if none).
    """

    settings: LandscapeSettings
    mode: str                               # the plane drawn (pca falls back to random)
    labels: tuple[str, str]                 # axis titles
    a: Array
    b: Array
    z: Array
    path: Array
    path_steps: Array
    next_xy: Array
    loss: float                             # the chosen set's loss at w
    slice: Slice | None
    optimizer: str
    learning_rate: float
    epoch: int
    total_steps: int
    note: str = ""                          # in words: why something is missing, or a fallback
    seconds: float = 0.0                    # compute time of the plane and the slice
    seq: int = 0
    explained: tuple[float, ...] = field(default_factory=tuple)   # pca: variance share of each axis

    @property
    def has_plane(self) -> bool:
        return self.z.size > 0


class LandscapeMaker:
    """The landscape's memory between refreshes: the settings, the path, the random directions."""

    def __init__(self, capacity: int = 256):
        self.settings = LandscapeSettings()
        self.recorder = PathRecorder(capacity)
        self._network = None               # the Network the path belongs to
        self._random: tuple[int, int, Array, Array] | None = None   # (seed, id of network, d1, d2)
        self.seq = 0

    def observe(self, trainer) -> bool:
        """Record the trainer's position; a new network (Reset, new settings, a session)
        starts a new path and new random directions. Returns whether anything was kept."""
        net = trainer.network
        if net is not self._network:
            self._network = net
            self.recorder.clear()
            self._random = None
        if trainer.diverged or not np.all(np.isfinite(net.params)):
            return False
        return self.recorder.record(net.params, trainer.total_steps, trainer.epoch)

    def random_directions(self, network) -> tuple[Array, Array]:
        """Filter-normalised at the first use for this network and seed, then fixed."""
        key = (self.settings.seed, id(network))
        if self._random is None or self._random[:2] != key:
            d1, d2 = dirs.random_directions(network, self.settings.seed)
            self._random = (*key, d1, d2)
        return self._random[2], self._random[3]

    def job(self, trainer) -> "LandscapeJob":
        self.observe(trainer)
        self.seq += 1
        return LandscapeJob(trainer, self, self.seq)


class LandscapeJob:
    """One refresh, copied from the trainer at creation; `run` computes it in time-boxed parts."""

    def __init__(self, trainer, maker: LandscapeMaker, seq: int):
        s = maker.settings
        self.settings, self._seq = s, seq
        net, cfg = trainer.network, trainer.config
        self._head = dict(settings=s, optimizer=cfg.optimizer, learning_rate=float(cfg.learning_rate),
                          epoch=trainer.epoch, total_steps=trainer.total_steps,
                          loss=float(trainer.train_loss if s.data == "train" else trainer.test_loss))
        self.result: Landscape | None = None
        self.waiting = False                # the kernel is still being compiled
        self._rows: PlaneRows | None = None
        self._slice_args = None
        if trainer.diverged:
            self._finish("The network diverged: there is no landscape until Reset.")
            return
        try:
            d1, d2, mode, labels, explained, note = self._axes(trainer, maker)
        except ValueError as exc:
            self._finish(str(exc))
            return
        centre = net.params.copy()
        path = maker.recorder.points
        coords = dirs.project(path, centre, d1, d2) if len(path) else np.zeros((0, 2))
        nxt = next_step(trainer)
        next_xy = (dirs.project(centre + nxt.step, centre, d1, d2)[0] if nxt is not None
                   else np.full(2, np.nan))
        (a0, a1), (b0, b1) = self._ranges(coords, next_xy, mode, float(np.linalg.norm(centre)))
        x, t = data_arrays(trainer, s.data)
        self._rows = PlaneRows(net, d1, d2, axis(a0, a1, s.n), axis(b0, b1, s.n), x, t)
        self._slice_args = (copy_for_slice(trainer), nxt)
        self._head.update(mode=mode, labels=labels, path=coords, path_steps=maker.recorder.steps,
                          next_xy=np.asarray(next_xy, dtype=float), note=note, explained=explained)

    # -- axes -------------------------------------------------------------------------
    def _axes(self, trainer, maker: LandscapeMaker):
        """(d1, d2, mode drawn, labels, explained variance, note); ValueError: no plane."""
        s, net = self.settings, trainer.network
        if s.mode == "params":
            if len(s.params) != 2 or s.params[0] == s.params[1]:
                raise ValueError("Pick two parameters: press \u201cPick in graph\u201d, then click two "
                                 "links or bias squares in the network graph.")
            try:
                d1, d2 = (dirs.parameter_direction(net, p) for p in s.params)
            except ValueError:
                raise ValueError("The picked parameters are not in this network any more: pick two again.") from None
            names = tuple(features.label(f) if f in features.FEATURES else f for f in net.feature_names)
            return d1, d2, "params", tuple(dirs.parameter_label(net.layer_sizes, names, p) for p in s.params), (), ""
        if s.mode == "pca":
            try:
                d1, d2, share = dirs.pca_directions(maker.recorder.points, net.params)
                labels = (f"PC1 ({100 * share[0]:.1f} % of the path)", f"PC2 ({100 * share[1]:.1f} %)")
                return d1, d2, "pca", labels, tuple(float(v) for v in share), ""
            except ValueError as exc:
                note = _sentence(f"{exc}: showing random directions until it turns.")
        else:
            note = ""
        d1, d2 = maker.random_directions(net)
        if not (np.any(d1) and np.any(d2)):
            raise ValueError("All weights are 0, so filter-normalised directions are 0 too: "
                             "pick two parameters instead.")
        return d1, d2, "random", ("random direction 1", "random direction 2"), (), note

    def _ranges(self, coords: Array, next_xy: Array, mode: str, w_norm: float):
        """The plane's two ranges: the user's half-width, or a fit around the path and the
        next step (a margin all round, neither axis far narrower than the other)."""
        s = self.settings
        if s.extent > 0:
            return (-s.extent, s.extent), (-s.extent, s.extent)
        pts = np.vstack([np.zeros((1, 2)), coords, next_xy[None, :]])
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        min_half = MIN_HALF[mode] * (max(w_norm, 1.0) if mode == "pca" else 1.0)
        if len(pts) <= 1:
            return (-DEFAULT_HALF, DEFAULT_HALF), (-DEFAULT_HALF, DEFAULT_HALF)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        span = np.maximum(hi - lo, 2 * min_half)
        span = np.maximum(span, MIN_ASPECT * span.max())
        mid = 0.5 * (lo + hi)
        half = 0.5 * span * (1 + 2 * MARGIN)
        return (mid[0] - half[0], mid[0] + half[0]), (mid[1] - half[1], mid[1] + half[1])

    # -- computing --------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.result is not None

    def run(self, seconds: float = math.inf) -> bool:
        """Compute for about `seconds` (rows of the plane, then the slice); returns done."""
        if self.result is not None:
            return True
        try:
            self.waiting = not landscape_build.ready()
        except RuntimeError as exc:
            self._finish(_sentence(f"{exc}."))
            return True
        if self.waiting:
            return False
        if not self._rows.done:
            self._rows.run(seconds)
            if not self._rows.done:
                return False
        t0 = time.perf_counter()
        trainer, nxt = self._slice_args
        sl = gradient_slice(trainer, self.settings.data, nxt=nxt) if nxt is not None else None
        seconds_used = self._rows.seconds + time.perf_counter() - t0
        rows = self._rows
        self.result = Landscape(a=rows.a, b=rows.b, z=rows.z, slice=sl, seconds=seconds_used,
                                seq=self._seq, **self._head)
        return True

    def _finish(self, note: str) -> None:
        """A result without a plane or slice, saying why in words."""
        empty = np.zeros(0)
        fields = {**self._head, "mode": self._head.get("mode", self.settings.mode), "labels": ("", ""),
                  "a": empty, "b": empty, "z": np.zeros((0, 0)), "path": np.zeros((0, 2)),
                  "path_steps": np.zeros(0, dtype=np.int64), "next_xy": np.full(2, np.nan), "slice": None,
                  "note": note, "seq": self._seq, "explained": ()}
        self.result = Landscape(**fields)


def _sentence(text: str) -> str:
    """text with its first letter in capitals (str.capitalize would lower all the others)."""
    return text[:1].upper() + text[1:]


class _Frozen:
    """What gradient_slice reads of a trainer, copied, so the slice is of the refresh's moment."""

    def __init__(self, trainer):
        self.network = trainer.network.copy()
        self._xtr, self._ttr = trainer._xtr.copy(), trainer._ttr.copy()
        self._xte, self._tte = trainer._xte.copy(), trainer._tte.copy()


def copy_for_slice(trainer) -> _Frozen:
    return _Frozen(trainer)
