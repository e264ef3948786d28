"""The controls panel turns every user action into exactly one valid Config."""

from __future__ import annotations

import dataclasses
import random

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from nnviz.core.config import DATASETS, LEARNING_RATES, MAX_LAYERS, MAX_NEURONS, Config, repair
from nnviz.gui.controls.panel import ControlsPanel

NON_DEFAULT = Config(
    dataset="blobs", noise=25, train_ratio=70, n_classes=4, custom_classes=3, seed=3_000_000_000,
    n_points=3000, class_balance=35, label_noise=10, outliers=5,
    features=("x1", "x2", "x1*x2", "sin(x2)"), hidden_layers=(8, 5, 3),
    activation=("relu", "tanh", "sine"), output="softmax_ce", init="he", init_scale=2.5,
    learning_rate=0.1, lr_decay=0.01, batch_size=17, optimizer="adam", momentum=0.8,
    beta1=0.85, beta2=0.99, epsilon=1e-6, regularization="l2", reg_rate=0.003,
    stop_epoch=2500, stop_loss=0.0125)


@pytest.fixture
def panel(qtbot):
    p = ControlsPanel()
    qtbot.addWidget(p)
    p.resize(320, 900)
    p.show()
    p.emitted = []
    p.config_changed.connect(p.emitted.append)
    p.changes = []
    p.settings_changed.connect(lambda changes, config: p.changes.append((changes, config)))
    return p


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.LeftButton)


def choose(combo, value) -> None:
    """Pick an item the way a user does: the combo's current index changes."""
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def changed_fields(a: Config, b: Config) -> set[str]:
    return {f.name for f in dataclasses.fields(Config) if getattr(a, f.name) != getattr(b, f.name)}


def test_default_config(panel):
    assert panel.config() == Config()
    assert panel.emitted == []


def test_set_config_round_trip_emits_nothing(panel):
    assert changed_fields(Config(), NON_DEFAULT) == {f.name for f in dataclasses.fields(Config)}
    panel.set_config(NON_DEFAULT)
    assert panel.config() == NON_DEFAULT
    assert panel.emitted == []
    assert panel.data.seed.value() == NON_DEFAULT.seed      # beyond a C int, shown whole
    # the widgets really hold it: a later action changes only its own field
    choose(panel.training.learning_rate, 0.3)
    assert len(panel.emitted) == 1
    assert changed_fields(NON_DEFAULT, panel.emitted[0]) == {"learning_rate"}
    click_layer = panel.network.layers.plus
    click_layer.click()
    new = panel.emitted[-1]
    assert new.hidden_layers == (8, 5, 3, 2)
    assert new.activations == ("relu", "tanh", "sine", "tanh")


def test_set_config_keeps_a_uniform_per_layer_tuple(panel):
    cfg = Config(activation=("relu", "relu"))
    panel.set_config(cfg)
    assert panel.config() == cfg
    choose(panel.training.learning_rate, 0.1)
    assert panel.emitted[-1].activation == ("relu", "relu")   # still a tuple: no rebuild


def test_set_config_shows_values_beyond_the_lists(qtbot, panel):
    cfg = Config(dataset="custom", learning_rate=0.05, reg_rate=0.02, batch_size=100)
    panel.set_config(cfg)
    assert panel.config() == cfg and panel.emitted == []
    assert panel.data.dataset_buttons["custom"].isVisibleTo(panel)
    assert panel.training.learning_rate.currentText() == "0.05"
    assert panel.data.batch.label.text() == "100"
    click(qtbot, panel.data.dataset_buttons["xor"])
    assert changed_fields(cfg, panel.emitted[-1]) == {"dataset"}
    assert not panel.data.dataset_buttons["custom"].isVisibleTo(panel)


def test_set_config_rejects_non_config(panel):
    with pytest.raises(TypeError):
        panel.set_config({"dataset": "xor"})


