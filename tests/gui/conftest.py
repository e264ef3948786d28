import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def prompts(monkeypatch):
    """The unsaved-work question never opens a modal box in a test: it is answered by
    helpers.prompts.FakeMessageBox (Discard unless a test queues another answer)."""
    from helpers.prompts import FakeMessageBox
    from nnviz.gui.window import unsaved
    FakeMessageBox.reset()
    monkeypatch.setattr(unsaved, "QMessageBox", FakeMessageBox)
    yield FakeMessageBox
    FakeMessageBox.reset()


@pytest.fixture(autouse=True)
def collect_in_the_gui_thread():
    """After each test, collect its garbage here, in the GUI thread. A closed window's Qt
    objects caught in reference cycles were once collected by whichever thread next
    crossed the collector's threshold, often the next test's worker: Qt's destructors
    then ran in two threads at once and both stopped for good (seen twice in the suite).
    The program now leaves no live Qt object in cycles in the scenarios of
    window/test_no_qt_cycles.py; this stays as a safety net for what those scenarios do
    not reach and for Qt objects tests make themselves."""
    yield
    import gc
    gc.collect()
