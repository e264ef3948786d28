"""The picture grid (the compiled float32 kernel, and BLAS for wide networks) against the
float64 numpy forward pass."""

import numpy as np
import pytest

from nnviz.core.config import ACTIVATIONS, FEATURES
from nnviz.core.model import features
from nnviz.core.model.grid_kernel import tanh32
from nnviz.core.model.network import Network
from nnviz.core.snapshot import GRID, GRID_AXIS

OUTPUTS = [("tanh_mse", 1), ("sigmoid_bce", 1), ("softmax_ce", 4), ("linear_mse", 1)]
TOL = 2e-5   # float32 pictures: a few float32 ulp per layer, scaled by the weights


@pytest.mark.parametrize("blas", [False, True])
@pytest.mark.parametrize("output,k", OUTPUTS)
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_every_neuron_matches_the_float64_forward_pass(act, output, k, blas):
    rng = np.random.default_rng([ACTIVATIONS.index(act), k])
    net = Network((len(FEATURES), 8, 5, k), (act, act), output, tuple(FEATURES))
    net.params[:] = rng.normal(0.0, 0.5, net.params.size)
    grid = net.grid_outputs(blas=blas)
    xx, yy = np.meshgrid(GRID_AXIS, GRID_AXIS)            # [iy, ix]
    _, outs = net.forward(features.transform(np.column_stack([xx.ravel(), yy.ravel()]), net.feature_names))
    assert len(grid) == len(net.layer_sizes)
    for g, ref, n in zip(grid, outs, net.layer_sizes):
        assert g.shape == (n, GRID, GRID) and g.dtype == np.float32
        want = ref.T.reshape(n, GRID, GRID)                 # [neuron, iy, ix]
        scale = np.maximum(1.0, np.abs(want))
        assert np.max(np.abs(g - want) / scale) < TOL
    # the output picture is predict() on the lattice, y up: row iy is y = GRID_AXIS[iy]
    iy, ix = 80, 17
    p = net.predict([[GRID_AXIS[ix], GRID_AXIS[iy]]])
    assert grid[-1][:, iy, ix] == pytest.approx(np.ravel(p), abs=TOL)


@pytest.mark.parametrize("blas", [None, False, True])
def test_largest_network_and_no_hidden_layer(blas):
    rng = np.random.default_rng(3)
    for sizes in [(7, *([32] * 10), 10), (2, 1)]:
        hidden = ("tanh",) * (len(sizes) - 2)
        out = "softmax_ce" if sizes[-1] > 1 else "tanh_mse"
        net = Network(sizes, hidden, out, tuple(FEATURES)[:sizes[0]])
        net.params[:] = rng.uniform(-0.5, 0.5, net.params.size)
        grid = net.grid_outputs(blas=blas)
        ref = net.predict(np.column_stack([np.repeat(GRID_AXIS, GRID), np.tile(GRID_AXIS, GRID)]))
        # points ordered (x slow, y fast) are column-major in the [iy, ix] picture
        got = grid[-1].transpose(0, 2, 1).reshape(sizes[-1], -1)
        assert np.max(np.abs(got - np.atleast_2d(ref.T))) < TOL


def test_tanh32_is_within_a_few_float32_ulp():
    from numba import njit

    @njit
    def many(x):
        out = np.empty_like(x)
        for k in range(x.size):
            out[k] = tanh32(x[k])
        return out

    x = np.linspace(-20.0, 20.0, 400_001).astype(np.float32)
    err = np.abs(many(x).astype(np.float64) - np.tanh(x.astype(np.float64)))
    assert err.max() < 4 * np.spacing(np.float32(1.0))     # 4 ulp of 1.0, about 4.8e-7
    special = many(np.float32([np.nan, np.inf, -np.inf, 0.0, -1e-30]))
    assert np.isnan(special[0]) and list(special[1:3]) == [1.0, -1.0] and special[3] == 0.0


@pytest.mark.parametrize("blas", [False, True])
def test_diverged_parameters_give_nan_pictures_not_an_error(blas):
    net = Network((2, 3, 1), ("tanh",), "tanh_mse", ("x1", "x2"))
    net.params[:] = np.nan
    grid = net.grid_outputs(blas=blas)
    assert np.isnan(grid[-1]).all() and np.isfinite(grid[0]).all()
