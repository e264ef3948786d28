"""Every setting of a run, as one frozen dataclass (the desktop form of the Playground URL).

A Config is immutable: the GUI builds a new one with `dataclasses.replace` and sends it
to the worker, which decides from `reset_scope(old, new)` what has to be rebuilt.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from nnviz.core.errors import quote
from nnviz.core.limits import MAX_LAYERS, MAX_NEURONS, MAX_SEED, MAX_STOP_EPOCH

# Name -> (kind, number of classes); None means "set by Config.n_classes" (blobs),
# -1 "set by Config.custom_classes" (data the user brought).
DATASETS: dict[str, tuple[str, int | None]] = {
    "circle": ("classification", 2),
    "xor": ("classification", 2),
    "gauss": ("classification", 2),
    "spiral": ("classification", 2),
    "moons": ("classification", 2),
    "checkerboard": ("classification", 2),
    "blobs": ("classification", None),
    "spiral3": ("classification", 3),
    "reg-plane": ("regression", 0),
    "reg-gauss": ("regression", 0),
    # points loaded from CSV or drawn by hand: classes from Config.custom_classes
    "custom": ("classification", -1),
    "custom-regression": ("regression", 0),
}
CUSTOM = ("custom", "custom-regression")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu", "sine")
# output unit + loss; "auto" = the Playground's choice for the data (tanh+MSE for two
# classes, linear+MSE for regression) and softmax+cross-entropy for more classes.
OUTPUTS = ("auto", "tanh_mse", "sigmoid_bce", "softmax_ce", "linear_mse")
INITS = ("playground", "xavier", "he", "zeros", "constant")
MAX_INIT_SCALE = 100.0   # a larger start only shows saturation more slowly to compute
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
# The Playground's drop-down values.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
# The shape of generated data (nnviz.core.data.shaping says what each means).
POINTS_RANGE = (50, 10_000)      # n_points; 0 = the data set's own count
BALANCE_RANGE = (10, 90)         # class_balance, percent
MAX_LABEL_NOISE = 50             # label_noise, percent of labels flipped
MAX_OUTLIERS = 50                # outliers, percent of points moved anywhere


@dataclass(frozen=True)
class Config:
    """One run's settings. Defaults are the Playground's."""

    # data
    dataset: str = "circle"          # a key of DATASETS
    noise: int = 0                   # percent, 0..50; generators get noise / 100
    train_ratio: int = 50            # percent of points used for training, 10..90
    n_classes: int = 3               # only for "blobs": 3..5 classes
    custom_classes: int = 2          # only for "custom" data: 2..10 classes, from the points
    n_points: int = 0                # 50..10,000 points; 0 = the set's own (500, 1200 for regression)
    class_balance: int = 50          # percent of class +1 (K classes: a tilt to the last); 50 = even
    label_noise: int = 0             # percent of labels flipped to another class (classification)
    outliers: int = 0                # percent of points moved to a random place, class kept
    seed: int = 0                    # seeds data, initial weights and nothing else
    # network
    features: tuple[str, ...] = ("x1", "x2")
    hidden_layers: tuple[int, ...] = (4, 2)       # neurons per hidden layer
    activation: str | tuple[str, ...] = "tanh"    # one name, or one per hidden layer
    output: str = "auto"             # one of OUTPUTS
    init: str = "playground"         # U[-0.5, 0.5) weights, biases 0.1
    init_scale: float = 1.0          # the initial weights times this; "constant": every weight equals it
    # training
    learning_rate: float = 0.03
    lr_decay: float = 0.0            # lr / (1 + lr_decay * epoch)
    batch_size: int = 10
    optimizer: str = "sgd"           # the Playground's plain mini-batch SGD
    momentum: float = 0.9            # momentum and Nesterov
    beta1: float = 0.9               # Adam
    beta2: float = 0.999             # Adam; also RMSprop's decay rate
    epsilon: float = 1e-8            # Adam and RMSprop
    regularization: str = "none"     # one of REGULARIZATIONS
    reg_rate: float = 0.0
    # stop conditions while playing (changing them keeps training going)
    stop_epoch: int = 0              # pause on reaching this epoch; 0 = never
    stop_loss: float = 0.0           # pause once the test loss is at most this; 0 = never

    def __post_init__(self) -> None:
        self.validate()

    # -- derived -------------------------------------------------------------------
    @property
    def problem(self) -> str:
        """'classification' or 'regression', from the data set."""
        return DATASETS[self.dataset][0]

    @property
    def classes(self) -> int:
        """0 for regression, 2 for two classes (labels -1/+1), K >= 3 (labels 0..K-1)."""
        n = DATASETS[self.dataset][1]
        return self.n_classes if n is None else self.custom_classes if n == -1 else n

    @property
    def data_shape(self) -> dict[str, int]:
        """The keywords of data.datasets.generate() for the data's shape."""
        return {"points": self.n_points, "balance": self.class_balance,
                "flipped": self.label_noise, "outliers": self.outliers}

    @property
    def output_kind(self) -> str:
        """The output/loss pair in use, with "auto" resolved."""
        if self.output != "auto":
            return self.output
        if self.problem == "regression":
            return "linear_mse"
        return "tanh_mse" if self.classes == 2 else "softmax_ce"

    @property
    def n_outputs(self) -> int:
        return self.classes if self.output_kind == "softmax_ce" else 1

    @property
    def activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.hidden_layers)
        return tuple(self.activation)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """(n_inputs, hidden..., n_outputs)."""
        return (len(self.features), *self.hidden_layers, self.n_outputs)

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-ready values (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, raw: object) -> "Config":
        """A Config from its JSON form; ValueError names an unknown setting or a wrong type."""
        if not isinstance(raw, dict):
            raise ValueError("the settings are not an object")
        defaults = cls()
        unknown = sorted(set(raw) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown settings {quote(', '.join(map(str, unknown)), -1)}")
        values = {}
        for key, v in raw.items():
            default = getattr(defaults, key)
            v = tuple(v) if isinstance(v, list) else v
            if key == "activation":
                ok = isinstance(v, str) or (isinstance(v, tuple) and all(isinstance(a, str) for a in v))
            elif isinstance(default, tuple):
                kind = type(default[0]) if default else str
                ok = isinstance(v, tuple) and all(_is(kind, e) for e in v)
            else:
                ok = _is(type(default), v)
            if not ok:
                raise ValueError(f"the setting {key} = {quote(v)} has the wrong type")
            values[key] = v
        try:
            return cls(**values)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    # -- validation ----------------------------------------------------------------
    def validate(self) -> None:
        """Raise ValueError with a readable message for any setting out of range."""
        def need(ok: bool, msg: str) -> None:
            if not ok:
                raise ValueError(msg)

        need(self.dataset in DATASETS, f"unknown data set {quote(self.dataset)}")
        need(0 <= self.noise <= 50, "noise must be 0..50 (percent)")
        need(10 <= self.train_ratio <= 90, "train ratio must be 10..90 (percent)")
        need(3 <= self.n_classes <= 5, "blobs need 3..5 classes")
        need(2 <= self.custom_classes <= 10, "custom data needs 2..10 classes")
        lo, hi = POINTS_RANGE
        need(isinstance(self.n_points, int) and (self.n_points == 0 or lo <= self.n_points <= hi),
             f"the number of points must be {lo}..{hi:,} (or 0 for the data set's own)")
        lo, hi = BALANCE_RANGE
        need(isinstance(self.class_balance, int) and lo <= self.class_balance <= hi,
             f"the class balance must be {lo}..{hi} (percent)")
        need(isinstance(self.label_noise, int) and 0 <= self.label_noise <= MAX_LABEL_NOISE,
             f"label noise must be 0..{MAX_LABEL_NOISE} (percent)")
        need(isinstance(self.outliers, int) and 0 <= self.outliers <= MAX_OUTLIERS,
             f"outliers must be 0..{MAX_OUTLIERS} (percent)")
        need(len(self.features) >= 1, "at least one input feature is needed")
        need(all(f in FEATURES for f in self.features), f"unknown feature in {quote(self.features)}")
        need(len(set(self.features)) == len(self.features), "a feature is listed twice")
        need(0 <= len(self.hidden_layers) <= MAX_LAYERS, f"0..{MAX_LAYERS} hidden layers")
        need(all(1 <= int(n) <= MAX_NEURONS for n in self.hidden_layers),
             f"1..{MAX_NEURONS} neurons per layer")
        need(len(self.activations) == len(self.hidden_layers),
             "one activation per hidden layer is needed")
        need(all(a in ACTIVATIONS for a in self.activations), f"unknown activation {quote(self.activation)}")
        need(self.output in OUTPUTS, f"unknown output {quote(self.output)}")
        kind = self.output_kind
        if self.problem == "regression":
            need(kind == "linear_mse", "regression needs the linear output")
        elif self.classes > 2:
            need(kind == "softmax_ce", "more than two classes need the softmax output")
        need(self.init in INITS, f"unknown init {quote(self.init)}")
        need(isinstance(self.init_scale, (int, float)) and math.isfinite(self.init_scale)
             and 0 < self.init_scale <= MAX_INIT_SCALE, f"the init scale must be above 0 and at most {MAX_INIT_SCALE:g}")
        need(self.optimizer in OPTIMIZERS, f"unknown optimiser {quote(self.optimizer)}")
        need(self.regularization in REGULARIZATIONS, f"unknown regularisation {quote(self.regularization)}")
        for name in ("learning_rate", "lr_decay", "momentum", "beta1", "beta2", "epsilon", "reg_rate"):
            v = getattr(self, name)
            need(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0, f"{name} must be a finite number >= 0")
        need(self.learning_rate > 0, "learning rate must be > 0")
        need(self.momentum < 1 and self.beta1 < 1 and self.beta2 < 1, "momentum and betas must be < 1")
        need(1 <= self.batch_size <= 1000, "batch size must be 1..1000")
        need(isinstance(self.seed, int) and 0 <= self.seed <= MAX_SEED, f"seed must be 0..{MAX_SEED}")
        need(isinstance(self.stop_epoch, int) and 0 <= self.stop_epoch <= MAX_STOP_EPOCH,
             f"the stop epoch must be 0..{MAX_STOP_EPOCH}")
        need(isinstance(self.stop_loss, (int, float)) and math.isfinite(self.stop_loss) and self.stop_loss >= 0,
             "the stop loss must be a finite number >= 0")


def _is(kind: type, v: object) -> bool:
    """JSON type check: a bool is not an int, an int is a fine float."""
    if isinstance(v, bool):
        return kind is bool
    if kind is float:
        return isinstance(v, (int, float))
    return isinstance(v, kind)


# Which part of a run a change of setting rebuilds (PRODUCT.md, "Controls that reset").
# As the Playground's noise slider, every control of the data's shape makes new data.
DATA_FIELDS = ("dataset", "noise", "train_ratio", "n_classes", "custom_classes", "seed",
               "n_points", "class_balance", "label_noise", "outliers")
# The settings a run side by side may change (core/learn/runs.py, lessons' comparison runs):
# none touches the data or the network's shape.
COMPARABLE = ("optimizer", "momentum", "learning_rate", "lr_decay", "batch_size", "activation", "init",
              "regularization", "reg_rate")
LIVE_FIELDS = ("learning_rate", "stop_epoch", "stop_loss")  # changed in place: training keeps going


def changed_fields(old: Config, new: Config) -> dict:
    """The settings of `new` that differ from `old`, as {field name: new value}."""
    return {f.name: getattr(new, f.name) for f in dataclasses.fields(Config)
            if getattr(old, f.name) != getattr(new, f.name)}


def repair(old: Config, changes: dict) -> Config:
    """The Config after `changes`, made valid, or `old` if no valid one is near.

    The only dependent setting is the output/loss: when the new data set or class
    count rules the chosen one out, it goes back to "auto". A change that cannot be
    made valid (e.g. switching off the last feature) is refused by returning `old`.
    The controls use it to show a change, and the worker to apply the same change to
    the settings it actually runs, which may be newer than what the controls showed.
    """
    fields = {f.name: getattr(old, f.name) for f in dataclasses.fields(Config)}
    fields.update(changes)
    for fix in ({}, {"output": "auto"}):
        try:
            return Config(**{**fields, **fix})
        except (ValueError, TypeError):
            continue
    return old


def reset_scope(old: Config, new: Config) -> str:
    """'none', 'live' (learning rate only), 'network' (new weights) or 'data' (new data too)."""
    changed = [f.name for f in dataclasses.fields(Config) if getattr(old, f.name) != getattr(new, f.name)]
    if not changed:
        return "none"
    if any(name in DATA_FIELDS for name in changed):
        return "data"
    if all(name in LIVE_FIELDS for name in changed):
        return "live"
    return "network"