def test_click_spiral_thumbnail(qtbot, panel):
    click(qtbot, panel.data.dataset_buttons["spiral"])
    assert [c.dataset for c in panel.emitted] == ["spiral"]
    assert changed_fields(Config(), panel.emitted[0]) == {"dataset"}
    click(qtbot, panel.data.dataset_buttons["spiral"])   # same again: nothing new
    assert len(panel.emitted) == 1


def test_only_sets_of_the_problem_type_are_shown(qtbot, panel):
    shown = {n for n, b in panel.data.dataset_buttons.items() if b.isVisibleTo(panel)}
    assert shown == {n for n, (k, _) in DATASETS.items() if k == "classification"} - {"custom"}
    click(qtbot, panel.data.problem_buttons["regression"])
    shown = {n for n, b in panel.data.dataset_buttons.items() if b.isVisibleTo(panel)}
    assert shown == {"reg-plane", "reg-gauss"}


def test_regression_picks_a_regression_set_and_auto_output(qtbot, panel):
    choose(panel.network.output, "sigmoid_bce")
    assert panel.emitted[-1].output == "sigmoid_bce"
    click(qtbot, panel.data.problem_buttons["regression"])
    assert len(panel.emitted) == 2
    cfg = panel.emitted[-1]
    assert cfg.problem == "regression" and cfg.output == "auto"
    assert panel.network.output.currentData() == "auto"
    # outputs a regression set cannot use are greyed out
    model = panel.network.output.model()
    enabled = {panel.network.output.itemData(i) for i in range(model.rowCount())
               if model.item(i).isEnabled()}
    assert enabled == {"auto", "linear_mse"}
    click(qtbot, panel.data.dataset_buttons["reg-gauss"])
    click(qtbot, panel.data.problem_buttons["classification"])
    assert panel.emitted[-1].dataset == "circle"        # the last classification set
    click(qtbot, panel.data.problem_buttons["regression"])
    assert panel.emitted[-1].dataset == "reg-gauss"     # and the last regression set


def test_blobs_classes(qtbot, panel):
    assert not panel.data.classes.isEnabled()
    choose(panel.network.output, "tanh_mse")
    click(qtbot, panel.data.dataset_buttons["blobs"])
    assert panel.emitted[-1].output == "auto"          # tanh cannot do three classes
    assert panel.data.classes.isEnabled()
    panel.data.classes.setValue(5)
    assert panel.emitted[-1].n_classes == 5 and panel.emitted[-1].classes == 5
    assert len(panel.emitted) == 3


def test_add_and_remove_layers(qtbot, panel):
    click(qtbot, panel.network.layers.plus)
    assert panel.emitted[-1].hidden_layers == (4, 2, 2)
    assert panel.network.rows[2].isVisibleTo(panel)
    for _ in range(MAX_LAYERS + 5):
        click(qtbot, panel.network.layers.plus)
    assert len(panel.config().hidden_layers) == MAX_LAYERS
    assert len(panel.emitted) == MAX_LAYERS - 2
    assert not panel.network.layers.plus.isEnabled()
    for _ in range(MAX_LAYERS + 5):
        click(qtbot, panel.network.layers.minus)
    assert panel.config().hidden_layers == ()
    assert len(panel.emitted) == 2 * MAX_LAYERS - 2
    assert not any(row.isVisibleTo(panel) for row in panel.network.rows)


def test_neuron_bounds(qtbot, panel):
    plus, minus = panel.network.rows[0].neurons.plus, panel.network.rows[0].neurons.minus
    click(qtbot, plus)
    assert panel.emitted[-1].hidden_layers == (5, 2)
    for _ in range(MAX_NEURONS + 5):
        click(qtbot, plus)
    assert panel.config().hidden_layers == (MAX_NEURONS, 2)
    assert len(panel.emitted) == MAX_NEURONS - 4
    for _ in range(MAX_NEURONS + 5):
        click(qtbot, minus)
    assert panel.config().hidden_layers == (1, 2)
    assert len(panel.emitted) == 2 * MAX_NEURONS - 5
    assert not minus.isEnabled()


