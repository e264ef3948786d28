"""Export for PyTorch without torch: the .safetensors file round-trips bit for bit through
safetensors.numpy, every script compiles and imports only what it uses, the data CSV holds
the points exactly, and a failed export changes nothing."""

from __future__ import annotations

import ast
import json
import os

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file

from nnviz.core import Config, Trainer, files
from nnviz.core.config import ACTIVATIONS, FEATURES, OPTIMIZERS
from nnviz.core.files import atomic, torch_export
from nnviz.core.files.torch_script import script_text

from core.files.test_weights import OUTPUTS, make_net


def names_of(net) -> list[str]:
    return [f"{1 + 2 * l}.{p}" for l in range(net.n_layers) for p in ("weight", "bias")]


# -- the weights file -----------------------------------------------------------------------
@pytest.mark.parametrize("output,k", OUTPUTS)
def test_safetensors_round_trip_is_bit_exact(tmp_path, output, k):
    rng = np.random.default_rng([k, len(output)])
    for wild in (False, True):
        net = make_net(rng, "elu", output, k, feats=FEATURES, hidden=(6, 4, 3), wild=wild)
        path = tmp_path / "w.safetensors"
        files.export_weights(net, path)
        got = load_file(path)
        assert sorted(got) == sorted(names_of(net)) == ["1.bias", "1.weight", "3.bias", "3.weight",
                                                         "5.bias", "5.weight", "7.bias", "7.weight"]
        for l in range(net.n_layers):
            w, b = got[f"{1 + 2 * l}.weight"], got[f"{1 + 2 * l}.bias"]
            assert w.dtype == b.dtype == np.float64
            assert w.shape == net.weights[l].shape and b.shape == net.biases[l].shape
            assert w.tobytes() == net.weights[l].tobytes() and b.tobytes() == net.biases[l].tobytes()
        with safe_open(str(path), "numpy") as f:
            meta = f.metadata()
        assert json.loads(meta["nnviz"]) == files.network_meta(net)
        assert meta["format"] == "nnviz-weights"
        assert meta["modules"].startswith("0: Features(x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)), "
                                          "1: nn.Linear(7, 6), 2: nn.ELU(), 3: nn.Linear(6, 4)")
    assert os.listdir(tmp_path) == ["w.safetensors"]


def test_a_network_without_hidden_layers(tmp_path):
    net = make_net(np.random.default_rng(2), hidden=())
    files.export_weights(net, tmp_path / "w.safetensors")
    assert sorted(load_file(tmp_path / "w.safetensors")) == ["1.bias", "1.weight"]


# -- the script -------------------------------------------------------------------------------
def imported_names(tree: ast.Module) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.asname or a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out += [a.asname or a.name for a in node.names]
    return out


def check_script(text: str) -> ast.Module:
    """It compiles, and every name it imports is used (no generated noise)."""
    compile(text, "model.py", "exec")
    tree = ast.parse(text)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for name in imported_names(tree):
        assert name in used, f"{name} is imported but not used"
    assert max(len(line) for line in text.splitlines()) <= 110
    return tree


CONFIGS = [Config(dataset="circle"),
           Config(dataset="xor", output="sigmoid_bce", optimizer="adam", regularization="l1", reg_rate=0.01),
           Config(dataset="xor", output="softmax_ce", optimizer="momentum", activation="sine"),
           Config(dataset="spiral3", features=FEATURES, hidden_layers=(8, 8, 4), optimizer="nesterov",
                  activation=("relu", "leaky_relu", "elu")),
           Config(dataset="reg-gauss", hidden_layers=(), optimizer="rmsprop", regularization="l2",
                  reg_rate=0.003, lr_decay=0.01),
           Config(dataset="gauss", activation="sigmoid", output="linear_mse", batch_size=7)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.dataset}-{c.optimizer}-{c.output}")
