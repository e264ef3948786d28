"""The links drawn as pictures per gap, redrawn in turns within a budget: what is on
screen is, gap by gap, exactly what stroking every link at once gives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from helpers.topology import link_mid, shown_view
from nnviz.gui.style import palette
from nnviz.gui.views.demo_snapshot import make_snapshot
from nnviz.gui.views.topology import link_pictures
from nnviz.gui.views.topology.geometry import build_layout
from nnviz.gui.views.topology.items import LinksItem, link_keys
from nnviz.gui.views.topology.link_pictures import GapPicture, Job, LinkPictures

SIZES = (7, 32, 32, 32, 1)


def one_shot(gap: GapPicture, keys, buckets, scale: float) -> QImage:
    """The gap's picture stroked in one go, as the view did before pictures were kept."""
    img = QImage(Job(gap, keys, buckets, scale).image.size(), QImage.Format_ARGB32_Premultiplied)
    img.fill(Qt.transparent)
    p = QPainter(img)
    p.scale(scale, scale)
    p.translate(-gap.rect.x(), -gap.rect.y())
    p.setRenderHint(QPainter.Antialiasing)
    for pen, lines in gap.work(keys, buckets):
        p.setPen(pen)
        p.drawLines(lines)
    p.end()
    return img


def bits(img: QImage) -> bytes:
    return bytes(img.constBits())


@pytest.fixture
def item(qtbot):
    return LinksItem()


def drawn(lay, keys, look=(1.0, 1.0)) -> LinkPictures:
    """Pictures of every gap for these keys, finished."""
    pics = LinkPictures()
    pics.set_keys(lay, keys, look)
    while pics.redraw(LinksItem()._buckets, budget_s=1.0):
        pass
    return pics


def test_a_picture_made_in_many_small_steps_equals_one_stroked_at_once(item):
    lay = build_layout(SIZES, 600, 700)
    rng = np.random.default_rng(1)
    pics = drawn(lay, link_keys(rng.uniform(-3, 3, lay.segments.shape[0])), (0.5, 1.0))
    keys = link_keys(rng.uniform(-3, 3, lay.segments.shape[0]))
    pics.set_keys(lay, keys, (0.5, 1.0))                # every gap stale, none blank
    item._width_scale = 0.5
    calls = 0
    while pics.redraw(item._buckets, budget_s=0.0):     # one batch of lines per call
        calls += 1
    assert calls > 3 * len(pics.gaps) and pics.exact()
    for gap in pics.gaps:
        assert bits(gap.image) == bits(one_shot(gap, keys, item._buckets, 1.0))


def test_only_gaps_whose_links_changed_step_are_redrawn(item):
    lay = build_layout(SIZES, 600, 700)
    w = np.random.default_rng(2).uniform(-0.9, 0.9, lay.segments.shape[0])
    pics = drawn(lay, link_keys(w))
    images = [g.image for g in pics.gaps]
    row = lay.link_index(2, 5, 7)                        # a link of gap 2
    w2 = w.copy()
    w2[row] = np.round(w[row] * 16) / 16 + 0.01         # a nudge within its step: same look
    pics.set_keys(lay, link_keys(w2), (1.0, 1.0))
    assert pics.exact()
    w2[row] = -w[row] if abs(w[row]) > 0.1 else 0.8      # another colour: its gap, only it
    pics.set_keys(lay, link_keys(w2), (1.0, 1.0))
    assert [g for g in pics.stale()] == [pics.gaps[2]]
    pics.redraw(item._buckets, budget_s=1.0)
    assert [g.image is im for g, im in zip(pics.gaps, images)] == [True, True, False, True]


