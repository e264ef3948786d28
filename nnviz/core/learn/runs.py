"""Runs side by side: two to four Trainers on the same data, compared fairly.

A duplicate of a run changes only settings that leave the data and the network's shape
alone (optimiser, learning rate, batch size, activation, regularisation, init, momentum,
decay), takes the same data and seed, and starts from the same initial weights as the run
it copies (unless its init differs), so whatever differs in the curves comes from the
setting changed. A branch starts from a checkpoint of a run's timeline, with its settings.
All runs train at the same pace: the same number of epochs each, in turn.

Plain objects, no threads: the worker owns the RunSet and calls it from its thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.config import COMPARABLE, Config   # COMPARABLE: what a run side by side may change
from nnviz.core.data.datasets import Dataset
from nnviz.core import files
from nnviz.core.files.session import SavedRuns
from nnviz.core.snapshot import RunView
from nnviz.core.train.trainer import Trainer

MAX_RUNS = 4
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov", "rmsprop": "RMSprop",
                   "adam": "Adam"}
ACTIVATION_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear",
                    "leaky_relu": "Leaky ReLU", "elu": "ELU", "sine": "Sine"}
INIT_NAMES = {"playground": "Playground init", "xavier": "Xavier init", "he": "He init", "zeros": "zero init"}
# Settings a run's own Reset or controls may change later (a new network for that run):
# named in legends too when they differ, though a duplicate may not change them.
SHAPE = ("hidden_layers", "features")


@dataclass
class Run:
    """One trainer of the set, its colour (an index that stays with the run) and a note
    saying where it came from ("" for a plain run or duplicate)."""

    trainer: Trainer
    colour: int
    note: str = ""


def describe(field: str, config: Config) -> str:
    """A setting's value in the words of a legend: "Adam", "lr 0.1", "L2 0.003"."""
    v = getattr(config, field)
    if field == "optimizer":
        return OPTIMIZER_NAMES.get(v, v)
    if field == "learning_rate":
        return f"lr {v:g}"
    if field == "batch_size":
        return f"batch {v}"
    if field == "activation":
        names = [ACTIVATION_NAMES.get(a, a) for a in config.activations]
        return names[0] if len(set(names)) <= 1 else "/".join(names)
    if field in ("regularization", "reg_rate"):
        r = config.regularization
        return "no regularisation" if r == "none" or config.reg_rate == 0 else f"{r.upper()} {config.reg_rate:g}"
    if field == "init":
        return INIT_NAMES.get(v, v)
    if field == "momentum":
        return f"momentum {v:g}"
    if field == "hidden_layers":
        return "-".join(map(str, v)) + " neurons" if v else "no hidden layer"
    if field == "features":
        return " ".join(f.upper() for f in v)
    return f"decay {v:g}"


def differences(configs: list[Config]) -> list[str]:
    """For each config, its values of the comparable settings that are not the same in all
    of them ("" where none differ). Regularisation and its rate count as one."""
    fields = [f for f in COMPARABLE + SHAPE if len({repr(getattr(c, f)) for c in configs}) > 1]
    if "reg_rate" in fields and "regularization" in fields:
        fields.remove("reg_rate")
    return [", ".join(dict.fromkeys(describe(f, c) for f in fields)) for c in configs]


