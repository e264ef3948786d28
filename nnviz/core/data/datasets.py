"""Point sets to learn from: the Playground's six generators, four more, and the split.

The six reference generators are vectorised transcriptions of TensorFlow Playground's
dataset.ts (PRODUCT.md section 1). Every random draw comes from the numpy Generator
passed in, never a global RNG, so a seed fixes the data bit for bit. How many points,
the class balance, flipped labels and outliers are set as `shaping.py` says; with their
defaults every set is the Playground's (or our own earlier one) bit for bit. Reading and
writing points as CSV is a file format and lives in `nnviz.core.files.data_csv`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnviz.core.config import CUSTOM, DATASETS
from nnviz.core.data import shaping

TWO_PI = 2.0 * math.pi
MAX_NOISE = 0.5           # the Playground's slider stops at 50 %
BLOB_CLASSES = (3, 5)     # inclusive range of classes "blobs" can make


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points and their labels. The arrays are read-only copies, so a data set shared by
    the worker and the views can never change under either of them."""

    x: np.ndarray   # (N, 2) float64 coordinates, normally inside [-6, 6]^2
    y: np.ndarray   # (N,) float64: -1/+1 (2 classes), 0..K-1 (K >= 3), real (regression)
    n_classes: int  # 0 regression, 2 two classes, K >= 3

    def __post_init__(self) -> None:
        x = np.array(self.x, dtype=np.float64)  # copy: the caller keeps its own arrays
        y = np.array(self.y, dtype=np.float64).reshape(-1)
        if x.size == 0:
            x = x.reshape(0, 2)
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"points must have shape (N, 2), not {x.shape}")
        if y.shape != (len(x),):
            raise ValueError(f"{len(x)} points but {y.shape[0]} labels")
        k = int(self.n_classes)
        if k != 0 and k < 2:
            raise ValueError(f"n_classes must be 0 (regression) or >= 2, not {k}")
        x.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "n_classes", k)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def take(self, idx) -> "Dataset":
        """The points picked by an index array, boolean mask or slice (same n_classes)."""
        return Dataset(self.x[idx], self.y[idx], self.n_classes)


# -- the Playground's generators (dataset.ts) -------------------------------------------
# Each takes the noise fraction, the Generator and a Spec, and returns unshuffled
# (points (N, 2), labels (N,), n_classes).
Raw = tuple[np.ndarray, np.ndarray, int]


@dataclass(frozen=True)
class Spec:
    """How many points a generator makes: n in all, counts[c] of class index c (for the
    sets made class by class), and the balance (percent) for sets labelled by region."""

    n: int
    counts: tuple[int, ...] = ()
    balance: int = shaping.EVEN