def test_every_script_compiles(tmp_path, config):
    t = Trainer(config)
    t.train_epochs(2)
    t.step_batch()
    files.export_pytorch(t, tmp_path / "model.py")
    text = (tmp_path / "model.py").read_text()
    tree = check_script(text)
    defs = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert {"Features", "build_model", "load_weights", "targets_of", "loss_fn", "make_optimizer",
            "penalty_step", "batches", "train_step", "train_epoch", "read_data", "main"} <= defs
    assert ("Sine" in defs) == ("sine" in t.network.layer_activations)
    assert "load_optimizer_state" in defs   # every optimiser has a memory; plain SGD's is the Playground's
    assert ("PlaygroundSGD" in defs) == (config.optimizer == "sgd")
    expected = ["model.csv", "model.py", "model.safetensors", "model-optimizer.safetensors"]
    assert sorted(os.listdir(tmp_path)) == sorted(expected)
    assert f"START_EPOCH = {t.epoch}" in text and f"START_BATCH = {t.batch}" in text
    assert f"LEARNING_RATE = {config.learning_rate!r}" in text and f"BATCH_SIZE = {config.batch_size}" in text
    reg = "None" if config.regularization == "none" else f'"{config.regularization}"'
    assert f"REGULARIZATION = {reg}" in text
    assert "weight_decay=" not in text   # the penalty is a step of its own


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("output,k", OUTPUTS[:4])
def test_a_bare_network_gets_a_script_that_says_what_it_lacks(tmp_path, act, output, k):
    net = make_net(np.random.default_rng(5), act, output, k, feats=("x1", "sin(x2)"))
    files.export_weights(net, tmp_path / "net.py")
    assert sorted(os.listdir(tmp_path)) == ["net.py", "net.safetensors"]
    text = (tmp_path / "net.py").read_text()
    tree = check_script(text)
    defs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert {"build_model", "load_weights", "loss_fn", "main"} <= defs and "train_epoch" not in defs
    assert "carries no training settings and no data" in text
    assert "export_pytorch(trainer" in text


def test_every_optimiser_compiles_with_its_settings():
    net = make_net(np.random.default_rng(1))
    for opt in OPTIMIZERS:
        training = torch_export.training_of(Trainer(Config(optimizer=opt, momentum=0.8, beta1=0.85,
                                                           epsilon=1e-7)), "d.csv", "o.safetensors")
        text = script_text(net, "w.safetensors", training)
        check_script(text)
        want = {"sgd": "PlaygroundSGD(model.parameters(), lr=LEARNING_RATE)",
                "momentum": "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.8)",
                "nesterov": "momentum=0.8, nesterov=True)",
                "rmsprop": "torch.optim.RMSprop(model.parameters(), lr=LEARNING_RATE, alpha=0.999, eps=1e-07)",
                "adam": "betas=(0.85, 0.999), eps=1e-07)"}[opt]
        assert want in text


# -- the data and the optimiser state -------------------------------------------------------
def test_data_csv_holds_the_points_in_training_order(tmp_path):
    t = Trainer(Config(dataset="reg-plane", noise=30, seed=4))
    files.export_pytorch(t, tmp_path / "m.py")
    lines = (tmp_path / "m.csv").read_text().splitlines()
    assert lines[0] == "x,y,label,split" and len(lines) == 1 + len(t.train_x) + len(t.test_x)
    rows = [line.split(",") for line in lines[1:]]
    got = np.array([[float(a), float(b), float(c)] for a, b, c, _ in rows])
    want = np.column_stack([np.concatenate([t.train_x, t.test_x]), np.concatenate([t.train_y, t.test_y])])
    assert got.tobytes() == want.tobytes()
    assert [r[3] for r in rows] == ["train"] * len(t.train_x) + ["test"] * len(t.test_x)
    back = files.load_csv(tmp_path / "m.csv")   # nnviz's own data import reads it too
    assert back.data.x.tobytes() == want[:, :2].tobytes() and back.data.n_classes == 0
    assert back.is_test.tolist() == [r[3] == "test" for r in rows]      # and keeps the split


