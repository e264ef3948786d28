"""The shape of a generated data set beyond the Playground's noise: how many points, how
they are shared among the classes, labels flipped on purpose, and outliers.

Every setting is a whole percentage (or a count), as the Playground's sliders are, and
its default leaves the Playground's data untouched bit for bit: the extra random draws
are made only when a setting asks for them, after all of the generator's own draws.

- Points: 50..10,000; 0 stands for the set's own count (500, 1200 for regression, 501
  for the 3-arm spiral).
- Balance b (10..90 %): for two classes the share of class +1; for K classes the sizes
  change evenly from the first class to the last, the last having b : (1 - b) times
  the first's points. 50 % is even. Sets made class by class (circle, gauss, spiral,
  moons, blobs, 3-arm spiral) get exactly those counts; sets labelled by region (XOR,
  checkerboard) draw points over the whole square, so there each point is of class +1
  with probability b (at 50 % that is the Playground's own uniform draw).
- Flipped labels (0..50 %): exactly that share of the points, picked at random, gets
  another class (-1 <-> +1; with K classes one of the others, at random).
- Outliers (0..50 %): exactly that share, picked among the points not flipped, is moved
  to a uniformly random place in the square, keeping its class or target.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.config import POINTS_RANGE

MIN_POINTS, MAX_POINTS = POINTS_RANGE
EVEN = 50                      # class_balance for even classes
EXTENT = 6.0                   # outliers land uniformly in [-EXTENT, EXTENT]^2
REGRESSION_POINTS = 1200       # the Playground's regression sets
OWN_POINTS = {"spiral3": 501}  # three arms of 167
PLAYGROUND_POINTS = 500


def own_points(name: str, n_classes: int) -> int:
    """The count a set makes when the Points setting is 0 (its own)."""
    if name in OWN_POINTS:
        return OWN_POINTS[name]
    return REGRESSION_POINTS if n_classes == 0 else PLAYGROUND_POINTS


def share(n: int, percent: int) -> int:
    """round(n * percent / 100), halves up, in integers (no float ties)."""
    return (int(n) * int(percent) + 50) // 100


def class_counts(n: int, k: int, balance: int = EVEN) -> np.ndarray:
    """(k,) points of each class (index order: -1 then +1 for two classes), summing to n.

    Class c gets the weight (K - 1) * 100 + (2b - 100)(2c - (K - 1)): a straight line from
    the first class to the last, whose end weights are in the ratio (100 - b) : b. The
    counts are the largest-remainder rounding of n in those proportions, ties to the
    lower class, in integers: even weights give n // k each and one more to the first
    n % k classes, exactly the Playground's and our blobs' rule.
    """
    n, k, b = int(n), int(k), int(balance)
    c = np.arange(k, dtype=np.int64)
    w = (k - 1) * 100 + (2 * b - 100) * (2 * c - (k - 1))          # (k,) > 0 for b in 1..99
    total = int(w.sum())
    counts = n * w // total
    rem = n * w % total
    extra = n - int(counts.sum())
    counts[np.argsort(-rem, kind="stable")[:extra]] += 1
    return counts


def mirror_for_balance(clean: np.ndarray, balance: int, rng: np.random.Generator) -> np.ndarray:
    """(N,) bool: which points of a region-labelled set to mirror (x -> -x moves a point
    into the other class's region and keeps it uniform there), so each point ends in
    class +1 with probability b. `clean` (N,) is True where a point is in the +1 region.
    At 50 % nothing is drawn and nothing moves."""
    b = int(balance)
    if b == EVEN:
        return np.zeros(len(clean), dtype=bool)
    u = rng.random(len(clean))                                     # (N,)
    if b < EVEN:
        return clean & (u < 1.0 - 2.0 * b / 100.0)                 # some +1 become -1
    return ~clean & (u < 2.0 * b / 100.0 - 1.0)                    # some -1 become +1


def spoil(x: np.ndarray, y: np.ndarray, n_classes: int, flipped: int, outliers: int,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(N, 2) points and (N,) labels with `flipped` % of the labels changed and `outliers`
    % of the points moved anywhere (disjoint sets); new arrays. Regression targets are
    never flipped. Nothing is drawn when both are 0."""
    n = len(x)
    n_flip = share(n, flipped) if n_classes else 0
    n_out = share(n, outliers)
    if n_flip == 0 and n_out == 0:
        return x, y
    x, y = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    pick = rng.permutation(n)
    flip, move = pick[:n_flip], pick[n_flip:n_flip + n_out]
    if n_classes == 2:
        y[flip] = -y[flip]
    elif n_classes >= 3:
        y[flip] = (y[flip] + rng.integers(1, n_classes, n_flip)) % n_classes
    x[move] = rng.uniform(-EXTENT, EXTENT, (n_out, 2))
    return x, y