def _circle(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """Label from the noise-displaced point, stored point untouched: noise flips labels."""
    radius = 5.0
    n_neg, n_pos = spec.counts

    def ring(r_lo: float, r_hi: float, n: int) -> np.ndarray:
        r = rng.uniform(r_lo, r_hi, n)
        a = rng.uniform(0.0, TWO_PI, n)
        return np.column_stack((r * np.sin(a), r * np.cos(a)))  # (n, 2)

    pts = np.vstack((ring(0.0, radius * 0.5, n_pos), ring(radius * 0.7, radius, n_neg)))
    moved = pts + rng.uniform(-radius, radius, pts.shape) * noise     # (N, 2)
    y = np.where(np.hypot(moved[:, 0], moved[:, 1]) < radius * 0.5, 1.0, -1.0)
    return pts, y, 2


def _by_region(pts: np.ndarray, label: Callable[[np.ndarray], np.ndarray], offsets: np.ndarray,
               noise: float, spec: Spec, rng: np.random.Generator) -> np.ndarray:
    """(N,) labels of points spread over the square: a balance other than even first
    mirrors some points into the other class's region (shaping.mirror_for_balance); the
    label is read at the point displaced by offsets * noise. The mirror draws come from a
    stream of their own, so the other points and the shuffle stay as they were."""
    mirror = shaping.mirror_for_balance(label(pts) > 0, spec.balance,
                                        rng.spawn(1)[0] if spec.balance != shaping.EVEN else rng)
    pts[mirror, 0] = -pts[mirror, 0]
    return label(pts + offsets * noise)


def xor_label(p: np.ndarray) -> np.ndarray:
    """(N, 2) -> (N,) +1 where x * y >= 0 (first and third quadrants), else -1."""
    return np.where(p[:, 0] * p[:, 1] >= 0, 1.0, -1.0)


def _xor(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """Quadrants, pushed 0.3 off the axes; noise flips labels near the axes."""
    pts = rng.uniform(-5.0, 5.0, (spec.n, 2))
    pts += np.where(pts > 0, 0.3, -0.3)
    offsets = rng.uniform(-5.0, 5.0, pts.shape)
    return pts, _by_region(pts, xor_label, offsets, noise, spec, rng), 2


def _gauss(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """Two blobs; the Playground maps noise 0..0.5 linearly to variance 0.5..4."""
    variance = 0.5 + (4.0 - 0.5) * noise / 0.5
    std = math.sqrt(variance)
    n_neg, n_pos = spec.counts
    pos = rng.normal((2.0, 2.0), std, (n_pos, 2))
    neg = rng.normal((-2.0, -2.0), std, (n_neg, 2))
    y = np.concatenate((np.ones(n_pos), -np.ones(n_neg)))
    return np.vstack((pos, neg)), y, 2


def _arms(counts: list[int], phases: list[float], labels: list[float], noise: float,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Spiral arms of n points each: r = 5 i / n, t = 1.75 * 2 pi i / n + phase, plus
    U(-1, 1) * noise."""
    pts, ys = [], []
    for n, phase, label in zip(counts, phases, labels):
        i = np.arange(n, dtype=np.float64)
        r = i / max(n, 1) * 5.0
        t = 1.75 * i / max(n, 1) * TWO_PI + phase
        x = r * np.sin(t) + rng.uniform(-1.0, 1.0, n) * noise
        y = r * np.cos(t) + rng.uniform(-1.0, 1.0, n) * noise
        pts.append(np.column_stack((x, y)))
        ys.append(np.full(n, label))
    return np.vstack(pts), np.concatenate(ys)


def _spiral(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    n_neg, n_pos = spec.counts
    pts, y = _arms([n_pos, n_neg], [0.0, math.pi], [1.0, -1.0], noise, rng)
    return pts, y, 2


def _reg_plane(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """Target (x + y) / 10 read at the noise-displaced point."""
    pts = rng.uniform(-6.0, 6.0, (spec.n, 2))
    nz = rng.uniform(-6.0, 6.0, (spec.n, 2)) * noise
    y = ((pts[:, 0] + nz[:, 0]) + (pts[:, 1] + nz[:, 1])) / 10.0
    return pts, y, 0


_BUMPS = np.array([[-4.0, 2.5], [0.0, 2.5], [4.0, 2.5],
                   [-4.0, -2.5], [0.0, -2.5], [4.0, -2.5]])   # (6, 2) centres
_BUMP_SIGNS = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])     # (6,)


def reg_gauss_target(p: np.ndarray) -> np.ndarray:
    """(N, 2) points -> (N,) sign * clamp(1 - d/2, 0, 1) of the strongest of six bumps."""
    d = np.hypot(p[:, None, 0] - _BUMPS[:, 0], p[:, None, 1] - _BUMPS[:, 1])  # (N, 6)
    v = _BUMP_SIGNS * np.clip(1.0 - d / 2.0, 0.0, 1.0)                        # (N, 6)
    best = np.argmax(np.abs(v), axis=1)   # first maximum wins, as dataset.ts's strict ">"
    return v[np.arange(len(p)), best] + 0.0   # + 0.0 turns -0.0 into the Playground's 0


def _reg_gauss(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    pts = rng.uniform(-6.0, 6.0, (spec.n, 2))
    moved = pts + rng.uniform(-6.0, 6.0, (spec.n, 2)) * noise
    return pts, reg_gauss_target(moved), 0


# -- beyond the Playground ------------------------------------------------------------
MOON_SCALE = 10.0 / 3.0             # the moons span x in [-1, 2]: 3 units -> 10
MOON_CENTRE = np.array([0.5, 0.25])  # middle of the unscaled pair


def _moons(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """Two interleaving half circles (upper +1, lower -1), jitter std 2 * noise."""
    n_neg, n_pos = spec.counts
    t_up = rng.uniform(0.0, math.pi, n_pos)
    t_lo = rng.uniform(0.0, math.pi, n_neg)
    upper = np.column_stack((np.cos(t_up), np.sin(t_up)))
    lower = np.column_stack((1.0 - np.cos(t_lo), 0.5 - np.sin(t_lo)))
    pts = (np.vstack((upper, lower)) - MOON_CENTRE) * MOON_SCALE   # (N, 2)
    pts += rng.normal(0.0, 2.0 * noise, pts.shape)
    y = np.concatenate((np.ones(n_pos), -np.ones(n_neg)))
    return np.clip(pts, -6.0, 6.0), y, 2


def checker_label(p: np.ndarray) -> np.ndarray:
    """(N, 2) -> (N,) +1 on cells of 3 x 3 units with even index sum from (-6, -6), else -1."""
    cell = np.floor((p + 6.0) / 3.0).astype(np.int64)
    return np.where((cell[:, 0] + cell[:, 1]) % 2 == 0, 1.0, -1.0)


def _checkerboard(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """4 x 4 cells; like xor, noise flips labels (displacement U(-3, 3) * noise).
    Mirroring x moves a point to a cell of the other colour (4 cells across)."""
    pts = rng.uniform(-6.0, 6.0, (spec.n, 2))
    offsets = rng.uniform(-3.0, 3.0, pts.shape)
    return pts, _by_region(pts, checker_label, offsets, noise, spec, rng), 2


def blob_centres(k: int) -> np.ndarray:
    """(k, 2) centres evenly on a circle of radius 3.5, the first straight up."""
    a = TWO_PI * np.arange(k) / k + math.pi / 2
    return 3.5 * np.column_stack((np.cos(a), np.sin(a)))


def _blobs(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """k gaussian blobs of std 0.6 + 4 * noise, clipped to the square."""
    counts = spec.counts
    k = len(counts)
    std = 0.6 + 4.0 * noise
    pts = np.vstack([rng.normal(c, std, (m, 2)) for c, m in zip(blob_centres(k), counts)])
    y = np.repeat(np.arange(k, dtype=np.float64), counts)
    return np.clip(pts, -6.0, 6.0), y, k


def _spiral3(noise: float, rng: np.random.Generator, spec: Spec) -> Raw:
    """Three arms (of 167 points each by default), phases 2 pi k / 3, labels 0, 1, 2."""
    pts, y = _arms(list(spec.counts), [TWO_PI * c / 3 for c in range(3)], [0.0, 1.0, 2.0], noise, rng)
    return pts, y, 3


_GENERATORS: dict[str, Callable[[float, np.random.Generator, Spec], Raw]] = {
    "circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
    "reg-plane": _reg_plane, "reg-gauss": _reg_gauss, "moons": _moons,
    "checkerboard": _checkerboard, "blobs": _blobs, "spiral3": _spiral3,
}
assert set(_GENERATORS) == set(DATASETS) - set(CUSTOM), "DATASETS and generators disagree"
BY_REGION = ("xor", "checkerboard")   # labelled by where a point falls: balance is a chance


def set_classes(name: str, n_classes: int = 3) -> int:
    """How many classes a generator makes (0 for regression)."""
    k = DATASETS[name][1]
    return int(n_classes) if k is None else k


def generate(name: str, noise: float, rng: np.random.Generator, n_classes: int = 3, *,
             points: int = 0, balance: int = shaping.EVEN, flipped: int = 0,
             outliers: int = 0) -> Dataset:
    """A fresh data set, shuffled once (so the split takes a random part, like the Playground).

    noise is a fraction 0..0.5 (slider / 100); n_classes only matters for "blobs"; points
    (0 = the set's own count), balance, flipped and outliers (percent) as shaping.py says.
    """
    if name not in _GENERATORS:
        raise ValueError(f"no generator called {name!r}; one of {', '.join(_GENERATORS)}")
    noise = float(noise)
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise is a fraction 0..{MAX_NOISE}, not {noise} (percent / 100)")
    k = set_classes(name, n_classes)
    lo, hi = BLOB_CLASSES
    if name == "blobs" and not lo <= k <= hi:
        raise ValueError(f"blobs need {lo}..{hi} classes, not {k}")
    if points and not shaping.MIN_POINTS <= points <= shaping.MAX_POINTS:
        raise ValueError(f"points must be {shaping.MIN_POINTS}..{shaping.MAX_POINTS}, not {points}")
    n = int(points) or shaping.own_points(name, k)
    counts = tuple(int(c) for c in shaping.class_counts(n, k, balance)) if k and name not in BY_REGION else ()
    pts, y, k = _GENERATORS[name](noise, rng, Spec(n, counts, int(balance)))
    order = rng.permutation(len(pts))
    x, y = shaping.spoil(pts[order], y[order], k, flipped, outliers, rng)
    return Dataset(x, y, k)


def split(data: Dataset, train_ratio: int) -> tuple[Dataset, Dataset]:
    """(train, test): the first floor(N * ratio / 100) points train, as in the Playground."""
    ratio = int(train_ratio)
    if not 0 <= ratio <= 100:
        raise ValueError(f"train ratio is a percentage 0..100, not {train_ratio}")
    n_train = len(data) * ratio // 100
    return data.take(slice(0, n_train)), data.take(slice(n_train, None))


def make_data(name: str, noise_percent: int, train_ratio: int, seed: int,
              n_classes: int = 3, **shape: int) -> tuple[Dataset, Dataset]:
    """(train, test) for a Config's data settings: the seed alone fixes both. shape: the
    keywords points, balance, flipped and outliers of generate()."""
    rng = np.random.default_rng(seed)
    return split(generate(name, noise_percent / 100, rng, n_classes, **shape), train_ratio)


def class_index(y: np.ndarray, n_classes: int) -> np.ndarray:
    """(N,) labels -> (N,) int64 class numbers 0..K-1 (-1 -> 0 and +1 -> 1 for two classes)."""
    y = np.asarray(y, dtype=np.float64)
    if n_classes == 2:
        return (y > 0).astype(np.int64)
    if n_classes >= 3:
        return y.astype(np.int64)
    raise ValueError("regression targets have no class index")