def test_optimiser_state_is_nnviz_memory_in_torch_form(tmp_path):
    t = Trainer(Config(optimizer="adam"))
    t.train_epochs(3)
    files.export_pytorch(t, tmp_path / "m.py")
    got = load_file(tmp_path / "m-optimizer.safetensors")
    s, net = t.state_dict(), t.network
    for l, (w0, b0) in enumerate(zip(net.w_off, net.b_off)):
        n_out, n_in = net.weights[l].shape
        w = f"{1 + 2 * l}.weight"
        assert got[f"{w}.exp_avg"].tobytes() == s["opt_m"][w0:b0].tobytes()
        assert got[f"{w}.exp_avg_sq"].shape == (n_out, n_in)
        assert got[f"{1 + 2 * l}.bias.exp_avg_sq"].tobytes() == s["opt_v"][b0:b0 + n_out].tobytes()
        assert got[f"{w}.step"].shape == () and float(got[f"{w}.step"]) == t.total_steps == 75

    t = Trainer(Config(optimizer="momentum", learning_rate=0.1))
    t.train_epochs(2)
    files.export_pytorch(t, tmp_path / "m.py")
    got = load_file(tmp_path / "m-optimizer.safetensors")
    m = t.state_dict()["opt_m"]
    assert got["1.weight.momentum_buffer"].ravel().tobytes() == m[:8].tobytes()   # torch's buffer already
    assert sorted({k.split(".", 2)[2] for k in got}) == ["momentum_buffer"]

    t = Trainer(Config(batch_size=30, regularization="l1", reg_rate=0.3))   # 250 points: 10 carried
    t.train_epochs(2)
    files.export_pytorch(t, tmp_path / "m.py")
    got = load_file(tmp_path / "m-optimizer.safetensors")
    s = t.state_dict()
    assert sorted({k.split(".", 2)[2] for k in got}) == ["carried", "carried_points", "dead"]
    assert got["1.weight.carried"].ravel().tobytes() == s["carry_acc"][:8].tobytes()
    assert float(got["3.bias.carried_points"]) == t.carried_count == 10
    assert got["1.weight.dead"].ravel().tolist() == s["dead"][:8].tolist() and np.any(s["dead"])


# -- failures ---------------------------------------------------------------------------------
def test_a_failed_script_export_changes_nothing(tmp_path, monkeypatch):
    t = Trainer(Config(optimizer="adam"))
    files.export_pytorch(t, tmp_path / "m.py")
    old = {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)}
    t.train_epochs(1)
    real = atomic._temp_beside
    for fail_at in range(4):   # the disk fills up while writing file 1, 2, 3 or 4
        calls = []

        def temp(*args, **kwargs):
            calls.append(1)
            if len(calls) > fail_at:
                raise OSError(28, "No space left on device")
            return real(*args, **kwargs)

        with monkeypatch.context() as m:
            m.setattr(atomic, "_temp_beside", temp)
            with pytest.raises(OSError, match="No space"):
                files.export_pytorch(t, tmp_path / "m.py")
        assert {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)} == old   # no stray file
    files.export_pytorch(t, tmp_path / "m.py")
    assert (tmp_path / "m.safetensors").read_bytes() != old["m.safetensors"]


def test_refusals(tmp_path):
    t = Trainer(Config())
    with pytest.raises(OSError):
        files.export_pytorch(t, tmp_path / "missing" / "m.py")
    with pytest.raises(ValueError, match="use .py or .safetensors"):
        files.export_pytorch(t, tmp_path / "m.json")
    t.network.params[2] = np.nan
    for name in ("m.py", "m.safetensors"):
        with pytest.raises(ValueError, match="not a finite number"):
            files.export_pytorch(t, tmp_path / name)
        with pytest.raises(ValueError, match="not a finite number"):
            files.export_weights(t.network, tmp_path / name)
    assert os.listdir(tmp_path) == []


def test_overwriting_keeps_the_files_permissions(tmp_path):
    t = Trainer(Config())
    files.export_pytorch(t, tmp_path / "m.py")
    os.chmod(tmp_path / "m.py", 0o755)
    files.export_pytorch(t, tmp_path / "m.py")
    assert os.stat(tmp_path / "m.py").st_mode & 0o777 == 0o755
    assert os.stat(tmp_path / "m.csv").st_mode & 0o777 == 0o644


def test_the_readme_example_writes_what_it_says(tmp_path, monkeypatch):
    import re

    from helpers import ROOT
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### For PyTorch"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert sorted(os.listdir(tmp_path)) == ["net.py", "net.safetensors", "spiral-optimizer.safetensors",
                                            "spiral.csv", "spiral.py", "spiral.safetensors"]
    assert namespace["trainer"].epoch == 200
    assert "START_EPOCH = 200" in (tmp_path / "spiral.py").read_text()
    assert "no training settings and no data" in (tmp_path / "net.py").read_text()
