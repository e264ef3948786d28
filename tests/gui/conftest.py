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
