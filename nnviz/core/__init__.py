"""nnviz.core: the training engine, with no Qt anywhere (numpy and numba only).

    from nnviz.core import Config, Trainer
    t = Trainer(Config(dataset="circle", hidden_layers=(4, 2)))
    t.step_epoch(); print(t.epoch, t.train_loss, t.test_loss)

The packages inside, each with one job (a module imports only from the rooms above its
own in this list, never back):
    config, errors, snapshot   settings, the one error type of readers, what a view gets
    data/     point sets: the generators and the train/test split
    model/    the network: features, activations, output units and losses, the forward
              pass and its compiled picture kernel
    train/    optimisers, the numpy reference of a step, the compiled training kernel,
              scores and history, the Trainer
    files/    every file format, read defensively and written atomically
    learn/    what makes training visible: presets, one step explained (explain_step),
              the loss landscape and the path recorder, and, as they come, the lessons

`import nnviz.core` loads numpy only: the names that need numba (the Trainer, sessions,
the loss landscape) are imported on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from nnviz.core.config import Config
from nnviz.core.data.datasets import Dataset, make_data
from nnviz.core.errors import FormatError
from nnviz.core.model.network import Network
from nnviz.core.snapshot import Snapshot

if TYPE_CHECKING:
    from nnviz.core.files import (export_pytorch, export_weights, import_weights, load_session,
                                  save_session)
    from nnviz.core.learn.explain import explain_step
    from nnviz.core.learn.directions import parameter_direction, pca_directions, project, random_directions
    from nnviz.core.learn.landscape import gradient_slice, loss_landscape
    from nnviz.core.learn.path import PathRecorder
    from nnviz.core.train.trainer import Trainer

# name -> module it is imported from on first use
_LAZY = {"Trainer": "nnviz.core.train.trainer", "export_weights": "nnviz.core.files",
         "export_pytorch": "nnviz.core.files",
         "import_weights": "nnviz.core.files", "save_session": "nnviz.core.files",
         "load_session": "nnviz.core.files", "explain_step": "nnviz.core.learn.explain",
         "loss_landscape": "nnviz.core.learn.landscape", "gradient_slice": "nnviz.core.learn.landscape",
         "random_directions": "nnviz.core.learn.directions", "parameter_direction": "nnviz.core.learn.directions",
         "pca_directions": "nnviz.core.learn.directions", "project": "nnviz.core.learn.directions",
         "PathRecorder": "nnviz.core.learn.path"}

__all__ = ["Config", "Dataset", "FormatError", "Network", "PathRecorder", "Snapshot", "Trainer", "explain_step",
           "export_pytorch", "export_weights", "gradient_slice", "import_weights", "load_session", "loss_landscape",
           "make_data", "parameter_direction", "pca_directions", "project", "random_directions", "save_session"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
