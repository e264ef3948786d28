"""The exported PyTorch script against nnviz itself, with torch (skipped where it is absent).

The script's model predicts what nnviz predicts (float64, 1e-12), the .safetensors file
loads with strict=True, one optimisation step equals nnviz's step for every optimiser
with and without the penalty, training on from a half-finished epoch follows nnviz's own
run, and `python model.py` runs on its own and prints falling losses."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

from nnviz.core import Config, Trainer, files  # noqa: E402
from nnviz.core.config import ACTIVATIONS, FEATURES, OPTIMIZERS  # noqa: E402

from core.files.test_weights import OUTPUTS, make_net  # noqa: E402


@pytest.fixture(autouse=True)
def float64_default():
    """Importing a script sets torch's default dtype to float64; put it back afterwards."""
    old = torch.get_default_dtype()
    yield
    torch.set_default_dtype(old)


def load_script(path):
    """The exported script as a module (its main() does not run)."""
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def model_of(script):
    model = script.build_model()
    script.load_weights(model)
    return model


def exported(tmp_path, t: Trainer):
    """Export t and load what the script's main() would: (script, model, optimizer with
    nnviz's memory, train points, train targets)."""
    files.export_pytorch(t, tmp_path / "m.py")
    script = load_script(tmp_path / "m.py")
    model = model_of(script)
    optimizer = script.make_optimizer(model)
    script.load_optimizer_state(model, optimizer)
    x, labels, _, _ = script.read_data()
    return script, model, optimizer, x, script.targets_of(labels)


def params_of(model) -> np.ndarray:
    """The model's parameters in nnviz's flat layout: per layer the weights row-major, then the biases."""
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


# -- the model --------------------------------------------------------------------------------
@pytest.mark.parametrize("output,k", OUTPUTS)
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_the_model_predicts_what_nnviz_predicts(tmp_path, act, output, k):
    net = make_net(np.random.default_rng([k, ACTIVATIONS.index(act)]), act, output, k, feats=FEATURES,
                   hidden=(8, 6))
    files.export_weights(net, tmp_path / "net.py")
    model = model_of(load_script(tmp_path / "net.py"))
    pts = np.random.default_rng(7).uniform(-6, 6, (10_000, 2))
    with torch.no_grad():
        got = model(torch.from_numpy(pts)).numpy()
    assert got.dtype == np.float64 and got.shape == (10_000, k)
    np.testing.assert_allclose(got, net.predict(pts).reshape(10_000, k), rtol=0, atol=1e-12)


def test_the_weights_load_strictly_by_their_sequential_names(tmp_path):
    net = make_net(np.random.default_rng(3), "relu", "softmax_ce", 4, hidden=(5, 3))
    files.export_weights(net, tmp_path / "m.py")
    script = load_script(tmp_path / "m.py")
    model = script.build_model()
    state = safetensors_torch.load_file(tmp_path / "m.safetensors")
    result = model.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert list(model.state_dict()) == ["1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"]
    assert sorted(state) == sorted(model.state_dict())
    assert params_of(model).tobytes() == net.params.tobytes()
    with pytest.raises(RuntimeError):   # strict: a file for another shape is refused
        model.load_state_dict({**state, "7.weight": torch.zeros(1, 1)}, strict=True)


# -- one step, and training on ------------------------------------------------------------------
STEP_CONFIG = Config(dataset="xor", features=("x1", "x2", "x1*x2"), hidden_layers=(5, 3), activation="tanh",
                     learning_rate=0.1, batch_size=10, seed=3)


@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
@pytest.mark.parametrize("opt", OPTIMIZERS)
def test_one_step_equals_nnviz_step(tmp_path, opt, reg):
    """From the same weights and batch: the script's train_step and nnviz's step_batch."""
    t = Trainer(STEP_CONFIG.replace(optimizer=opt, regularization=reg, reg_rate=0.03 if reg != "none" else 0.0))
    files.export_pytorch(t, tmp_path / "m.py")
    script = load_script(tmp_path / "m.py")
    model = model_of(script)
    optimizer = script.make_optimizer(model)
    x, labels, _, _ = script.read_data()
    b = t.config.batch_size
    script.train_step(model, optimizer, x[:b], script.targets_of(labels[:b]), script.LEARNING_RATE)
    before = t.network.params.copy()
    t.step_batch()
    assert not np.array_equal(t.network.params, before)
    np.testing.assert_allclose(params_of(model), t.network.params, rtol=0, atol=1e-12)


