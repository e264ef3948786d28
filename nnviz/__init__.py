"""nnviz: watch a small neural network learn, and steer it while it learns."""

__version__ = "0.1.0"
