"""Where the main window opens: inside the screen's available area, sized for that screen.

A fixed size fails both ways: 1500 x 920 hangs off a 1280 x 800 laptop (half the decision
surface and the title bar's buttons out of reach) and looks lost on a 2560 x 1440 monitor.
So a first start opens maximised when the comfortable size (plus a window frame) does not
fit, and otherwise at a share of the screen, centred. A remembered geometry is used as it
was, unless the screens have changed so that it no longer fits: then it is placed anew.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QWidget

COMFORTABLE = QSize(1500, 920)   # the size the panels were laid out for
FRAME = QSize(16, 48)            # room a window manager's frame and title bar may take
SHARE = 0.8                      # of a large screen, on a first start


def first_geometry(available: QRect) -> QRect | None:
    """The window's inner rectangle on a first start; None: open maximised instead."""
    if (available.width() < COMFORTABLE.width() + FRAME.width() + 80
            or available.height() < COMFORTABLE.height() + FRAME.height() + 20):
        return None
    size = QSize(max(COMFORTABLE.width(), int(SHARE * available.width())),
                 max(COMFORTABLE.height(), int(SHARE * available.height())))
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(available.center())
    return rect


def place(window: QWidget, screen: QScreen, remembered: QByteArray | None = None) -> None:
    """Set the window's geometry (and maximised state) before it is shown on `screen`."""
    available = screen.availableGeometry()
    if remembered is not None and window.restoreGeometry(remembered):
        if window.isMaximized() or available.contains(_with_frame(window.geometry())):
            return
        window.setWindowState(window.windowState() & ~Qt.WindowMaximized)
    rect = first_geometry(available)
    if rect is None:
        # the size to return to from maximised: the whole area less a frame
        side = FRAME.width() // 2
        window.setGeometry(available.adjusted(side, FRAME.height() - side, -side, -side))
        window.setWindowState(window.windowState() | Qt.WindowMaximized)
    else:
        window.setWindowState(window.windowState() & ~Qt.WindowMaximized)
        window.setGeometry(rect)


def _with_frame(inner: QRect) -> QRect:
    """The rectangle a window manager's frame (FRAME) would take around `inner`, before it is shown."""
    side = FRAME.width() // 2
    return inner.adjusted(-side, -(FRAME.height() - side), side, side)