def test_keys_that_change_during_a_redraw_are_drawn_next(item):
    lay = build_layout(SIZES, 600, 700)
    rng = np.random.default_rng(3)
    k0, k1, k2 = (link_keys(rng.uniform(-2, 2, lay.segments.shape[0])) for _ in range(3))
    pics = drawn(lay, k0)
    pics.set_keys(lay, k1, (1.0, 1.0))
    pics.redraw(item._buckets, budget_s=0.0)             # part of gap 0 for k1
    assert not pics.exact() and pics.gaps[0].keys is not None and np.array_equal(pics.gaps[0].keys, k0[pics.gaps[0].rows])
    pics.set_keys(lay, k2, (1.0, 1.0))
    while pics.redraw(item._buckets, budget_s=0.0):
        for gap in pics.gaps:                           # every finished picture is of one set of keys
            if gap.keys is not None:
                assert any(np.array_equal(gap.keys, k[gap.rows]) for k in (k0, k1, k2))
    assert all(np.array_equal(g.keys, k2[g.rows]) for g in pics.gaps)


def test_a_gap_without_a_picture_is_finished_in_the_call_that_starts_it(item):
    lay = build_layout(SIZES, 600, 700)
    keys = link_keys(np.random.default_rng(4).uniform(-3, 3, lay.segments.shape[0]))
    pics = LinkPictures()
    pics.set_keys(lay, keys, (1.0, 1.0))
    for k in range(len(pics.gaps)):                     # no budget: one whole blank gap a call
        more = pics.redraw(item._buckets, budget_s=0.0)
        assert [g.image is not None for g in pics.gaps] == [i <= k for i in range(len(pics.gaps))]
        assert np.array_equal(pics.gaps[k].keys, keys[pics.gaps[k].rows])
        assert bits(pics.gaps[k].image) == bits(one_shot(pics.gaps[k], keys, item._buckets, 1.0))
    assert not more and pics.exact()


def test_the_view_paused_shows_every_link_in_its_colour(qtbot):
    v = shown_view(qtbot, 900, 700)
    snap = make_snapshot(2, hidden=(32, 32, 32))
    w = [a.copy() for a in snap.weights]
    w[1][4, 9] = 4.5                                      # a thick blue link, drawn on top
    w[2][20, 3] = -4.5                                    # a thick orange one
    snap = dataclasses.replace(snap, weights=tuple(w), playing=False)
    v.set_snapshot(snap)
    v.paint()
    qtbot.waitUntil(lambda: v.links.pictures.exact(), timeout=5_000)
    qtbot.waitUntil(lambda: v.view.viewport().grab().width() > 0)
    image = v.view.viewport().grab().toImage()
    for (layer, dst, src), colour in (((1, 4, 9), palette.BLUE), ((2, 20, 3), palette.ORANGE)):
        p = link_mid(v, layer, dst, src)
        got = image.pixelColor(p)
        assert max(abs(got.red() - colour[0]), abs(got.green() - colour[1]), abs(got.blue() - colour[2])) < 40


def test_playing_draws_only_a_frames_share_of_the_links(qtbot, monkeypatch):
    """With no time to spare, a frame strokes one batch of lines and no more, and nothing
    is drawn between frames while training plays; paused, the rest follows at once."""
    monkeypatch.setattr(link_pictures, "BUDGET_S", 0.0)
    batches = []
    real = Job.step

    def counted(self, deadline):
        before = len(self.todo)
        done = real(self, deadline)
        batches.append(before - len(self.todo))
        return done

    monkeypatch.setattr(Job, "step", counted)
    v = shown_view(qtbot, 700, 800)
    snap = make_snapshot(2, hidden=(32,) * 8)
    v.set_snapshot(snap)                                 # paused first: every gap gets its picture
    v.paint()
    qtbot.waitUntil(v.links.pictures.exact, timeout=10_000)
    batches.clear()
    snap = dataclasses.replace(snap, playing=True)
    rng = np.random.default_rng(4)
    for _ in range(6):
        snap = dataclasses.replace(snap, seq=snap.seq + 1,
                                   weights=tuple(rng.uniform(-2, 2, a.shape) for a in snap.weights))
        v.set_snapshot(snap)
        v.paint()
        qtbot.wait(20)                                   # the event loop runs between frames
    assert batches == [1] * 6 and not v.links.pictures.exact()
    v.set_snapshot(dataclasses.replace(snap, seq=snap.seq + 1, playing=False))
    v.paint()
    qtbot.waitUntil(v.links.pictures.exact, timeout=10_000)
