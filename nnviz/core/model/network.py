"""Network: layer sizes and parameters, and the vectorised forward pass.

All parameters live in one flat float64 vector `params`; `weights[l]` (n_out, n_in) and
`biases[l]` (n_out,) are views into it, so the compiled kernel, the optimiser state and
the views all share one layout: weights of layer l at `w_off[l]` row-major, then its
biases at `b_off[l]`. `weights[l][j, i]` is the link from neuron i of layer l to neuron
j of layer l + 1 (Nielsen's convention).
"""

from __future__ import annotations

import functools

import numpy as np

from nnviz.core import compiled as compiled_kernels
from nnviz.core.model import activations, features, grid_blas, losses
from nnviz.core.snapshot import GRID, GRID_AXIS

Array = np.ndarray


class Network:
    def __init__(self, layer_sizes: tuple[int, ...], hidden_activations: tuple[str, ...],
                 output_kind: str, feature_names: tuple[str, ...]):
        if len(layer_sizes) != len(hidden_activations) + 2:
            raise ValueError("one activation per hidden layer is needed")
        if layer_sizes[0] != len(feature_names):
            raise ValueError("the input layer must have one neuron per feature")
        self.layer_sizes = tuple(int(n) for n in layer_sizes)
        self.hidden_activations = tuple(hidden_activations)
        self.output_kind = output_kind
        self.feature_names = tuple(feature_names)
        offsets, pos = [], 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            offsets.append((pos, pos + n_in * n_out))
            pos += n_in * n_out + n_out
        self.w_off = np.array([o[0] for o in offsets], dtype=np.int64)  # (L,)
        self.b_off = np.array([o[1] for o in offsets], dtype=np.int64)  # (L,)
        self.params = np.zeros(pos)  # (P,) every weight and bias
        self.weights: list[Array] = []
        self.biases: list[Array] = []
        for l, (n_in, n_out) in enumerate(zip(self.layer_sizes[:-1], self.layer_sizes[1:])):
            w0, b0 = self.w_off[l], self.b_off[l]
            self.weights.append(self.params[w0:w0 + n_in * n_out].reshape(n_out, n_in))
            self.biases.append(self.params[b0:b0 + n_out])

    # -- structure -----------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight matrices."""
        return len(self.layer_sizes) - 1

    @property
    def layer_activations(self) -> tuple[str, ...]:
        """Activation of each non-input layer, the output one included."""
        return (*self.hidden_activations, losses.OUTPUT_ACTIVATION[self.output_kind])

    def activation_codes(self) -> Array:
        return np.array([activations.CODES[a] for a in self.layer_activations], dtype=np.int64)

    def copy(self) -> "Network":
        net = Network(self.layer_sizes, self.hidden_activations, self.output_kind, self.feature_names)
        net.params[:] = self.params
        return net

    def set_params(self, params: Array) -> None:
        """Overwrite every parameter in place (views stay valid)."""
        self.params[:] = params

    # -- initialisation --------------------------------------------------------------
    def initialize(self, method: str, rng: np.random.Generator, scale: float = 1.0) -> None:
        """Draw weights layer by layer, row-major (the Playground's order), times `scale`.

        "constant" gives every weight the value `scale` and every bias 0.1: the neurons of a
        layer then start identical, get identical gradients and stay identical for good,
        which is why random starts exist ("zeros" is the special case where nothing moves).
        """
        for w, b in zip(self.weights, self.biases):
            n_out, n_in = w.shape
            if method == "playground":
                w[:] = rng.uniform(-0.5, 0.5, size=w.shape)
                b[:] = 0.1
            elif method == "xavier":
                a = np.sqrt(6.0 / (n_in + n_out))
                w[:] = rng.uniform(-a, a, size=w.shape)
                b[:] = 0.0
            elif method == "he":
                w[:] = rng.normal(0.0, np.sqrt(2.0 / n_in), size=w.shape)
                b[:] = 0.0
            elif method == "zeros":
                w[:] = 0.0
                b[:] = 0.0
            elif method == "constant":
                w[:] = 1.0
                b[:] = 0.1
            else:
                raise ValueError(f"unknown init {method!r}")
            if scale != 1.0:
                w *= scale

    # -- forward ---------------------------------------------------------------------
    def forward(self, x: Array, dtype=np.float64) -> tuple[list[Array], list[Array]]:
        """Forward pass of a feature matrix x (N, n_in).

        Returns (zs, outs): zs[l] (N, n_{l+1}) pre-activations of layer l+1, outs[l]
        (N, n_l) outputs of layer l with outs[0] = x. Backprop needs both.
        """
        a = np.asarray(x, dtype=dtype)
        outs, zs = [a], []
        for w, b, act in zip(self.weights, self.biases, self.layer_activations):
            z = a @ w.T.astype(dtype) + b.astype(dtype)
            a = activations.apply(act, z)
            zs.append(z)
            outs.append(a)
        return zs, outs

    def predict(self, points: Array) -> Array:
        """Network output for raw points (N, 2): (N,) for one output, (N, K) for softmax."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        out = self.forward(features.transform(pts, self.feature_names))[1][-1]
        return out[:, 0] if out.shape[1] == 1 else out

    def grid_outputs(self, compiled: bool | None = None, blas: bool | None = None) -> tuple[Array, ...]:
        """Every neuron's output over the GRID x GRID lattice: per layer (n_l, GRID, GRID) float32.

        Computed by the compiled float32 kernel (about 1 ms for the 7-input 6x8 network,
        GIL released), or for a wide network by BLAS (grid_blas.py, which needs no compile;
        blas=True or False forces a path); the arrays are views into one buffer made fresh
        for each call. compiled=None follows nnviz.core.compiled: while the kernel is still
        being compiled in the background, the numpy forward pass in float32 draws the same
        pictures.
        """
        wide = blas if blas is not None else sum(w.size for w in self.weights) >= grid_blas.BLAS_FROM
        if not wide and not (compiled if compiled is not None else compiled_kernels.available()):
            with np.errstate(all="ignore"):   # a diverged network draws NaN, as the kernel does
                outs = self.forward(grid_features(self.feature_names).T, dtype=np.float32)[1]   # (G*G, n_l) each
            return tuple(np.ascontiguousarray(o.T, dtype=np.float32).reshape(-1, GRID, GRID) for o in outs)
        sizes = np.array(self.layer_sizes, dtype=np.int64)
        out = np.empty((int(sizes.sum()), GRID * GRID), dtype=np.float32)  # row = neuron, column = iy * GRID + ix
        if wide:
            grid_blas.grid_forward_blas(self.weights, self.biases, self.layer_activations,
                                        grid_features(self.feature_names), out)
        else:
            from nnviz.core.model import grid_kernel  # here: numba loads only when pictures are drawn
            grid_kernel.grid_forward(self.params, self.w_off, self.b_off, sizes, self.activation_codes(),
                                     grid_features(self.feature_names), out)
        rows = np.cumsum((0, *self.layer_sizes))
        return tuple(out[a:b].reshape(b - a, GRID, GRID) for a, b in zip(rows[:-1], rows[1:]))


@functools.lru_cache(maxsize=16)
def grid_features(names: tuple[str, ...]) -> Array:
    """(len(names), GRID * GRID) float32 input features of the lattice, column iy * GRID + ix.

    The lattice never moves, so each feature set is computed once; read-only because shared.
    """
    xx, yy = np.meshgrid(GRID_AXIS, GRID_AXIS)  # [iy, ix]
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    f = np.ascontiguousarray(features.transform(pts, names).T, dtype=np.float32)
    f.flags.writeable = False
    return f
