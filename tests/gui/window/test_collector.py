"""Reference cycles holding Qt objects are collected in the GUI thread, never the worker's."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from helpers.window import open_window


def test_cycles_are_collected_by_the_gui_thread_only(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    assert not gc.isenabled()                    # no automatic pass, in any thread
    threads: list[str] = []
    gc.callbacks.append(lambda phase, _info: phase == "start" and threads.append(threading.current_thread().name))
    try:
        class Holder(QObject):
            pass
        holder = Holder()
        holder.me = holder                       # a cycle through a Qt object's wrapper
        gone = weakref.ref(holder)
        del holder
        qtbot.waitUntil(lambda: gone() is None, timeout=5_000)     # the timer's collection
        w.toggle_play()
        qtbot.waitUntil(lambda: w.latest.playing, timeout=5_000)
        qtbot.waitUntil(lambda: w.latest.epoch > 20, timeout=20_000)   # the worker allocates meanwhile
        w.toggle_play()
    finally:
        gc.callbacks.pop()
    assert threads and set(threads) == {threading.main_thread().name}
    w.close()