class RunSet:
    """The runs of a session, one of them active (the one the big views show and the
    controls and edits act on)."""

    def __init__(self, trainer: Trainer):
        self.runs: list[Run] = [Run(trainer, 0)]
        self.active = 0

    @classmethod
    def from_saved(cls, saved: SavedRuns) -> "RunSet":
        """The runs of an opened session (files.load_runs)."""
        runs = cls(saved.trainers[0])
        runs.runs = [Run(t, c, n) for t, n, c in zip(saved.trainers, saved.notes, saved.colours)]
        runs.active = saved.active
        return runs

    def save(self, path, extra: dict | None = None) -> None:
        """Every run, its timeline, note and colour into a session file."""
        files.save_session(self.trainers, path, extra, self.active, [r.note for r in self.runs],
                           [r.colour for r in self.runs])

    def __len__(self) -> int:
        return len(self.runs)

    @property
    def trainer(self) -> Trainer:
        """The active run's trainer."""
        return self.runs[self.active].trainer

    @property
    def trainers(self) -> list[Trainer]:
        return [r.trainer for r in self.runs]

    def names(self) -> list[str]:
        """What each run is called in a legend: what differs, its note, or its number."""
        diff = differences([r.trainer.config for r in self.runs])
        out = []
        for k, (run, d) in enumerate(zip(self.runs, diff)):
            words = ", ".join(w for w in (d, run.note) if w)
            out.append(words or (f"run {k + 1}" if len(self.runs) > 1 else ""))
        return out

    def _index(self, index: int | None) -> int:
        i = self.active if index is None else int(index)
        if not 0 <= i < len(self.runs):
            raise ValueError(f"there is no run {i + 1}")
        return i

    def _add(self, trainer: Trainer, note: str) -> int:
        if len(self.runs) >= MAX_RUNS:
            raise ValueError(f"at most {MAX_RUNS} runs can train side by side; remove one first")
        used = {r.colour for r in self.runs}
        colour = min(c for c in range(MAX_RUNS + 1) if c not in used)
        self.runs.append(Run(trainer, colour, note))
        return len(self.runs) - 1

    # -- making runs -----------------------------------------------------------------------
    def duplicate(self, index: int | None = None, **changes) -> int:
        """A new run from epoch 0 like run `index` (the active one by default) with the
        comparable settings in `changes` changed: same data and seed, and the initial
        weights of that run whenever the shapes match and the init is not changed.
        Returns the new run's index; ValueError for a change that is not allowed."""
        base = self.runs[self._index(index)].trainer
        other = sorted(set(changes) - set(COMPARABLE))
        if other:
            raise ValueError(f"a run side by side shares the data and the network's shape: "
                             f"{', '.join(other)} cannot differ")
        config = base.config.replace(**changes)        # validates: ValueError for a bad value
        if len(self.runs) >= MAX_RUNS:
            raise ValueError(f"at most {MAX_RUNS} runs can train side by side; remove one first")
        k = base.n_classes
        t = Trainer(config, data=(Dataset(base.train_x, base.train_y, k), Dataset(base.test_x, base.test_y, k)))
        t.data_seed = base.data_seed
        start = base.initial_params()
        if start is not None and start.shape == t.network.params.shape and config.init == base.config.init:
            t.start_from(start)
        return self._add(t, "")

    def branch(self, index: int, checkpoint: int) -> int:
        """A new run that starts from checkpoint `checkpoint` of run `index`'s timeline, with
        the settings it had then, and goes its own way; the original is left as it is."""
        source = self.runs[self._index(index)].trainer
        if len(self.runs) >= MAX_RUNS:
            raise ValueError(f"at most {MAX_RUNS} runs can train side by side; remove one first")
        t = source.fork()
        t.restore_checkpoint(checkpoint)
        return self._add(t, f"from epoch {t.epoch}")

    # -- choosing and removing ---------------------------------------------------------------
    def select(self, index: int) -> None:
        self.active = self._index(index)

    def remove(self, index: int) -> None:
        """Drop a run (the last one stays); the active run stays active if it is another."""
        i = self._index(index)
        if len(self.runs) == 1:
            raise ValueError("the only run cannot be removed")
        del self.runs[i]
        if self.active > i or self.active == len(self.runs):
            self.active -= 1

    def keep_only(self, index: int) -> None:
        """Keep run `index` alone; it becomes the active one."""
        run = self.runs[self._index(index)]
        self.runs = [run]
        self.active = 0

    # -- training at the same pace ------------------------------------------------------------
    def others(self) -> list[Trainer]:
        return [r.trainer for k, r in enumerate(self.runs) if k != self.active]

    def train_epochs(self, n: int, target_loss: float = 0.0) -> int:
        """n epochs for the active run (it may stop early: see Trainer.train_epochs), then as
        many for every other run that can train; returns the active run's count."""
        done = self.trainer.train_epochs(n, target_loss)
        for t in self.others():
            t.train_epochs(done)
        return done

    def step_batch(self) -> None:
        """One mini-batch update of every run."""
        for t in self.trainers:
            if not t.diverged:
                t.step_batch()

    def step_epoch(self) -> None:
        """Every run to the end of its current epoch."""
        for t in self.trainers:
            if not t.diverged:
                t.step_epoch()

    def reset(self) -> None:
        """Every run back to epoch 0, each with its initial weights from the seed."""
        for t in self.trainers:
            t.reset()

    # -- what the views get ---------------------------------------------------------------
    def views(self, active_grid: np.ndarray | None = None) -> tuple[RunView, ...]:
        """One RunView per run (copies), in order; () for a single run. active_grid: the
        active run's output pictures if already computed (n_out, GRID, GRID)."""
        if len(self.runs) < 2:
            return ()
        out = []
        for k, (run, name) in enumerate(zip(self.runs, self.names())):
            t = run.trainer
            grid = active_grid if k == self.active and active_grid is not None else t.network.grid_outputs()[-1]
            h = t.history
            out.append(RunView(name=name, colour=run.colour, epoch=t.epoch, train_loss=t.train_loss,
                               test_loss=t.test_loss, history_epoch=h.epoch.array().copy(),
                               history_train=h.train.array().copy(), history_test=h.test.array().copy(),
                               surface=np.array(grid, dtype=np.float32), output_kind=t.network.output_kind,
                               n_classes=t.n_classes, diverged=t.diverged, config=t.config))
        return tuple(out)
