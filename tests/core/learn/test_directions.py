"""The plane's axes: one parameter, filter-normalised random directions (checked neuron by
neuron), the path's principal components (against numpy's SVD), and projection onto a
plane (points built on the plane come back with exactly their coordinates)."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Config, Trainer, parameter_direction, pca_directions, project, random_directions
from nnviz.core.config import FEATURES
from nnviz.core.learn.directions import filter_normalized, parameter_index, parameter_label

NET_B = Config(dataset="spiral", features=FEATURES, hidden_layers=(8,) * 6)


def rows(network, d):
    """Per layer: the (n_out, n_in) weight rows and (n_out,) biases of a flat vector d."""
    for w0, b0, w in zip(network.w_off, network.b_off, network.weights):
        n_out, n_in = w.shape
        yield d[w0:b0].reshape(n_out, n_in), d[b0:b0 + n_out]


@pytest.mark.parametrize("config", [Config(), NET_B, Config(dataset="blobs", n_classes=5, hidden_layers=(3,))])
def test_filter_normalisation_holds_for_every_neuron(config: Config) -> None:
    t = Trainer(config)
    t.train_epochs(2)
    net = t.network
    d1, d2 = random_directions(net, seed=7)
    for d in (d1, d2):
        for (dw, db), (w, b) in zip(rows(net, d), rows(net, net.params)):
            for j in range(len(db)):
                got = np.sqrt(np.sum(dw[j] ** 2) + db[j] ** 2)
                want = np.sqrt(np.sum(w[j] ** 2) + b[j] ** 2)
                assert got == pytest.approx(want, rel=1e-12)
    # the overall size is the weights' own: every neuron's slice has its neuron's norm
    assert np.linalg.norm(d1) == pytest.approx(np.linalg.norm(net.params), rel=1e-12)
    assert abs(d1 @ d2) < 0.5 * np.linalg.norm(d1) * np.linalg.norm(d2)     # two different directions


def test_li_et_al_biases_option_zeroes_them_and_normalises_weights_alone() -> None:
    net = Trainer(NET_B).network
    raw = np.random.default_rng(1).standard_normal(net.params.size)
    d = filter_normalized(raw, net, include_biases=False)
    for (dw, db), (w, _) in zip(rows(net, d), rows(net, net.params)):
        assert np.all(db == 0.0)
        assert np.allclose(np.linalg.norm(dw, axis=1), np.linalg.norm(w, axis=1), rtol=1e-12, atol=0)


def test_a_neuron_with_zero_parameters_gets_a_zero_slice_and_directions_stay_fixed() -> None:
    t = Trainer(Config())
    net = t.network
    net.weights[0][1, :] = 0.0
    net.biases[0][1] = 0.0
    d1, _ = random_directions(net, seed=4)
    (dw, db), *_ = rows(net, d1)
    assert np.all(dw[1] == 0.0) and db[1] == 0.0
    again = random_directions(net, seed=4)
    assert np.array_equal(again[0], d1)
    assert not np.array_equal(random_directions(net, seed=5)[0], d1)
    all_zero = Trainer(Config(init="zeros")).network
    assert not np.any(random_directions(all_zero, seed=0)[0])


def test_one_parameter_is_a_unit_vector_at_its_flat_index() -> None:
    net = Trainer(Config()).network
    d = parameter_direction(net, ("weight", 1, 1, 3))
    assert d.sum() == 1.0 and d[parameter_index(net, ("weight", 1, 1, 3))] == 1.0
    net.params[:] = np.arange(net.params.size)
    assert net.params[parameter_index(net, ("weight", 1, 1, 3))] == net.weights[1][1, 3]
    assert net.params[parameter_index(net, ("bias", 2, 0))] == net.biases[2][0]
    for bad in (("weight", 0, 4, 0), ("weight", 3, 0, 0), ("bias", 0, 9), ("weight", -1, 0, 0), ("neuron", 0, 0),
                ("bias", 0), None, ("weight", 0, "a", 0)):
        with pytest.raises(ValueError):
            parameter_direction(net, bad)
    sizes, names = net.layer_sizes, ("X\u2081", "X\u2082")
    assert parameter_label(sizes, names, ("weight", 0, 2, 1)) == "weight X\u2082\u2192L1\u00b73"
    assert parameter_label(sizes, names, ("weight", 2, 0, 1)) == "weight L2\u00b72\u2192out"
    assert parameter_label(sizes, names, ("bias", 1, 0)) == "bias L2\u00b71"


def test_points_on_a_plane_project_back_to_exactly_their_coordinates() -> None:
    rng = np.random.default_rng(0)
    p = 433
    w = rng.normal(size=p)
    d1 = rng.normal(size=p)
    d2 = 0.6 * d1 + rng.normal(size=p)              # far from orthogonal: least squares, not dot products
    ab = rng.uniform(-2, 2, size=(50, 2))
    points = w + ab[:, :1] * d1 + ab[:, 1:] * d2
    assert np.allclose(project(points, w, d1, d2), ab, rtol=0, atol=1e-12)
    # a point off the plane lands at its orthogonal projection
    off = np.linalg.svd(np.stack([d1, d2]))[2][2]     # orthogonal to both
    assert np.allclose(project(points + 3.0 * off, w, d1, d2), ab, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="plane"):
        project(points, w, d1, 2 * d1)


def test_pca_finds_the_plane_a_path_lies_in_and_matches_numpys_svd() -> None:
    rng = np.random.default_rng(3)
    p, k = 9793, 256                                    # the largest network, a full recorder
    w = rng.normal(size=p)
    e = np.linalg.qr(rng.normal(size=(p, 2)))[0].T      # an orthonormal plane
    coords = np.column_stack([np.linspace(-3, 0, k), 0.4 * np.sin(np.linspace(0, 9, k))])
    path = w + coords @ e                               # a path in that plane, ending at w
    d1, d2, share = pca_directions(path, w)
    assert abs(d1 @ d2) < 1e-12 and np.linalg.norm(d1) == pytest.approx(1.0, abs=1e-12)
    got = project(path, w, d1, d2)                      # the path's PCA coordinates
    back = w + got @ np.stack([d1, d2])
    assert np.allclose(back, path, rtol=0, atol=1e-10)  # the plane holds the whole path
    assert share.sum() == pytest.approx(1.0, abs=1e-12) and share[0] > share[1]
    # independent reference: numpy's SVD of the centred path
    x = (path - w) - (path - w).mean(axis=0)
    vt = np.linalg.svd(x, full_matrices=False)[2]
    for mine, ref in zip((d1, d2), vt[:2]):
        assert abs(abs(mine @ ref) - 1.0) < 1e-10
    # orientation: the start of the path lies on the negative side of both axes
    assert got[0, 0] < 0 and got[0, 1] <= 0


def test_pca_of_a_general_path_gives_exact_coordinates_of_its_projection() -> None:
    rng = np.random.default_rng(8)
    path = np.cumsum(rng.normal(size=(40, 60)), axis=0)
    w = path[-1]
    d1, d2, _ = pca_directions(path, w)
    c = project(path, w, d1, d2)
    assert np.allclose(c, np.column_stack([(path - w) @ d1, (path - w) @ d2]), rtol=0, atol=1e-12)
    assert np.allclose(c[-1], 0.0, atol=1e-12)


def test_pca_needs_a_path_that_has_turned() -> None:
    w = np.zeros(5)
    with pytest.raises(ValueError, match="fewer than three"):
        pca_directions(np.ones((2, 5)), w)
    line = np.outer(np.arange(6.0), np.arange(5.0))
    with pytest.raises(ValueError, match="straight line"):
        pca_directions(line, w)
