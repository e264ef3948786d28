"""The curves panel: loss curves, accuracy or R^2, the confusion matrix (view.py) and the
gradient flow (gradflow.py); plotting.py holds what their plots share."""

from nnviz.gui.views.curves.view import CurvesView

__all__ = ["CurvesView"]