def test_per_layer_activation(panel):
    choose(panel.network.rows[1].activation, "relu")
    assert panel.emitted[-1].activation == ("tanh", "relu")
    choose(panel.network.activation, "sigmoid")
    assert panel.emitted[-1].activation == ("sigmoid", "relu")
    choose(panel.network.rows[1].activation, "same")
    assert panel.emitted[-1].activation == "sigmoid"


def test_feature_toggles(qtbot, panel):
    b = panel.features.buttons
    click(qtbot, b["x1^2"])
    assert panel.emitted[-1].features == ("x1", "x2", "x1^2")
    click(qtbot, b["x1"])
    click(qtbot, b["x2"])
    assert panel.emitted[-1].features == ("x1^2",)
    click(qtbot, b["x1^2"])                 # the last one cannot go
    assert len(panel.emitted) == 3
    assert b["x1^2"].isChecked()
    assert panel.config().features == ("x1^2",)


def test_learning_rate_change_differs_only_there(panel):
    choose(panel.training.learning_rate, LEARNING_RATES[-2])
    assert len(panel.emitted) == 1
    assert changed_fields(Config(), panel.emitted[0]) == {"learning_rate"}
    assert panel.emitted[0].learning_rate == LEARNING_RATES[-2]


def test_regularisation(panel):
    t = panel.training
    assert not t.reg_rate.isEnabled()
    choose(t.regularization, "l1")
    assert changed_fields(Config(), panel.emitted[-1]) == {"regularization"}
    assert t.reg_rate.isEnabled()
    choose(t.reg_rate, 0.03)
    assert panel.emitted[-1].regularization == "l1" and panel.emitted[-1].reg_rate == 0.03


@pytest.mark.parametrize("optimizer, shown", [
    ("sgd", set()), ("momentum", {"momentum"}), ("nesterov", {"momentum"}),
    ("rmsprop", {"beta2", "epsilon"}), ("adam", {"beta1", "beta2", "epsilon"})])
def test_optimizer_parameters_shown(panel, optimizer, shown):
    t = panel.training
    if optimizer != "sgd":
        choose(t.optimizer, optimizer)
        assert panel.emitted[-1].optimizer == optimizer
    visible = {n for n in ("momentum", "beta1", "beta2", "epsilon")
               if getattr(t, n).isVisibleTo(panel)}
    assert visible == shown
    beta2_label = t.form.labelForField(t.beta2).text()
    assert ("Decay" in beta2_label) == (optimizer == "rmsprop")


def test_adam_parameters_emit(panel):
    t = panel.training
    choose(t.optimizer, "adam")
    t.beta1.setValue(0.8)
    assert panel.emitted[-1].beta1 == pytest.approx(0.8)
    choose(t.epsilon, 1e-4)
    assert panel.emitted[-1].epsilon == 1e-4
    assert len(panel.emitted) == 3


def test_sliders_and_seed(panel):
    d = panel.data
    d.noise.slider.setValue(30)
    d.ratio.slider.setValue(80)
    d.batch.slider.setValue(25)
    d.seed.setValue(42)
    cfg = panel.emitted[-1]
    assert (cfg.noise, cfg.train_ratio, cfg.batch_size, cfg.seed) == (30, 80, 25, 42)
    assert len(panel.emitted) == 4
    assert d.noise.label.text() == "30%"


def test_regenerate(qtbot, panel):
    with qtbot.waitSignal(panel.regenerate_requested, timeout=500):
        click(qtbot, panel.data.regenerate)
    assert panel.emitted == []


