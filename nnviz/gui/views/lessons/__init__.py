"""The lessons panel: the list of lessons and one lesson step by step (panel.py), with its
words built without Qt (texts.py)."""

from nnviz.gui.views.lessons.panel import LessonsPanel, StepState

__all__ = ["LessonsPanel", "StepState"]
