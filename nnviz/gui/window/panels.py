"""The main window's panels: the banner and the training bar above them, how the panels
are laid out, how the room is shared among them, and the lower tabs (the curves, or the
explain panel while explaining, beside the loss landscape).

A mixin of MainWindow (main_window.py), kept apart because it is about room, not about
the worker: the views are made in MainWindow._build, placed here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

SURFACE_SHARE = 0.47   # of the right column's height, for the decision surface
LANDSCAPE_SURFACE_SHARE = 0.33   # the same while the landscape's tab is open: its plane and slice need the height


class PanelsMixin:
    """_build_panels, the share of room (_size_panels) and the lower tabs for MainWindow."""

    def _build_banner(self) -> None:
        """The red banner over the panels for what the user must see (a divergence)."""
        self.banner = QWidget()
        self.banner.setStyleSheet("background: #fdecea; border: 1px solid #e0a0a0;")
        banner_lay = QHBoxLayout(self.banner)
        banner_lay.setContentsMargins(8, 4, 8, 4)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_text.setStyleSheet("color: #8a1c1c; border: none;")
        banner_reset = QPushButton("Reset")
        banner_close = QPushButton("Dismiss")
        banner_lay.addWidget(self.banner_text, 1)
        banner_lay.addWidget(banner_reset)
        banner_lay.addWidget(banner_close)
        banner_reset.clicked.connect(self.request_reset)
        banner_close.clicked.connect(self.banner.hide)
        self.banner.hide()
        self._banner_network = 0   # network_id of the Snapshot shown when the banner was raised

    def _build_bar_holder(self) -> None:
        """The training bar in a fixed tool bar, which spans the window above any side panel
        (the lessons), so opening one narrows only the panels under it: at 1280 px the
        bar's buttons and numbers alone need most of the width."""
        holder = QToolBar("Training", self)
        holder.setObjectName("trainingBarHolder")
        holder.setMovable(False)
        holder.setFloatable(False)
        holder.toggleViewAction().setVisible(False)
        holder.setStyleSheet("QToolBar { border: none; padding: 0; spacing: 0; }")
        holder.layout().setContentsMargins(0, 0, 0, 0)
        self.training_bar.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        holder.addWidget(self.training_bar)
        self.addToolBar(Qt.TopToolBarArea, holder)

    def _build_panels(self) -> QSplitter:
        """The panels' splitters (the controls | the graph and the runs | the surface over
        the curves or landscape, with the timeline under them); returns the outermost."""
        self.lower_stack = QStackedWidget()      # the curves, or the explain panel while explaining
        self.lower_stack.addWidget(self.curves)
        self.lower_stack.addWidget(self.explain_panel)
        # the landscape is a tab beside the curves: both are pictures of the loss, and the
        # graph (where parameters are picked) and the surface stay in view beside it
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setDocumentMode(True)
        self.lower_tabs.addTab(self.lower_stack, "Curves")
        self.lower_tabs.addTab(self.landscape, "Loss landscape")
        # its tab bar must not raise the window's smallest height above what the panels need
        # alone: on a very short window the page gives up the bar's height instead
        self.lower_tabs.setMinimumHeight(max(self.lower_stack.minimumSizeHint().height(),
                                             self.landscape.minimumSizeHint().height()))
        self.lower_stack.currentChanged.connect(self._lower_page_changed)
        # the timeline's slider sits right under the curves (and the landscape) it moves a cursor on
        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 0, 8, 0)   # the plots' right ends and last labels clear of the window's edge
        lower_lay.setSpacing(0)
        lower_lay.addWidget(self.lower_tabs, 1)
        lower_lay.addWidget(self.timeline)
        right = QSplitter(Qt.Vertical)
        right.addWidget(self.surface)
        right.addWidget(lower)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        # the runs side by side: small surfaces under the graph of the run they choose
        graph = QSplitter(Qt.Vertical)
        graph.addWidget(self.topology)
        graph.addWidget(self.runs_view)
        graph.setStretchFactor(0, 4)
        graph.setStretchFactor(1, 1)
        middle = QSplitter(Qt.Horizontal)
        middle.addWidget(graph)
        middle.addWidget(right)
        middle.setStretchFactor(0, 1)
        middle.setStretchFactor(1, 1)
        body = QSplitter(Qt.Horizontal)
        body.addWidget(self.controls)
        body.addWidget(middle)
        body.setStretchFactor(1, 1)
        self.splitters = (body, middle, right)
        self._auto_panels = True        # share out the panels at every resize until a divider is dragged
        for splitter in self.splitters:
            splitter.splitterMoved.connect(self._panels_moved)
        return body

    @Slot(object)
    def _parameter_picked(self, target: tuple) -> None:
        self.show_landscape()
        self.landscape.add_pick(target)

    def show_landscape(self) -> None:
        self.lower_tabs.setCurrentWidget(self.landscape)

    @Slot(int)
    def _lower_tab_changed(self, _index: int) -> None:
        """The landscape computes only while on screen, and takes more of the column then."""
        self.landscape.set_active(self.lower_tabs.currentWidget() is self.landscape)
        if self._auto_panels:
            self._size_panels()

    @Slot(int)
    def _lower_page_changed(self, _page: int) -> None:
        """The explain panel takes the curves' tab while explaining: show that tab, named for it."""
        explaining = self.lower_stack.currentWidget() is self.explain_panel
        self.lower_tabs.setTabText(0, "Explain step" if explaining else "Curves")
        if explaining:
            self.lower_tabs.setCurrentIndex(0)

    def _size_panels(self) -> None:
        """Share the room among the panels for this window: the decision surface a square
        about half the height (a third with the landscape open), the curves or the landscape
        below it, the graph all the width left (the same whichever tab is open)."""
        _, middle, right = self.splitters
        height, width = right.height(), middle.width()
        if height < 50 or width < 100:
            return
        landscape = self.lower_tabs.currentWidget() is self.landscape
        surface = int((LANDSCAPE_SURFACE_SHARE if landscape else SURFACE_SHARE) * height)
        right.setSizes([surface, height - surface])
        side = min(max(int(SURFACE_SHARE * height) + 40, int(0.38 * width)), width // 2)   # + room for the axes
        middle.setSizes([width - side, side])

    @Slot()
    def _panels_moved(self) -> None:
        self._auto_panels = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_panels:
            self._size_panels()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._auto_panels:
            self._size_panels()
