"""The decision surface: the network's output over [-6, 6]^2 with the data on top, and
points drawn by hand.

view.py is the widget (SurfaceView); drawing.py turns strokes of the mouse into requests
and shows them while they are drawn; toolbar.py is the drawing row above the plot.
"""

from nnviz.gui.views.surface.view import _CELL, EXTENT, SurfaceView

__all__ = ["EXTENT", "SurfaceView", "_CELL"]
