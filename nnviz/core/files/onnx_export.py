"""ONNX export: a float64 model from raw points (N, 2) to the network's output (N, n_out).

The graph includes the feature transform, so the model runs on its own. Everything is
float64 because onnxruntime's CPU provider has double kernels for every op used here;
its one gap, Elu, is composed from Where/Greater/Min/Exp/Sub. The onnx package is
imported inside the functions: only exporting pays for it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from nnviz.core.model.activations import LEAKY_SLOPE
from nnviz.core.model.network import Network

OPSET = 17
IR_VERSION = 8    # the IR version that goes with opset 17 (onnx 1.12), which onnxruntime reads


def build_model(network: Network, meta: dict[str, Any]):
    """The onnx.ModelProto computing network.predict (kept 2-D: (N, n_out))."""
    from onnx import TensorProto, helper, numpy_helper

    nodes: list = []
    inits: list = []

    def const(name: str, value) -> str:
        """An initializer, added once however often it is asked for."""
        if any(t.name == name for t in inits):
            return name
        arr = np.asarray(value)
        dtype = np.int64 if arr.dtype.kind in "iu" else np.float64
        inits.append(numpy_helper.from_array(arr.astype(dtype), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    # raw coordinates as (N, 1) columns
    axes = const("axis1", [1])
    x = node("Slice", ["points", const("start0", [0]), const("end1", [1]), axes], "x")
    y = node("Slice", ["points", const("start1", [1]), const("end2", [2]), axes], "y")
    made = {
        "x1": lambda: x,
        "x2": lambda: y,
        "x1^2": lambda: node("Mul", [x, x], "x1_sq"),
        "x2^2": lambda: node("Mul", [y, y], "x2_sq"),
        "x1*x2": lambda: node("Mul", [x, y], "x1_x2"),
        "sin(x1)": lambda: node("Sin", [x], "sin_x1"),
        "sin(x2)": lambda: node("Sin", [y], "sin_x2"),
    }
    cols = [made[f]() for f in network.feature_names]
    a = node("Concat", cols, "features", axis=1)            # (N, n_features)

    last = network.n_layers - 1
    for l, (w, b, act) in enumerate(zip(network.weights, network.biases, network.layer_activations)):
        wt = const(f"W{l}_T", np.ascontiguousarray(w.T))   # (n_in, n_out): a @ w.T + b
        z = node("Add", [node("MatMul", [a, wt], f"matmul{l}"), const(f"B{l}", b)], f"z{l}")
        out = "output" if l == last else f"a{l}"
        if act == "elu":   # where(z > 0, z, exp(min(z, 0)) - 1): no double Elu kernel
            zero, one = const("zero", 0.0), const("one", 1.0)
            low = node("Exp", [node("Min", [z, zero], f"zneg{l}")], f"exp{l}")
            neg = node("Sub", [low, one], f"em1_{l}")
            a = node("Where", [node("Greater", [z, zero], f"pos{l}"), z, neg], out)
        elif act == "leaky_relu":   # LeakyRelu's alpha is a float32 attribute: 0.01 in double here
            zero = const("zero", 0.0)
            neg = node("Mul", [z, const("slope", LEAKY_SLOPE)], f"leak{l}")
            a = node("Where", [node("Greater", [z, zero], f"pos{l}"), z, neg], out)
        elif act == "softmax":
            a = node("Softmax", [z], out, axis=1)
        else:
            op = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu", "sine": "Sin",
                  "linear": "Identity"}[act]
            a = node(op, [z], out)

    graph = helper.make_graph(
        nodes, "nnviz_network",
        [helper.make_tensor_value_info("points", TensorProto.DOUBLE, ["N", 2])],
        [helper.make_tensor_value_info("output", TensorProto.DOUBLE, ["N", network.layer_sizes[-1]])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="nnviz",
                              opset_imports=[helper.make_opsetid("", OPSET)],
                              doc_string="Input 'points' (N, 2) float64 raw coordinates; output "
                                         "'output' (N, n_out) float64, the network's output.")
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {"nnviz": json.dumps(meta)})
    return model


def onnx_bytes(network: Network, meta: dict[str, Any]) -> bytes:
    """The serialised, checked model (check_model raises if the graph were malformed)."""
    import onnx

    model = build_model(network, meta)
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString()
