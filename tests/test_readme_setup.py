"""The README's set-up: exactly two commands (start the app, run the tests), both in a
virtual environment, and one system line that names every library the program checks for
before it opens a window; .ci/run and packaging/check_fresh.sh read these lines from the
README itself, so they run what a new user types (check_fresh.sh proves the line on a
minimal Debian 12; it takes minutes and is not part of the suite)."""

from __future__ import annotations

from helpers import ROOT
from nnviz.preflight import XCB_LIBRARIES

README = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()


def test_two_setup_commands_each_in_a_virtual_environment():
    commands = [line for line in README if line.startswith("python3 -m venv .venv && ")]
    assert len(commands) == 2, commands
    app, tests = commands
    assert app.endswith(".venv/bin/nnviz") and ".venv/bin/pip install -e ." in app
    assert tests.endswith(".venv/bin/python -m pytest -q") and '".[test]"' in tests


def test_the_system_line_names_every_library_the_program_needs():
    (line,) = [line for line in README if line.startswith("sudo apt-get install")]
    packages = set(line.split()[4:])
    assert "python3-venv" in packages           # Debian's python3 makes no venv without it
    assert set(XCB_LIBRARIES.values()) <= packages, set(XCB_LIBRARIES.values()) - packages


def test_ci_and_the_fresh_machine_check_read_the_readme():
    for script in (ROOT / ".ci" / "run", ROOT / "packaging" / "check_fresh.sh"):
        text = script.read_text()
        assert 'sudo apt-get install' in text and "README.md" in text, script
        assert "python3 -m venv .venv && " in text, script
