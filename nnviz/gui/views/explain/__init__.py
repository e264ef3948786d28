"""The explain panel: one training step walked through stage by stage (panel.py), with the
words of each stage built without Qt (texts.py)."""

from nnviz.gui.views.explain.panel import ExplainPanel

__all__ = ["ExplainPanel"]
