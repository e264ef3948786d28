"""nnviz.core: the training engine, with no Qt anywhere (numpy and numba only).

    from nnviz.core import Config, Trainer
    t = Trainer(Config(dataset="circle", hidden_layers=(4, 2)))
    t.step_epoch(); print(t.epoch, t.train_loss, t.test_loss)

`Trainer` is imported on first use (PEP 562), so `import nnviz.core.io` or `.config`
stays light and does not load numba.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import Config
from .datasets import Dataset, make_data
from .network import Network
from .snapshot import Snapshot

if TYPE_CHECKING:
    from .trainer import Trainer

__all__ = ["Config", "Dataset", "Network", "Snapshot", "Trainer", "make_data"]


def __getattr__(name: str):
    if name == "Trainer":
        from .trainer import Trainer
        return Trainer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
