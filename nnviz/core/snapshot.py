"""Snapshot: an immutable copy of everything a view needs to paint one frame.

The worker builds one from its Trainer and emits it; views read it and never see a
buffer the trainer is still writing (every array here is a fresh copy).

Grid pictures: `grid[l]` has shape (n_l, GRID, GRID) float32, the output of every neuron
of layer l (l = 0 are the input features, the last is the output layer) over a
GRID x GRID lattice on [-6, 6]^2, indexed [neuron, iy, ix] with iy = 0 at y = -6
(bottom) and ix = 0 at x = -6 (left): `GRID_AXIS[i] = -6 + 12 * i / (GRID - 1)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnviz.core.config import Config

GRID = 100
GRID_AXIS = np.linspace(-6.0, 6.0, GRID)  # (GRID,) coordinates of grid columns and rows


@dataclass(frozen=True)
class Snapshot:
    config: Config
    feature_names: tuple[str, ...]        # display names of the inputs, e.g. "X1"
    layer_sizes: tuple[int, ...]          # (n_in, hidden..., n_out)
    weights: tuple[np.ndarray, ...]       # weights[l][j, i]: neuron i of layer l -> j of l+1, (n_out, n_in)
    biases: tuple[np.ndarray, ...]        # biases[l]: (n_{l+1},)
    grad_weights: tuple[np.ndarray, ...]  # last step's averaged gradient, same shapes as weights
    grad_biases: tuple[np.ndarray, ...]
    grid: tuple[np.ndarray, ...]          # grid[l]: (n_l, GRID, GRID) float32, see module doc
    epoch: int                            # completed epochs
    batch: int                            # mini-batches done inside the current epoch
    batches_per_epoch: int
    total_steps: int                      # mini-batch updates since the network was built
    train_loss: float                     # without the penalty, as the Playground shows it
    test_loss: float
    train_accuracy: float                 # fraction 0..1; nan for regression
    test_accuracy: float
    r2_test: float                        # coefficient of determination; nan for classification
    confusion: np.ndarray                 # (K, K) counts on the test set, rows = true class; (0, 0) for regression
    history_epoch: np.ndarray             # (H,) epoch numbers of the curves below
    history_train: np.ndarray             # (H,) train loss
    history_test: np.ndarray              # (H,) test loss
    history_grad: np.ndarray              # (H, L) RMS weight gradient per layer (gradient flow)
    train_x: np.ndarray                   # (N_train, 2) raw coordinates
    train_y: np.ndarray                   # (N_train,) labels (-1/+1, 0..K-1) or targets
    test_x: np.ndarray                    # (N_test, 2)
    test_y: np.ndarray                    # (N_test,)
    last_batch: np.ndarray                # (b,) indices into train_x the last update averaged; empty if none
    n_classes: int                        # 0 regression, 2 (labels -1/+1), K >= 3 (labels 0..K-1)
    playing: bool = False
    diverged: str = ""                    # non-empty: a message in words about the divergence
    seq: int = 0                          # increases with every snapshot the worker emits
    edit_log: tuple[str, ...] = field(default_factory=tuple)  # recent edits applied, newest last
    history_stride: int = 1               # the history keeps epochs that are multiples of this, and the latest
    network_id: int = 0                   # the worker's number for this network: a new one on a rebuild,
                                          # Reset, an opened session or imported weights; an edit
                                          # carries it back and is refused once it changed
    unsaved: bool = False                 # trained or edited since the last save or open
    # the Playground's SGD: dead[l][j, i] the epoch (from 1) link i -> j died in under L1,
    # 0 while alive; () when none can die
    dead: tuple[np.ndarray, ...] = field(default_factory=tuple)
    carried: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (r,) points
    # whose gradient waits for the next update (SGD's leftover at an epoch's end)
    carried_count: int = 0                # how many points that gradient sums (carried may not know them)
    stuck: str = ""                       # non-empty: why the network can no longer learn
    # the change the last update made to each weight (new - old), like weights; zeros before one
    last_update: tuple[np.ndarray, ...] = field(default_factory=tuple)
    # the optimiser's velocity per weight (momentum's buffer, Adam's first moment), like
    # weights; () for SGD and RMSprop, which keep none
    velocity: tuple[np.ndarray, ...] = field(default_factory=tuple)

    @property
    def n_layers(self) -> int:
        """Number of weight matrices (hidden layers + 1)."""
        return len(self.weights)
