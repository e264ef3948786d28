"""Give a parent to the Qt objects pyqtgraph makes without one.

A PlotItem (and a ColorBarItem, which is one) builds its "Plot Options" menu, the menu's
submenus and the WidgetGroup behind them without a parent, and the item sits in reference
cycles of pyqtgraph's own. Once the item's widget is gone, those parentless objects would
be freed only by Python's cyclic garbage collector, which runs in whichever thread happens
to allocate: a QMenu deleted from the training worker's thread. Given a parent widget here,
they are deleted with it, in the GUI thread, and the collector only meets dead wrappers.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget


def adopt_plot_menus(owner: QWidget, *items: pg.PlotItem) -> None:
    """Make owner the parent of each item's context menu and its WidgetGroup."""
    for item in items:
        menu = item.ctrlMenu
        menu.setParent(owner, menu.windowFlags())    # still a popup, not a child widget
        item.stateGroup.setParent(owner)
