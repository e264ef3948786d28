"""ONNX export: a checked model that onnxruntime runs to the network's own output."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from nnviz.core import files
from nnviz.core.config import ACTIVATIONS, FEATURES
from nnviz.core.model.network import Network

ort = pytest.importorskip("onnxruntime")
OUTPUTS = [("tanh_mse", 1), ("sigmoid_bce", 1), ("linear_mse", 1),
           ("softmax_ce", 3), ("softmax_ce", 5)]
TOL = 1e-6   # the brief's bound; float64 throughout gives ~1e-14 in practice


def _net(rng, act, output, k, feats=FEATURES, hidden=(6, 4), scale=1.0) -> Network:
    net = Network((len(feats), *hidden, k), (act,) * len(hidden), output, feats)
    net.params[:] = rng.normal(0.0, scale, net.params.size)
    return net


def _run(path, pts: np.ndarray) -> np.ndarray:
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    return sess.run(["output"], {"points": pts})[0]


@pytest.mark.parametrize("output,k", OUTPUTS)
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_onnxruntime_matches_predict(tmp_path, act, output, k):
    rng = np.random.default_rng([11, ACTIVATIONS.index(act), k, len(output)])
    net = _net(rng, act, output, k, scale=1.5)
    path = tmp_path / "net.onnx"
    files.export_weights(net, path)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    pts = rng.uniform(-6.0, 6.0, (1000, 2))
    got = _run(path, pts)
    assert got.shape == (1000, k) and got.dtype == np.float64
    want = net.predict(pts).reshape(1000, k)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    assert np.abs(got - want).max() < 1e-12    # what float64 actually gives


@pytest.mark.parametrize("feats", [("x1",), ("sin(x2)",), ("x2", "x1"), ("x1*x2", "x1^2", "x2^2"),
                                   FEATURES])
def test_every_feature_and_order(tmp_path, feats):
    rng = np.random.default_rng(len(feats))
    net = _net(rng, "tanh", "tanh_mse", 1, feats=feats, hidden=(3,))
    files.export_weights(net, tmp_path / "f.onnx")
    pts = rng.uniform(-6.0, 6.0, (1000, 2))
    np.testing.assert_allclose(_run(tmp_path / "f.onnx", pts)[:, 0], net.predict(pts), rtol=0, atol=TOL)


@pytest.mark.parametrize("hidden", [(), (32,) * 10])
def test_no_hidden_layer_and_the_largest_network(tmp_path, hidden):
    rng = np.random.default_rng(len(hidden))
    net = _net(rng, "leaky_relu", "softmax_ce", 10, hidden=hidden, scale=0.3)
    files.export_weights(net, tmp_path / "n.onnx")
    pts = rng.uniform(-6.0, 6.0, (1000, 2))
    np.testing.assert_allclose(_run(tmp_path / "n.onnx", pts), net.predict(pts), rtol=0, atol=TOL)


def test_model_interface(tmp_path):
    net = _net(np.random.default_rng(3), "elu", "softmax_ce", 4, hidden=(5,))
    files.export_weights(net, tmp_path / "m.onnx")
    model = onnx.load(str(tmp_path / "m.onnx"))
    assert [o.version for o in model.opset_import] == [17]
    (inp,), (out,) = model.graph.input, model.graph.output
    assert inp.name == "points" and inp.type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    assert [d.dim_value or d.dim_param for d in inp.type.tensor_type.shape.dim] == ["N", 2]
    assert out.name == "output"
    assert [d.dim_value or d.dim_param for d in out.type.tensor_type.shape.dim] == ["N", 4]
    meta = json.loads({p.key: p.value for p in model.metadata_props}["nnviz"])
    assert meta["layer_sizes"] == [7, 5, 4] and meta["activations"] == ["elu"]
    used = {i for n in model.graph.node for i in n.input}
    assert all(t.name in used for t in model.graph.initializer)   # nothing unused
    # one point or none at all: the batch dimension is free
    assert _run(tmp_path / "m.onnx", np.zeros((1, 2))).shape == (1, 4)
    assert _run(tmp_path / "m.onnx", np.zeros((0, 2))).shape == (0, 4)