@pytest.mark.parametrize("opt", OPTIMIZERS)
def test_training_on_follows_nnviz(tmp_path, opt):
    """Exported 3 batches into an epoch, with the optimiser's memory; the script's loop for
    two epochs ends where nnviz's train_epochs(2) ends. Batch 7 leaves a short last batch."""
    t = Trainer(STEP_CONFIG.replace(optimizer=opt, batch_size=7, lr_decay=0.05, learning_rate=0.03,
                                    regularization="l2", reg_rate=0.01))
    assert len(t.train_x) % 7 != 0
    t.train_epochs(4)
    for _ in range(3):
        t.step_batch()
    script, model, optimizer, x, targets = exported(tmp_path, t)
    assert (script.START_EPOCH, script.START_BATCH) == (4, 3)
    for epoch in range(script.START_EPOCH, script.START_EPOCH + 2):   # as the script's main() does
        script.train_epoch(model, optimizer, x, targets, epoch, script.START_BATCH if epoch == 4 else 0)
    assert t.train_epochs(2) == 2 and t.epoch == 6
    np.testing.assert_allclose(params_of(model), t.network.params, rtol=0, atol=1e-12)


def test_the_playground_sgd_trains_on_with_its_carried_points_and_dead_links(tmp_path):
    """Exported at an epoch's end with 5 points carried and links dead under L1: three more
    epochs in the script end where nnviz's end, the same links dead, since the same epochs."""
    t = Trainer(STEP_CONFIG.replace(batch_size=7, learning_rate=0.1, regularization="l1", reg_rate=0.1))
    t.train_epochs(4)
    assert t.carried_count == len(t.train_x) % 7 == 5 and np.any(t._dead)
    script, model, optimizer, x, targets = exported(tmp_path, t)
    for epoch in range(4, 7):
        script.train_epoch(model, optimizer, x, targets, epoch)
    t.train_epochs(3)
    assert t.carried_count == 5 and np.sum(t._dead != 0) > 0
    np.testing.assert_allclose(params_of(model), t.network.params, rtol=0, atol=1e-12)
    dead = np.concatenate([optimizer.state[p]["dead"].numpy().ravel() for p in model.parameters()])
    assert dead.tolist() == t._dead.tolist()


@pytest.mark.parametrize("output", ["sigmoid_bce", "softmax_ce", "tanh_mse"])
def test_the_losses_are_nnviz_losses(tmp_path, output):
    t = Trainer(STEP_CONFIG.replace(output=output))
    t.train_epochs(5)
    files.export_pytorch(t, tmp_path / "m.py")
    script = load_script(tmp_path / "m.py")
    model = model_of(script)
    x, labels, tx, tlabels = script.read_data()
    assert script.mean_loss(model, x, script.targets_of(labels)) == pytest.approx(t.train_loss, rel=1e-12)
    assert script.mean_loss(model, tx, script.targets_of(tlabels)) == pytest.approx(t.test_loss, rel=1e-12)


def test_regression_losses_and_steps(tmp_path):
    t = Trainer(Config(dataset="reg-plane", hidden_layers=(4,), optimizer="adam", learning_rate=0.01))
    t.train_epochs(3)
    script, model, optimizer, x, targets = exported(tmp_path, t)
    assert script.mean_loss(model, x, targets) == pytest.approx(t.train_loss, rel=1e-12)
    script.train_epoch(model, optimizer, x, targets, script.START_EPOCH)
    t.step_epoch()
    np.testing.assert_allclose(params_of(model), t.network.params, rtol=0, atol=1e-12)


# -- the script run on its own -------------------------------------------------------------------
def test_the_script_runs_on_its_own_and_its_losses_fall(tmp_path):
    t = Trainer(Config(dataset="circle", hidden_layers=(4, 2), seed=2))
    t.train_epochs(10)
    folder = tmp_path / "export"
    folder.mkdir()
    files.export_pytorch(t, folder / "model.py")
    start = (t.train_loss, t.test_loss)
    t.train_epochs(40)
    run = subprocess.run([sys.executable, "model.py", "--epochs", "40"], cwd=folder, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["epoch", "train", "loss", "test", "loss"]
    rows = [[float(v) for v in line.split()] for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(10, 51, 4))
    train = [r[1] for r in rows]
    assert all(b < a for a, b in zip(train, train[1:])), run.stdout   # falling at every report
    assert rows[0][1:] == pytest.approx(start, rel=1e-5)               # the losses nnviz showed
    assert rows[-1][1:] == pytest.approx((t.train_loss, t.test_loss), rel=1e-5)   # and where nnviz got to
    # and from another folder: it finds its files beside itself
    other = subprocess.run([sys.executable, str(folder / "model.py"), "--epochs", "1"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert other.returncode == 0 and re.match(r"\s+10\s", other.stdout.splitlines()[1]), other.stderr


def test_a_bare_network_script_runs_and_says_what_it_lacks(tmp_path):
    net = make_net(np.random.default_rng(4), "relu", "softmax_ce", 3)
    files.export_weights(net, tmp_path / "net.py")
    run = subprocess.run([sys.executable, "net.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    first = [float(v) for v in lines[0].split("->")[1].split(",")]
    np.testing.assert_allclose(first, net.predict([[-3.0, -3.0]])[0], atol=1e-6)
    assert "No training settings or data" in lines[-1]
