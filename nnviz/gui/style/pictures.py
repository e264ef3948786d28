"""Pictures of the panels as PNG and SVG, shared by every view.

Each picture is rendered in memory first and then written by the one atomic writer
(core.files.atomic), so a full disk or a failing renderer leaves the old file byte for
byte and raises an error the window shows, never a "Saved" over an empty file. SVGs are
passed through svg_strokes so GNOME's viewers (librsvg) draw them as Qt does.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene
from shiboken6 import Shiboken

from nnviz.core.files.atomic import atomic_write_bytes
from nnviz.gui.style.svg_strokes import fix_strokes

SVG_DPI = 96            # CSS pixels: an SVG of W x H px opens at W x H px in browsers and librsvg
MIN_PLOT_WIDTH = 600    # px; a never-shown widget would otherwise export tiny


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG in memory (ValueError if Qt cannot encode it)."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.WriteOnly)
    if image.isNull() or not image.save(buf, "PNG"):
        raise ValueError("the picture could not be encoded as PNG")
    buf.close()
    return bytes(data)


def save_png(image: QImage, path) -> None:
    atomic_write_bytes(path, png_bytes(image))


def svg_bytes(paint: Callable[[QPainter], None], size: QSize, title: str) -> bytes:
    """Whatever `paint` draws on a size.width() x size.height() px page, as SVG bytes."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(size)
    gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
    gen.setResolution(SVG_DPI)
    gen.setTitle(title)
    painter = QPainter(gen)
    try:
        paint(painter)
    finally:
        painter.end()
    buf.close()
    if data.isEmpty():
        raise ValueError("the picture could not be drawn as SVG")
    return fix_strokes(bytes(data))


def save_svg(paint: Callable[[QPainter], None], size: QSize, path, title: str) -> None:
    atomic_write_bytes(path, svg_bytes(paint, size, title))


@contextmanager
def uncached(scene: QGraphicsScene) -> Iterator[None]:
    """Draw every item afresh while exporting: a cached item (the axes are cached for
    speed) would otherwise go into the file as a screen-resolution bitmap, its text and
    grid lines no longer vectors."""
    saved = [(it, it.cacheMode()) for it in scene.items() if it.cacheMode() != QGraphicsItem.NoCache]
    for it, _ in saved:
        it.setCacheMode(QGraphicsItem.NoCache)
    try:
        yield
    finally:
        for it, mode in saved:
            it.setCacheMode(mode)


def plot_png(item, path, min_width: int = MIN_PLOT_WIDTH) -> None:
    """A pyqtgraph item (e.g. a PlotItem) as PNG, at least min_width px wide."""
    import pyqtgraph.exporters as exporters
    exporter = exporters.ImageExporter(item)
    if int(exporter.parameters()["width"]) < min_width:
        exporter.parameters()["width"] = int(min_width)
    try:
        with uncached(item.scene()):
            image = exporter.export(toBytes=True)
    finally:
        _release(exporter.params)
    save_png(image, path)


def _release(params) -> None:
    """Delete pyqtgraph's exporter options, a tree of Parameters (QObjects) that refer to
    their parent and children, now, in the GUI thread: left to Python's cyclic garbage
    collector, they would be deleted in whatever thread it next runs in."""
    for child in params.children():
        _release(child)
    Shiboken.delete(params)


def plot_svg(item, path, title: str = "nnviz") -> None:
    """A pyqtgraph item as SVG: curves and points as vectors, images embedded as PNG.

    pyqtgraph 0.14's SVGExporter fails on the closed paths newer Qt writes (pyqtgraph
    issue #3495), so this renders with pyqtgraph's export mode into QSvgGenerator.
    """
    import pyqtgraph.exporters as exporters

    class _Exporter(exporters.Exporter):
        def parameters(self):
            return None

    exp = _Exporter(item)
    source = exp.getSourceRect()
    size = QSize(max(1, int(round(source.width()))), max(1, int(round(source.height()))))

    def paint(painter: QPainter) -> None:
        target = QRectF(0, 0, size.width(), size.height())
        painter.fillRect(target, QColor("white"))
        exp.setExportMode(True, {"antialias": True, "background": QColor("white"),
                                 "painter": painter, "resolutionScale": 1.0})
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            exp.getScene().render(painter, target, source)
        finally:
            exp.setExportMode(False)

    with uncached(item.scene()):
        data = svg_bytes(paint, size, title)
    atomic_write_bytes(path, data)