def test_wheel_scrolls_past_controls_without_changing_them(panel):
    panel.resize(320, 400)                     # short, so the panel can scroll
    QApplication.processEvents()
    combo = panel.training.learning_rate
    combo.clearFocus()
    pos = QPointF(combo.rect().center())
    wheel = QWheelEvent(pos, combo.mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(combo, wheel)
    assert combo.currentData() == Config().learning_rate
    assert panel.emitted == []
    assert panel.scroll.verticalScrollBar().value() > 0   # the panel scrolled instead


def _actions(panel, rng: random.Random):
    """Random user actions; each returns nothing and touches one control."""
    d, f, n, t = panel.data, panel.features, panel.network, panel.training

    def visible_button(buttons):
        shown = [b for b in buttons if b.isVisibleTo(panel) and b.isEnabled()]
        return rng.choice(shown) if shown else None

    def click_one(buttons):
        b = visible_button(buttons)
        if b is not None:
            b.click()

    def any_combo_item(combo):
        combo.setCurrentIndex(rng.randrange(combo.count()))  # also greyed-out items

    rows = n.rows
    return [
        lambda: click_one(d.dataset_buttons.values()),
        lambda: click_one(d.problem_buttons.values()),
        lambda: d.classes.setValue(rng.randint(3, 5)),
        lambda: d.noise.slider.setValue(rng.randint(0, 50)),
        lambda: d.ratio.slider.setValue(rng.randint(10, 90)),
        lambda: d.batch.slider.setValue(rng.randint(1, 30)),
        lambda: d.seed.setValue(rng.randint(0, 1000)),
        lambda: click_one(f.buttons.values()),
        lambda: click_one([n.layers.plus, n.layers.minus]),
        lambda: click_one([b for r in rows for b in (r.neurons.plus, r.neurons.minus)]),
        lambda: click_one([r.neurons.plus for r in rows] * 3),
        lambda: any_combo_item(rng.choice([r.activation for r in rows])),
        lambda: any_combo_item(n.activation),
        lambda: any_combo_item(n.output),
        lambda: any_combo_item(n.init),
        lambda: any_combo_item(t.learning_rate),
        lambda: t.lr_decay.setValue(rng.choice([0.0, 0.001, 0.01, 0.5])),
        lambda: any_combo_item(t.optimizer),
        lambda: t.momentum.setValue(rng.uniform(0, 0.999)),
        lambda: t.beta1.setValue(rng.uniform(0, 0.999)),
        lambda: t.beta2.setValue(rng.uniform(0, 0.9999)),
        lambda: any_combo_item(t.epsilon),
        lambda: any_combo_item(t.regularization),
        lambda: any_combo_item(t.reg_rate),
    ]


def _assert_widgets_show(panel, cfg: Config) -> None:
    """What the user sees is the config (so the next action starts from it)."""
    assert panel.data.dataset_buttons[cfg.dataset].isChecked()
    assert {n for n, b in panel.features.buttons.items() if b.isChecked()} == set(cfg.features)
    net = panel.network
    rows = net.rows[:len(cfg.hidden_layers)]
    assert [r.neurons.value for r in rows] == list(cfg.hidden_layers)
    shared = net.activation.currentData()
    shown = tuple(shared if r.activation.currentData() == "same" else r.activation.currentData()
                  for r in rows)
    assert shown == cfg.activations
    assert net.output.currentData() == cfg.output
    assert panel.training.learning_rate.currentData() == cfg.learning_rate
    assert panel.training.optimizer.currentData() == cfg.optimizer


def test_random_actions_always_emit_valid_configs(panel):
    rng = random.Random(1234)
    actions = _actions(panel, rng)
    previous = panel.config()
    for step in range(300):
        before = len(panel.emitted)
        rng.choice(actions)()
        new = panel.emitted[before:]
        assert len(new) <= 1, f"step {step}: {len(new)} emissions for one action"
        if new:
            cfg = new[0]
            assert isinstance(cfg, Config)
            cfg.validate()
            assert cfg != previous, f"step {step}: emitted an unchanged config"
            # the same action as the fields it changed: exactly those, and they rebuild it
            fields, shown = panel.changes[-1]
            assert shown == cfg and set(fields) == changed_fields(previous, cfg)
            assert repair(previous, fields) == cfg
            previous = cfg
        assert len(panel.changes) == len(panel.emitted)
        assert panel.config() == previous
        _assert_widgets_show(panel, previous)
    assert len(panel.emitted) > 150
    # the final state survives a round trip through a fresh panel
    other = ControlsPanel()
    other.set_config(panel.config())
    assert other.config() == panel.config()
    other.deleteLater()
